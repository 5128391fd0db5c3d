"""Routes generated from the catalog's endpoints: every object and action it lists answers,
nothing else does.

Templates are matched segment by segment; a literal segment beats a parameter, so
``POST /Atom/query`` is the QUERY and not an UPDATE of an atom called "query". A path that some
template matches with another method is a 405; any other path a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from connector.atomsphere.catalog import Catalog, Endpoint, ObjectInfo


@dataclass(frozen=True)
class Route:
    object: ObjectInfo
    endpoint: Endpoint
    segments: tuple[str, ...]

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))


@dataclass(frozen=True)
class Match:
    route: Route
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def param(self) -> str:
        """The (last) path parameter: the id, token or execution id the path carries."""
        values = list(self.params.values())
        return values[-1] if values else ""


class MethodNotAllowed(LookupError):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed
        super().__init__(", ".join(allowed))


class Router:
    def __init__(self, catalog: Catalog) -> None:
        by_length: dict[int, list[Route]] = {}
        for info in catalog:
            for endpoint in info.endpoints:
                segments = tuple(endpoint.path.strip("/").split("/"))
                by_length.setdefault(len(segments), []).append(Route(info, endpoint, segments))
        for routes in by_length.values():
            routes.sort(key=lambda r: -r.literal_count)
        self._by_length = MappingProxyType(by_length)

    def routes(self) -> list[Route]:
        return [r for routes in self._by_length.values() for r in routes]

    def match(self, method: str, path: str) -> Match | None:
        """The route for ``method path`` (path after the account), None when no path matches;
        raises :class:`MethodNotAllowed` when the path exists for other methods only."""
        parts = tuple(path.strip("/").split("/")) if path.strip("/") else ()
        allowed: list[str] = []
        best: Match | None = None
        for route in self._by_length.get(len(parts), ()):
            params = _bind(route.segments, parts)
            if params is None:
                continue
            if route.endpoint.method != method:
                allowed.append(route.endpoint.method)
                continue
            if best is None or route.literal_count > best.route.literal_count:
                best = Match(route, params)
        if best is not None:
            # A literal match for another method still wins over a parameter for this one.
            return best
        if allowed:
            raise MethodNotAllowed(tuple(sorted(set(allowed))))
        return None


def _bind(template: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for pattern, part in zip(template, parts, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not part:
                return None
            params[pattern[1:-1]] = part
        elif pattern != part:
            return None
    return params

"""Fault injection: chosen per path (and method), counted, reproducible with a seed.

A fault is written ``KIND[:key=value[,key=value...]]``, the same from Python, from
``--fault`` and from the admin API::

    503:path=/ExecutionRecord/*,times=3      a burst: the next three matching calls get 503
    latency:seconds=0.2,probability=0.5      half the calls wait 200 ms
    reset:path=*/queryMore,after=2           the third and later queryMore calls are reset
    reset:at=body,method=POST,times=1        the next POST is processed, its answer cut off
    html:status=504                          a gateway's HTML error page instead of the API
    repeat-token:path=*/queryMore,times=1    the next queryMore page repeats its own token

Kinds: ``latency``, ``503`` (or ``busy``), ``reset``, ``truncate``, ``malformed``, ``html``,
``expire-token``, ``repeat-token`` (a queryMore answers its page with the token it was asked
with, as a looping server would). Keys: ``path`` (a glob over the path after
``/api/rest/v1/{account}``, or over the whole path when it starts with ``/api/``; default
``*``), ``method``, ``times`` (fire at most this often), ``after`` (let this many matching calls
through first), ``every`` (fire on the n-th, 2n-th... matching call), ``probability`` (0..1,
drawn from the seeded generator), ``seconds`` (latency), ``status`` (html; default 502; 200 is a
web page served in place of the API) and ``at`` (reset: ``start``, the default, resets before
the request is processed; ``body`` lets the request be processed and resets after the headers
and part of the body, or before the headers when the answer has no body: the client cannot know
whether the request took effect).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from enum import StrEnum
from fnmatch import fnmatchcase

from connector.errors import ConfigError


class FaultKind(StrEnum):
    LATENCY = "latency"
    BUSY = "503"
    RESET = "reset"
    TRUNCATE = "truncate"
    MALFORMED = "malformed"
    HTML = "html"
    EXPIRE_TOKEN = "expire-token"
    REPEAT_TOKEN = "repeat-token"


_ALIASES = {
    "busy": FaultKind.BUSY,
    "expired-token": FaultKind.EXPIRE_TOKEN,
    "repeated-token": FaultKind.REPEAT_TOKEN,
}

#: Where a reset happens: before the request is processed, or part-way through the answer.
RESET_STAGES = ("start", "body")


@dataclass(frozen=True)
class FaultRule:
    """One fault and where it applies. ``times=None`` means without limit."""

    kind: FaultKind
    path: str = "*"
    method: str | None = None
    times: int | None = None
    after: int = 0
    every: int = 1
    probability: float = 1.0
    seconds: float = 1.0
    status: int = 502
    at: str = "start"

    def __post_init__(self) -> None:
        problems = []
        if self.times is not None and self.times < 0:
            problems.append("times must be >= 0")
        if self.after < 0:
            problems.append("after must be >= 0")
        if self.every < 1:
            problems.append("every must be >= 1")
        if not 0.0 <= self.probability <= 1.0:
            problems.append("probability must be between 0 and 1")
        if self.seconds < 0:
            problems.append("seconds must be >= 0")
        if not 200 <= self.status <= 599:
            problems.append("status must be an HTTP status (200-599)")
        if self.at not in RESET_STAGES:
            problems.append(f"at must be one of {', '.join(RESET_STAGES)}")
        if problems:
            raise ConfigError(f"fault {self.spec}: {'; '.join(problems)}")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    def applies_to(self, method: str, path: str, full_path: str) -> bool:
        """``path`` is the part after ``/api/rest/v1/{account}``; ``full_path`` the whole."""
        if self.method is not None and self.method != method:
            return False
        return fnmatchcase(full_path if self.path.startswith("/api/") else path, self.path)

    @property
    def spec(self) -> str:
        """The rule written back in the ``--fault`` grammar."""
        parts = [f"path={self.path}"]
        defaults = FaultRule.__dataclass_fields__
        keys = ("method", "times", "after", "every", "probability", "seconds", "status", "at")
        for key in keys:
            value = getattr(self, key)
            if value != defaults[key].default:
                parts.append(f"{key}={value}")
        return f"{self.kind.value}:{','.join(parts)}"


def parse_fault_spec(spec: str) -> FaultRule:
    """``KIND[:key=value,...]`` → :class:`FaultRule`; ConfigError naming the bad part."""
    text = spec.strip()
    kind_text, _, options = text.partition(":")
    kind_name = kind_text.strip().lower()
    kind = _ALIASES.get(kind_name)
    if kind is None:
        try:
            kind = FaultKind(kind_name)
        except ValueError:
            known = ", ".join(k.value for k in FaultKind)
            raise ConfigError(f"fault {spec!r}: unknown kind {kind_text!r} ({known})") from None
    values: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in options.split(","))):
        key, separator, value = item.partition("=")
        key = key.strip().lower()
        if not separator:
            raise ConfigError(f"fault {spec!r}: {item!r} is not key=value")
        try:
            values[key] = _CONVERT[key](value.strip())
        except KeyError:
            known = ", ".join(sorted(_CONVERT))
            raise ConfigError(f"fault {spec!r}: unknown key {key!r} ({known})") from None
        except ValueError:
            raise ConfigError(f"fault {spec!r}: {key}={value.strip()!r} is not valid") from None
    return FaultRule(kind, **values)  # type: ignore[arg-type]


_CONVERT = {
    "path": str,
    "method": str,
    "times": int,
    "after": int,
    "every": int,
    "probability": float,
    "seconds": float,
    "status": int,
    "at": str,
}


@dataclass
class _Active:
    rule: FaultRule
    seen: int = 0
    fired: int = 0


class Faults:
    """The faults in force; thread-safe. ``sandbox.faults.add("503:times=2")``."""

    def __init__(self, seed: int = 1) -> None:
        self._lock = threading.Lock()
        self._active: list[_Active] = []
        self._seed = seed
        self._random = random.Random(seed)

    def add(self, *rules: FaultRule | str) -> None:
        parsed = [parse_fault_spec(r) if isinstance(r, str) else r for r in rules]
        with self._lock:
            self._active.extend(_Active(rule) for rule in parsed)

    def clear(self) -> None:
        with self._lock:
            self._active.clear()
            self._random = random.Random(self._seed)

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        with self._lock:
            return tuple(a.rule for a in self._active)

    def report(self) -> list[dict[str, object]]:
        with self._lock:
            return [{"spec": a.rule.spec, "seen": a.seen, "fired": a.fired} for a in self._active]

    def pick(self, method: str, path: str, full_path: str) -> FaultRule | None:
        """The fault to apply to this call, if any (the first rule that fires)."""
        with self._lock:
            for active in self._active:
                rule = active.rule
                if not rule.applies_to(method, path, full_path):
                    continue
                active.seen += 1
                # every=n fires on the n-th, 2n-th... call counted after the first ``after``.
                if active.seen <= rule.after or (active.seen - rule.after) % rule.every:
                    continue
                if rule.times is not None and active.fired >= rule.times:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                active.fired += 1
                return replace(rule)
        return None

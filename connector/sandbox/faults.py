"""Fault injection: chosen per path (and method), counted, reproducible with a seed.

A fault is written ``KIND[:key=value[,key=value...]]``, the same from Python, from
``--fault`` and from the admin API::

    503:path=/ExecutionRecord/*,times=3      a burst: the next three matching calls get 503
    latency:seconds=0.2,probability=0.5      half the calls wait 200 ms
    reset:path=*/queryMore,after=2           the third and later queryMore calls are reset
    reset:at=body,method=POST,times=1        the next POST is processed, its answer cut off
    html:status=504                          a gateway's HTML error page instead of the API
    repeat-token:path=*/queryMore,times=1    the next queryMore page repeats its own token

The kinds are :data:`KINDS` and the keys :data:`OPTIONS`: the parser reads them, and
``atomsphere sandbox --help`` lists them, from these tables, so grammar and help cannot drift
apart. A key that means nothing for a kind (``503:at=body``), a key given twice and a value out
of its range (``times=0``, ``seconds=nan``) are refused when the spec is read, so nothing a spec
holds can fail while a request is answered.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Final

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


#: What each kind does, as ``--help`` shows it.
KINDS: Final[Mapping[FaultKind, str]] = MappingProxyType(
    {
        FaultKind.LATENCY: "wait `seconds` before answering (the request is processed first)",
        FaultKind.BUSY: "503 with the rate-limit error body",
        FaultKind.RESET: "reset the connection (where: `at`)",
        FaultKind.TRUNCATE: "announce the whole body, send half of it",
        FaultKind.MALFORMED: "the answer's body cut, ending in '<' (status kept)",
        FaultKind.HTML: "a gateway's HTML error page with `status`",
        FaultKind.EXPIRE_TOKEN: "queryMore answers as if its token had expired (400)",
        FaultKind.REPEAT_TOKEN: "queryMore answers its page with the token it was asked with",
    }
)

#: Kinds that act on a queryMore answer only: elsewhere they would fire without effect, use up
#: their ``times`` and shadow the rules after them, so other calls skip them (not even ``seen``).
QUERY_MORE_KINDS: Final = frozenset({FaultKind.EXPIRE_TOKEN, FaultKind.REPEAT_TOKEN})

#: Other names a kind is accepted under.
ALIASES: Final[Mapping[str, FaultKind]] = MappingProxyType(
    {
        "busy": FaultKind.BUSY,
        "expired-token": FaultKind.EXPIRE_TOKEN,
        "repeated-token": FaultKind.REPEAT_TOKEN,
    }
)

#: Where a reset happens: before the request is processed, or part-way through the answer.
RESET_STAGES = ("start", "body")
#: The longest injected latency: an hour is past every client timeout worth testing, and a
#: longer (or non-finite) wait would only hold a server thread or overflow the sleep.
MAX_LATENCY_SECONDS: Final = 3600.0


def _number(text: str) -> float:
    """A finite float: ``nan``, ``inf`` and ``1e400`` (which reads as inf) are not values."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class FaultOption:
    """One ``key=value`` of the grammar. ``kinds`` lists the kinds the key means something for
    (empty: every kind), so a key that would be silently ignored is refused instead."""

    name: str
    read: Callable[[str], object]
    value: str
    meaning: str
    kinds: frozenset[FaultKind] = frozenset()

    def applies_to(self, kind: FaultKind) -> bool:
        return not self.kinds or kind in self.kinds

    def misplaced(self, kind: FaultKind) -> str:
        """Why this key is refused on ``kind``."""
        only = ", ".join(sorted(k.value for k in self.kinds))
        return f"option {self.name!r} does not apply to kind {kind.value!r} (only to {only})"


#: Every key, in the order ``--help`` lists them and :attr:`FaultRule.spec` writes them.
OPTIONS: Final = (
    FaultOption(
        "path",
        str,
        "GLOB",
        "the path after /api/rest/v1/{account}, or the whole path when it starts with /api/ "
        "(default *)",
    ),
    FaultOption("method", str, "METHOD", "only calls with this HTTP method"),
    FaultOption("times", int, "N", "fire at most n times (n >= 1; default: without limit)"),
    FaultOption("after", int, "N", "let n matching calls through first"),
    FaultOption("every", int, "N", "fire on the n-th, 2n-th... matching call (after `after`)"),
    FaultOption("probability", _number, "P", "fire with this chance (0..1), drawn from the seed"),
    FaultOption(
        "seconds",
        _number,
        "S",
        f"how long to wait (default 1, at most {MAX_LATENCY_SECONDS:g})",
        frozenset({FaultKind.LATENCY}),
    ),
    FaultOption(
        "status",
        int,
        "CODE",
        "the page's HTTP status (default 502; 200: a web page in place of the API)",
        frozenset({FaultKind.HTML}),
    ),
    FaultOption(
        "at",
        str,
        "|".join(RESET_STAGES),
        "start: before the request is processed (default); body: after it was processed, "
        "part-way through the answer, so the client cannot know whether it took effect",
        frozenset({FaultKind.RESET}),
    ),
)
_OPTIONS_BY_NAME: Final = {option.name: option for option in OPTIONS}
#: What a value that does not read is expected to be, by the option's reader.
_EXPECTED: Final[Mapping[Callable[[str], object], str]] = MappingProxyType(
    {int: "a whole number", _number: "a finite number"}
)


@dataclass(frozen=True)
class FaultRule:
    """One fault and where it applies. ``times=None`` means without limit (``times=0``, a rule
    that never fires, is refused: it is always a mistake)."""

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
        problems = _problems(self)
        if problems:
            raise _RuleError(problems, f"fault {self.spec}: {'; '.join(problems)}")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    def applies_to(
        self, method: str, path: str, full_path: str, *, query_more: bool = False
    ) -> bool:
        """``path`` is the part after ``/api/rest/v1/{account}``; ``full_path`` the whole;
        ``query_more``: the call is routed to a queryMore (the token kinds apply nowhere else)."""
        if self.method is not None and self.method != method:
            return False
        if self.kind in QUERY_MORE_KINDS and not query_more:
            return False
        return fnmatchcase(full_path if self.path.startswith("/api/") else path, self.path)

    @property
    def spec(self) -> str:
        """The rule written back in the ``--fault`` grammar."""
        parts = [f"path={self.path}"]
        defaults = FaultRule.__dataclass_fields__
        for option in OPTIONS:
            value = getattr(self, option.name)
            if option.name != "path" and value != defaults[option.name].default:
                parts.append(f"{option.name}={value}")
        return f"{self.kind.value}:{','.join(parts)}"


class _RuleError(ConfigError):
    """A rule's values out of range; ``problems`` lets the parser name the spec as written."""

    def __init__(self, problems: list[str], message: str) -> None:
        super().__init__(message)
        self.range_problems = problems


def _problems(rule: FaultRule) -> list[str]:
    """What is wrong with ``rule``'s values, one phrase per key."""
    problems = []
    if rule.times is not None and rule.times < 1:
        problems.append("times must be >= 1 (leave it out for no limit)")
    if rule.after < 0:
        problems.append("after must be >= 0")
    if rule.every < 1:
        problems.append("every must be >= 1")
    if not 0.0 <= rule.probability <= 1.0:  # also refuses nan
        problems.append("probability must be between 0 and 1")
    if not 0.0 <= rule.seconds <= MAX_LATENCY_SECONDS:  # also refuses nan
        problems.append(f"seconds must be between 0 and {MAX_LATENCY_SECONDS:g}")
    if not 200 <= rule.status <= 599:
        problems.append("status must be an HTTP status (200-599)")
    if rule.at not in RESET_STAGES:
        problems.append(f"at must be one of {', '.join(RESET_STAGES)}")
    defaults = FaultRule.__dataclass_fields__
    problems += [
        option.misplaced(rule.kind)
        for option in OPTIONS
        if not option.applies_to(rule.kind)
        and getattr(rule, option.name) != defaults[option.name].default
    ]
    return problems


def parse_fault_spec(spec: str) -> FaultRule:
    """``KIND[:key=value,...]`` → :class:`FaultRule`; ConfigError naming the bad part."""
    text = spec.strip()
    kind_text, _, options = text.partition(":")
    kind_name = kind_text.strip().lower()
    kind = ALIASES.get(kind_name)
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
        option = _OPTIONS_BY_NAME.get(key)
        if option is None:
            known = ", ".join(o.name for o in OPTIONS)
            raise ConfigError(f"fault {spec!r}: unknown key {key!r} ({known})")
        if not option.applies_to(kind):  # even at its default value: it would mean nothing
            raise ConfigError(f"fault {spec!r}: {option.misplaced(kind)}")
        if key in values:  # the last one winning would hide a typo
            raise ConfigError(f"fault {spec!r}: key {key!r} is given more than once")
        try:
            values[key] = option.read(value.strip())
        except ValueError:
            expected = _EXPECTED.get(option.read)
            why = f" (expected {expected})" if expected else ""
            raise ConfigError(
                f"fault {spec!r}: {key}={value.strip()!r} is not valid{why}"
            ) from None
    try:
        return FaultRule(kind, **values)  # type: ignore[arg-type]
    except _RuleError as exc:  # name the spec as the user wrote it
        raise ConfigError(f"fault {spec!r}: {'; '.join(exc.range_problems)}") from None


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

    def pick(
        self, method: str, path: str, full_path: str, *, query_more: bool = False
    ) -> FaultRule | None:
        """The fault to apply to this call, if any (the first rule that fires); ``query_more``
        says the call is routed to a queryMore, the only calls the token kinds apply to."""
        with self._lock:
            for active in self._active:
                rule = active.rule
                if not rule.applies_to(method, path, full_path, query_more=query_more):
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

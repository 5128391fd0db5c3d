"""Content negotiation: XML or JSON from an ``Accept`` header (RFC 9110 §12.5.1).

Each format takes the quality of the most specific media range that matches it (``application/
json`` over ``application/*`` over ``*/*``); the higher quality wins, and between equal ones the
range listed first. ``q=0`` refuses a format. XML is the default: with no header, with ``*/*``,
and when neither format is acceptable (RFC 9110 lets a server disregard the header then), unless
only XML was refused outright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

#: A format's media types (exact) and the wildcard ranges that cover them, by specificity.
_XML: Final = frozenset({"application/xml", "text/xml"})
_JSON: Final = frozenset({"application/json"})
_EXACT, _TYPE_WILDCARD, _ANY = 3, 2, 1


@dataclass(frozen=True)
class _Range:
    media: str
    quality: float
    position: int


def _ranges(accept: str) -> list[_Range]:
    """The header's media ranges; a range with a malformed ``q`` is left out, as unreadable."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        media = media.lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = math.nan
        if 0.0 <= quality <= 1.0:  # also drops nan
            ranges.append(_Range(media, quality, position))
    return ranges


def _specificity(media: str, exact: frozenset[str], suffix: str | None) -> int:
    """How closely ``media`` names a format (0: not at all)."""
    kind, _, subtype = media.partition("/")
    if media in exact or (suffix is not None and subtype.endswith(suffix)):
        return _EXACT
    if subtype == "*" and kind != "*" and any(m.startswith(f"{kind}/") for m in exact):
        return _TYPE_WILDCARD
    return _ANY if media == "*/*" else 0


def _score(ranges: list[_Range], exact: frozenset[str], suffix: str | None) -> tuple[float, int]:
    """(quality, -position) of the most specific matching range: (0, 0) when none matches, and
    (-1, 0) when it refuses the format (``q=0``), ranked below "not mentioned"."""
    best: _Range | None = None
    best_specificity = 0
    for media_range in ranges:
        specificity = _specificity(media_range.media, exact, suffix)
        if specificity > best_specificity or (
            specificity == best_specificity
            and best is not None
            and media_range.quality > best.quality
        ):
            best, best_specificity = media_range, specificity
    if best is None:
        return (0.0, 0)
    if best.quality == 0:
        return (-1.0, 0)
    return (best.quality, -best.position)


def prefers_json(accept: str) -> bool:
    """True when ``accept`` ranks JSON above XML."""
    ranges = _ranges(accept)
    if not ranges:
        return False
    # ``+json`` types (``application/vnd.api+json``) are JSON; the answer is application/json.
    return _score(ranges, _JSON, "+json") > _score(ranges, _XML, None)

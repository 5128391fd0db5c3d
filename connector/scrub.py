"""Keeping secrets out of what is written: messages, reports, archives and logs.

A connection scrubs its own messages with a :class:`Scrubber` of its secrets; the host also
writes documents, properties and exception text that a connector or a remote service may have
filled, so everything it records passes through one built from every secret of the process.

A secret rarely travels as itself only. A server may echo the request's ``Authorization``
header, where it is base64 inside ``user:secret``; a document may hold it XML-escaped
(``&amp;``, ``&#60;``) or JSON-escaped (``\\"``, ``\\u00e9``). The scrubber derives those forms
itself, so a host that knows a connector's secret values but not its auth scheme masks them too.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

MASK: Final = "***"

#: A secret shorter than this is masked only where it stands alone, not inside a longer word or
#: number: masking every "p" of a one-letter password would mangle each message ("attem***ts")
#: while hiding nothing a reader could tell apart from the word around it.
SHORT_SECRET: Final = 8
_WORD: Final = "0-9A-Za-z"

_XML_NAMED: Final = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
_JSON_SHORT: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def base64_forms(secret: str) -> Iterator[str]:
    """The base64 text a secret becomes inside a longer value (``user:secret`` of HTTP Basic),
    at each of the three byte offsets it may start at: only the characters its own bytes decide,
    and, for a secret that ends the value, the rest up to the padding."""
    raw = secret.encode("utf-8")
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        start = -(-8 * offset // 6)
        yield encoded[start : 8 * (offset + len(raw)) // 6]
        yield encoded[start:]


def _char(c: str) -> str:
    """A pattern for one character of a secret: itself, or any escaped form of it."""
    forms = [re.escape(c)]
    code = ord(c)
    if c in _XML_NAMED:
        forms += [f"&{_XML_NAMED[c]};", f"&#0*{code};", f"&#[xX]0*(?i:{code:x});"]
    if c in _JSON_SHORT:
        forms.append(re.escape(_JSON_SHORT[c]))
    if c in _JSON_SHORT or code < 0x20 or code > 0x7E:
        units = c.encode("utf-16-be")
        hexes = [units[i : i + 2].hex() for i in range(0, len(units), 2)]
        forms.append("".join(f"\\\\u(?i:{h})" for h in hexes))
    return forms[0] if len(forms) == 1 else "(?:" + "|".join(forms) + ")"


def _escapable(secret: str) -> bool:
    return any(_char(c) != re.escape(c) for c in secret)


class Scrubber:
    """Replaces each secret (longest first, so none is half-masked), and its base64, XML- and
    JSON-escaped forms, with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        given = {s for s in secrets if s}
        derived = {f for s in given for f in base64_forms(s) if len(f) >= SHORT_SECRET}
        values = sorted(given | derived, key=lambda s: (-len(s), s))
        # Long secrets by plain replacement (fast over big documents); short ones, and those
        # with characters that have escaped forms, by pattern (run first, so a plain secret
        # holding a patterned one is moved to the pattern too and never half-masked).
        patterned = [s for s in values if len(s) < SHORT_SECRET or _escapable(s)]
        self._long = tuple(
            s for s in values if s not in patterned and not any(p in s for p in patterned)
        )
        self._long_data = tuple(s.encode("utf-8") for s in self._long)
        parts = []
        for s in values:
            if s in self._long:
                continue
            body = "".join(_char(c) for c in s)
            parts.append(f"(?<![{_WORD}]){body}(?![{_WORD}])" if len(s) < SHORT_SECRET else body)
        pattern = "|".join(parts)
        self._pattern = re.compile(pattern) if pattern else None
        self._pattern_data = re.compile(pattern.encode("utf-8")) if pattern else None

    def text(self, value: str) -> str:
        if self._pattern is not None:
            value = self._pattern.sub(MASK, value)
        for secret in self._long:
            value = value.replace(secret, MASK)
        return value

    def data(self, value: bytes) -> bytes:
        if self._pattern_data is not None:
            value = self._pattern_data.sub(MASK.encode(), value)
        for secret in self._long_data:
            value = value.replace(secret, MASK.encode())
        return value

    def mapping(self, value: Mapping[str, str]) -> dict[str, str]:
        return {self.text(k): self.text(v) for k, v in value.items()}

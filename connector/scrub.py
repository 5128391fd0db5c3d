"""Keeping secrets out of what is written: messages, reports, archives and logs.

A connection scrubs its own messages with a :class:`Scrubber` of its secrets; the host also
writes documents, properties and exception text that a connector or a remote service may have
filled, so everything it records passes through one built from every secret of the process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

MASK: Final = "***"

#: A secret shorter than this is masked only where it stands alone, not inside a longer word or
#: number: masking every "p" of a one-letter password would mangle each message ("attem***ts")
#: while hiding nothing a reader could tell apart from the word around it.
SHORT_SECRET: Final = 8
_WORD: Final = "0-9A-Za-z"


class Scrubber:
    """Replaces each secret (longest first, so none is half-masked) with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = sorted({s for s in secrets if s}, key=lambda s: (-len(s), s))
        # Long secrets by plain replacement (fast over big documents), short ones by pattern.
        self._long = tuple(s for s in values if len(s) >= SHORT_SECRET)
        self._long_data = tuple(s.encode("utf-8") for s in self._long)
        short = "|".join(
            f"(?<![{_WORD}]){re.escape(s)}(?![{_WORD}])" for s in values if len(s) < SHORT_SECRET
        )
        self._short = re.compile(short) if short else None
        self._short_data = re.compile(short.encode("utf-8")) if short else None

    def text(self, value: str) -> str:
        for secret in self._long:
            value = value.replace(secret, MASK)
        return self._short.sub(MASK, value) if self._short is not None else value

    def data(self, value: bytes) -> bytes:
        for secret in self._long_data:
            value = value.replace(secret, MASK.encode())
        return self._short_data.sub(MASK.encode(), value) if self._short_data is not None else value

    def mapping(self, value: Mapping[str, str]) -> dict[str, str]:
        return {self.text(k): self.text(v) for k, v in value.items()}

"""Keeping secrets out of what is written: messages, reports, archives and logs.

A connection scrubs its own messages with a :class:`Scrubber` of its secrets; the host also
writes documents, properties and exception text that a connector or a remote service may have
filled, so everything it records passes through one built from every secret of the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

MASK: Final = "***"


class Scrubber:
    """Replaces each secret (longest first, so none is half-masked) with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {s for s in secrets if s}
        self._secrets = tuple(sorted(values, key=lambda s: (-len(s), s)))
        self._encoded = tuple(s.encode("utf-8") for s in self._secrets)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return value

    def data(self, value: bytes) -> bytes:
        for secret in self._encoded:
            value = value.replace(secret, MASK.encode())
        return value

    def mapping(self, value: Mapping[str, str]) -> dict[str, str]:
        return {self.text(k): self.text(v) for k, v in value.items()}

"""Boomi's document caches: documents an operation returned, kept by key for later steps.

A cache lives as long as one execution, like Boomi's process-scoped Document Cache component.
An operation with a Caching tab adds every document it returns successfully, under the key its
key parameter gives for that document; a lookup step reads the first document under a key.
"""

from __future__ import annotations

from collections import defaultdict

from connector.documents import Document


class DocumentCaches:
    """Named caches of documents by key (several documents may share a key)."""

    def __init__(self) -> None:
        self._caches: dict[str, defaultdict[str, list[Document]]] = {}

    def add(self, cache: str, key: str, document: Document) -> None:
        self._caches.setdefault(cache, defaultdict(list))[key].append(document)

    def get(self, cache: str, key: str) -> tuple[Document, ...]:
        entries = self._caches.get(cache)
        return tuple(entries.get(key, ())) if entries is not None else ()

    def size(self, cache: str) -> int:
        return sum(len(docs) for docs in self._caches.get(cache, {}).values())

"""Where records live: the seed (generated, never stored) under an overlay of changes.

Every collection is a deterministic seed source (eager for small collections, lazy for the large
log-like ones, whose record *i* is generated from the seed and *i* on demand) plus an overlay of
creates, updates and deletes. The overlay lives in memory, or is written through to SQLite
(:mod:`connector.sandbox.persist`) so a restart with the same seed sees the same state.
Positions order a scan: seed records first (by index), then created records by creation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from connector.sandbox.shapes import Record


class SeedSource(Protocol):
    """The generated records of one collection, addressable by index and by key."""

    def __len__(self) -> int: ...

    def key(self, index: int) -> str: ...

    def record(self, index: int) -> Record: ...

    def index_of(self, key: str) -> int | None: ...


class EagerSeed:
    """A small collection generated up front."""

    def __init__(self, records: Sequence[Record], keys: Sequence[str]) -> None:
        self._records = list(records)
        self._keys = list(keys)
        self._index = {k: i for i, k in enumerate(self._keys)}

    def __len__(self) -> int:
        return len(self._records)

    def key(self, index: int) -> str:
        return self._keys[index]

    def record(self, index: int) -> Record:
        return _copy(self._records[index])

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)


class LazySeed:
    """A large collection: record *i* is made on demand from *i* (and the seed), never kept."""

    def __init__(
        self, count: int, key: Callable[[int], str], make: Callable[[int], Record]
    ) -> None:
        self._count = count
        self._key = key
        self._make = make
        self._index: dict[str, int] | None = None

    def __len__(self) -> int:
        return self._count

    def key(self, index: int) -> str:
        return self._key(index)

    def record(self, index: int) -> Record:
        return self._make(index)

    def index_of(self, key: str) -> int | None:
        if self._index is None:  # built on the first lookup by key only
            self._index = {self._key(i): i for i in range(self._count)}
        return self._index.get(key)


class Backend(Protocol):
    """Where overlay changes go (memory: nowhere; SQLite: a file)."""

    def save(self, collection: str, key: str, position: int, record: Record | None) -> None: ...

    def load(self) -> Iterator[tuple[str, str, int, Record | None]]: ...

    def counter(self, name: str, value: int | None = None) -> int: ...

    def close(self) -> None: ...


class MemoryBackend:
    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def save(self, collection: str, key: str, position: int, record: Record | None) -> None:
        return None

    def load(self) -> Iterator[tuple[str, str, int, Record | None]]:
        return iter(())

    def counter(self, name: str, value: int | None = None) -> int:
        if value is not None:
            self._counters[name] = value
        return self._counters.get(name, 0)

    def close(self) -> None:
        return None


@dataclass
class Collection:
    """One object's records: a seed source under an overlay of changes."""

    name: str
    seed: SeedSource
    backend: Backend
    #: key → (position, record or None when deleted)
    changes: dict[str, tuple[int, Record | None]] = field(default_factory=dict)
    #: keys of created records, by position - len(seed)
    created: list[str] = field(default_factory=list)

    def get(self, key: str) -> Record | None:
        change = self.changes.get(key)
        if change is not None:
            return _copy(change[1]) if change[1] is not None else None
        index = self.seed.index_of(key)
        return self.seed.record(index) if index is not None else None

    def exists(self, key: str) -> bool:
        change = self.changes.get(key)
        if change is not None:
            return change[1] is not None
        return self.seed.index_of(key) is not None

    def put(self, key: str, record: Record) -> None:
        """Create or replace the record under ``key``."""
        change = self.changes.get(key)
        if change is not None:
            position = change[0]
        else:
            index = self.seed.index_of(key)
            if index is not None:
                position = index
            else:
                position = len(self.seed) + len(self.created)
                self.created.append(key)
        self.changes[key] = (position, _copy(record))
        self.backend.save(self.name, key, position, record)

    def delete(self, key: str) -> bool:
        if not self.exists(key):
            return False
        change = self.changes.get(key)
        index = self.seed.index_of(key)
        position = change[0] if change is not None else (index if index is not None else -1)
        self.changes[key] = (position, None)
        self.backend.save(self.name, key, position, None)
        return True

    def restore(self, key: str, position: int, record: Record | None) -> None:
        """Re-apply a change loaded from the backend (no write-back)."""
        self.changes[key] = (position, record)
        offset = position - len(self.seed)
        if offset >= 0:
            while len(self.created) <= offset:
                self.created.append("")
            self.created[offset] = key

    def scan(self, start: int = 0) -> Iterator[tuple[int, str, Record]]:
        """(position, key, record) from ``start`` on, deleted records skipped."""
        size = len(self.seed)
        for index in range(start, size):
            key = self.seed.key(index)
            change = self.changes.get(key)
            if change is None:
                yield index, key, self.seed.record(index)
            elif change[1] is not None:
                yield index, key, _copy(change[1])
        for offset in range(max(0, start - size), len(self.created)):
            key = self.created[offset]
            change = self.changes.get(key)
            if key and change is not None and change[1] is not None:
                yield size + offset, key, _copy(change[1])

    def first_key(self) -> str | None:
        for _, key, _record in self.scan():
            return key
        return None


class Store:
    """Every collection, created on first use from the seed sources it is given."""

    def __init__(self, seeds: Callable[[str], SeedSource], backend: Backend) -> None:
        self._seeds = seeds
        self.backend = backend
        self._collections: dict[str, Collection] = {}
        self._pending: dict[str, list[tuple[str, int, Record | None]]] = {}
        for name, key, position, record in backend.load():
            self._pending.setdefault(name, []).append((key, position, record))

    def collection(self, name: str) -> Collection:
        return self._collection(name, None)

    def private(self, name: str) -> Collection:
        """A collection of the sandbox's own bookkeeping (no seed, no API object), kept in the
        backend like records so it survives a restart of a data file."""
        return self._collection(f"#{name}", EagerSeed((), ()))

    def _collection(self, name: str, seed: SeedSource | None) -> Collection:
        found = self._collections.get(name)
        if found is None:
            found = Collection(name, seed if seed is not None else self._seeds(name), self.backend)
            for key, position, record in sorted(self._pending.pop(name, []), key=lambda c: c[1]):
                found.restore(key, position, record)
            self._collections[name] = found
        return found

    def next_number(self, name: str, start: int) -> int:
        """A persistent counter (folder, branch and merge-request numbers...)."""
        value = max(self.backend.counter(name), start) + 1
        self.backend.counter(name, value)
        return value

    def close(self) -> None:
        self.backend.close()


def _copy(record: Record) -> Record:
    out: Record = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out[key] = _copy(value)
        elif isinstance(value, list):
            out[key] = [_copy(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out

"""Documents between steps, kept on disk.

A Query may return far more records than fit in memory, so a step's outputs stream into a spool
file as the connector produces them (``on_output``), in input order (:class:`InputOrder`), and
the next step reads them back a batch at a time. Each record is the document (bytes, properties,
dynamic operation properties), the status it flows with, and the index of the input it answered.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Final

from connector.documents import Document, Status

_HEADER: Final = struct.Struct("<II")  # meta length, data length


@dataclass(frozen=True)
class Flowing:
    """A document on its way to the next step, with the status it carries (what a route reads)
    and the index of the input document it came from."""

    document: Document
    status: Status = Status.SUCCESS
    origin: int = 0


class Spool:
    """An append-only file of :class:`Flowing` documents, readable as many times as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: BinaryIO | None = path.open("wb")

    def append(self, item: Flowing) -> None:
        if self._file is None:
            raise ValueError(f"spool {self.path.name} is closed")
        doc = item.document
        meta = json.dumps(
            {
                "p": dict(doc.properties),
                "d": dict(doc.dynamic_operation_properties),
                "s": item.status.value,
                "o": item.origin,
            },
            separators=(",", ":"),
        ).encode("utf-8")
        self._file.write(_HEADER.pack(len(meta), len(doc.data)))
        self._file.write(meta)
        self._file.write(doc.data)
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        """Close and delete the file: its documents have been copied on."""
        self.close()
        self.path.unlink(missing_ok=True)

    def __iter__(self) -> Iterator[Flowing]:
        self.close()
        with self.path.open("rb") as stream:
            while header := stream.read(_HEADER.size):
                meta_len, data_len = _HEADER.unpack(header)
                meta = json.loads(stream.read(meta_len))
                data = stream.read(data_len)
                yield Flowing(Document(data, meta["p"], meta["d"]), Status(meta["s"]), meta["o"])


class InputOrder:
    """Puts a batch's outputs into a spool in input order, whatever order they arrive in.

    A connector answering concurrently produces outputs in completion order; the next steps (and
    a write step's default file names) must not depend on it. The outputs of the first input not
    yet answered go straight to the spool, so a query's single input keeps streaming; those of
    a later input wait in a spool file of their own, on disk, until every input before it is
    answered. Not thread-safe by itself: :class:`~connector.documents.OperationResponse` calls
    its listeners one at a time, under its lock.
    """

    def __init__(self, spool: Spool, folder: SpoolFolder) -> None:
        self.spool = spool
        self.folder = folder
        self._head = 0  # the first input not answered yet
        self._answered: set[int] = set()
        self._waiting: dict[int, Spool] = {}

    def add(self, index: int, item: Flowing) -> None:
        """One output of input ``index``, in the order the connector produced them."""
        if index == self._head:
            self.spool.append(item)
            return
        if index not in self._waiting:
            self._waiting[index] = self.folder.new()
        self._waiting[index].append(item)

    def answered(self, index: int) -> None:
        """Input ``index`` has its answer: no more outputs come for it."""
        self._answered.add(index)
        while self._head in self._answered:
            self._answered.discard(self._head)
            self._head += 1
            waiting = self._waiting.pop(self._head, None)
            if waiting is not None:
                for item in waiting:
                    self.spool.append(item)
                waiting.discard()


class SpoolFolder:
    """Names fresh spool files in one temporary folder for the execution."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._spools: list[Spool] = []

    def new(self) -> Spool:
        spool = Spool(self.folder / f"{len(self._spools) + 1:06d}.spool")
        self._spools.append(spool)
        return spool

    def close(self) -> None:
        for spool in self._spools:
            spool.close()


Transform = Callable[[Flowing], Flowing | None]


class Stream:
    """What one step hands the next: a spool, seen through a transform that may drop or change
    documents (applying the answers of the step that produced them)."""

    def __init__(self, spool: Spool, transform: Transform | None = None) -> None:
        self.spool = spool
        self.transform = transform

    def __iter__(self) -> Iterator[Flowing]:
        for item in self.spool:
            changed = self.transform(item) if self.transform else item
            if changed is not None:
                yield changed

    def batches(self, size: int) -> Iterator[list[Flowing]]:
        """Lists of at most ``size`` documents (all of them at once when ``size`` is 0)."""
        items = iter(self)
        while batch := list(islice(items, size) if size else items):
            yield batch
            if not size:
                return

    def is_empty(self) -> bool:
        return next(iter(self), None) is None

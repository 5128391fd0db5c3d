"""Boomi's Archiving tab: a copy of each document passing an operation, in a folder.

Boomi names archived files from the date and time, the document index, the operation name and a
unique number, with a ``.dat`` extension. The host keeps that order and puts underscores between
the parts so they can be told apart: ``20240501T083000123Z_3_get-account_1.dat``. The archive
holds the documents process reporting tracks for the step (input or output, per its tracking
direction), scrubbed of connection secrets like every other record the host keeps, and the index
is the document's number there (from 1, the ``#`` of ``atomsphere execution``), so
``atomsphere document EXEC_ID 3`` prints what ``..._3_...`` holds.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from connector.host.paths import ARCHIVE_ROOM, check_file_name, make_folder
from connector.scrub import Scrubber

EXTENSION: Final = ".dat"
TIME_FORMAT: Final = "%Y%m%dT%H%M%S"


def archive_name(when: datetime, index: int, operation: str, unique: int) -> str:
    """``<date time>_<document index>_<operation name>_<unique number>.dat``."""
    stamp = when.astimezone(UTC)
    millis = stamp.microsecond // 1000
    return f"{stamp.strftime(TIME_FORMAT)}{millis:03d}Z_{index}_{operation}_{unique}{EXTENSION}"


class Archiver:
    """Writes one operation's documents into its archive folder; never overwrites a file."""

    def __init__(self, folder: Path, operation: str, scrubber: Scrubber) -> None:
        self.folder = folder
        self.operation = check_file_name(operation, "operation name", room=ARCHIVE_ROOM)
        self.scrubber = scrubber
        self._unique = itertools.count(1)
        make_folder(self.folder)

    def archive(self, index: int, data: bytes, when: datetime | None = None) -> Path:
        """Write ``data`` as document ``index``; returns the file written."""
        moment = when or datetime.now(UTC)
        content = self.scrubber.data(data)
        while True:
            path = self.folder / archive_name(moment, index, self.operation, next(self._unique))
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            return path

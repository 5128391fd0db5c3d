"""Where the host may write: folders without ``..``, plain file names, and no symbolic links.

Archive folders, write folders and file names come from files users edit and from document
contents (a file name taken from a document property). None of them may climb out of the folder
the user chose, so ``..`` segments and separators are refused rather than normalised away, and a
file is never written through a symbolic link someone left in the folder.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Final

from connector.errors import ConfigError

_BAD_NAME: Final = re.compile(r"[\x00-\x1f/\\:]")
MAX_NAME: Final = 200


def check_folder(folder: str, what: str) -> Path:
    """``folder`` as a path, refused when any segment is ``..``."""
    for flavour in (PurePosixPath(folder), PureWindowsPath(folder)):
        if ".." in flavour.parts:
            raise ConfigError(
                f"{what} {folder!r} must not contain '..': give a path below the file's folder, "
                "or an absolute path"
            )
    return Path(folder)


def check_file_name(name: str, what: str) -> str:
    """``name`` when it is a plain file name: no folders, no ``..``, no control characters."""
    if not name or name in (".", "..") or _BAD_NAME.search(name) or len(name) > MAX_NAME:
        raise ConfigError(
            f"{what} {name[:MAX_NAME]!r} is not a plain file name (no folders, '..', ':', "
            f"control characters; at most {MAX_NAME} characters)"
        )
    return name


def resolve_under(base: Path, folder: Path) -> Path:
    """``folder`` made absolute against ``base`` (absolute folders stay as they are)."""
    return folder if folder.is_absolute() else base / folder


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing a file), refusing when ``path`` is a symbolic link.

    ``O_NOFOLLOW`` makes the refusal atomic: a link planted between a check and the write cannot
    redirect the bytes outside the folder.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(
                f"{path} is a symbolic link: refusing to write through it (it may point outside "
                "the folder)"
            ) from None
        raise
    with os.fdopen(fd, "wb") as out:
        out.write(data)

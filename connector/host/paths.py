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
from enum import StrEnum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Final

from connector.errors import ConfigError

_BAD_NAME: Final = re.compile(r"[\x00-\x1f/\\:]")
#: File systems limit a name to 255 bytes (not characters: "日" takes three in UTF-8); a
#: ``unique`` write may add ``-9999`` before the extension.
MAX_NAME: Final = 250
#: Bytes an archive file's name adds to the operation name: date and time, index, unique number.
ARCHIVE_ROOM: Final = 64
#: How much of a refused name a message shows.
_SHOWN: Final = 60


def check_folder(folder: str, what: str) -> Path:
    """``folder`` as a path, refused when any segment is ``..``."""
    for flavour in (PurePosixPath(folder), PureWindowsPath(folder)):
        if ".." in flavour.parts:
            raise ConfigError(
                f"{what} {folder!r} must not contain '..': give a path below the file's folder, "
                "or an absolute path"
            )
    return Path(folder)


def check_file_name(name: str, what: str, room: int = 0) -> str:
    """``name`` when it is a plain file name: no folders, no ``..``, no control characters, and
    short enough in UTF-8 bytes to leave ``room`` bytes for what is added to it."""
    limit = MAX_NAME - room
    too_long = len(name.encode("utf-8", "surrogatepass")) > limit
    if not name or name in (".", "..") or _BAD_NAME.search(name) or too_long:
        shown = name if len(name) <= _SHOWN else name[:_SHOWN] + "…"
        raise ConfigError(
            f"{what} {shown!r} is not a plain file name (no folders, '..', ':', "
            f"control characters; at most {limit} bytes in UTF-8)"
        )
    return name


def make_folder(folder: Path) -> None:
    """Create a folder the host writes in (a write step's, an archive's); a file in its place
    is named as such, not "File exists"."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        where = exc.filename or str(folder)
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", where) from None
    except OSError as exc:
        where = exc.filename or str(folder)
        raise OSError(exc.errno, f"cannot create the folder: {exc.strerror}", where) from None


def resolve_under(base: Path, folder: Path) -> Path:
    """``folder`` made absolute against ``base`` (absolute folders stay as they are)."""
    return folder if folder.is_absolute() else base / folder


class IfExists(StrEnum):
    """What a write does when its file is already there (Boomi's Disk connector offers the
    same choice)."""

    OVERWRITE = "overwrite"
    UNIQUE = "unique"  # NAME-1.xml, NAME-2.xml, ... the first that is free
    ERROR = "error"


#: How many ``-N`` suffixes a unique write tries before giving up.
MAX_UNIQUE: Final = 10_000


def write_file(path: Path, data: bytes, if_exists: IfExists = IfExists.OVERWRITE) -> Path:
    """Write ``data`` to ``path`` (or, with ``unique``, the first free ``STEM-N.SUFFIX``);
    returns the path written. A symbolic link at the target is refused, never followed.

    ``O_NOFOLLOW`` makes the refusal atomic, and ``O_EXCL`` the existence check: a link or file
    planted between a check and the write cannot redirect or clobber the bytes.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_TRUNC if if_exists is IfExists.OVERWRITE else os.O_EXCL
    tries = MAX_UNIQUE if if_exists is IfExists.UNIQUE else 1
    for n in range(tries):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}") if n else path
        try:
            fd = os.open(candidate, flags, 0o644)
        except FileExistsError:
            if if_exists is IfExists.ERROR:
                raise ConfigError(
                    f"{candidate} exists already (if_exists: error; use overwrite or unique)"
                ) from None
            if candidate.is_symlink():
                raise _symlink(candidate) from None
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _symlink(candidate) from None
            raise
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return candidate
    raise ConfigError(f"{path}: no free name among {MAX_UNIQUE} numbered ones")


def _symlink(path: Path) -> ConfigError:
    return ConfigError(
        f"{path} is a symbolic link: refusing to write through it (it may point outside the folder)"
    )

"""The SQLite backend behind ``--data FILE``: the overlay of changes, and a few counters.

Only changes are stored (the seed is regenerated from the seed number), so a file stays small
however large ``--records`` is. The file remembers the seed, the record count and the account
it was made with; opening it with others would lay the same changes over different data, so it
is refused, as is an SQLite file with tables of its own (another program's database).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from connector.errors import ConfigError
from connector.sandbox.shapes import Record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    body TEXT,
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
_OWN_TABLES: Final = frozenset({"meta", "records", "counters"})
#: Identity keys older files lack (they are recorded when such a file is next opened).
_ADDED_LATER: Final = frozenset({"account-id"})


class SQLiteBackend:
    def __init__(self, path: Path, identity: dict[str, str]) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            tables = {row[0] for row in self._db.execute(_TABLES)}
            if tables - _OWN_TABLES or (tables and "meta" not in tables):
                self._db.close()
                raise ConfigError(
                    f"{path}: not a sandbox data file (it holds the tables "
                    f"{', '.join(sorted(tables))}); use a new file or one the sandbox made"
                )
            self._db.executescript(_SCHEMA)
            stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise ConfigError(f"{path}: cannot open the sandbox data file: {exc}") from None
        if not stored:
            self._db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(identity.items()))
            return
        for key, value in identity.items():
            if key not in stored and key in _ADDED_LATER:
                # A file made before the key was recorded: it is adopted by its first user.
                self._db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            elif stored.get(key) != value:
                self._db.close()
                raise ConfigError(
                    f"{path}: made with {key} {stored.get(key)}, not {value}; use the same "
                    f"value or another file"
                )

    def save(self, collection: str, key: str, position: int, record: Record | None) -> None:
        body = None if record is None else json.dumps(record, sort_keys=True)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                (collection, key, position, body),
            )

    def load(self) -> Iterator[tuple[str, str, int, Record | None]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT collection, key, position, body FROM records ORDER BY position"
            ).fetchall()
        for collection, key, position, body in rows:
            yield collection, key, position, None if body is None else json.loads(body)

    def counter(self, name: str, value: int | None = None) -> int:
        with self._lock:
            if value is not None:
                self._db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))
                return value
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

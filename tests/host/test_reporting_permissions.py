"""The reporting database holds the documents the archive holds, and is as private: 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from connector.host.reporting import connect


def test_the_reporting_database_and_its_wal_are_created_for_their_owner_only(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        database = tmp_path / "state" / "reporting.db"
        db = connect(database, create=True)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS probe (x)")
            db.execute("INSERT INTO probe VALUES (1)")
            wal = database.with_name(database.name + "-wal")
            shm = database.with_name(database.name + "-shm")
            assert wal.exists() and shm.exists()
            for path in (database, wal, shm):
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        finally:
            db.close()
    finally:
        os.umask(old)

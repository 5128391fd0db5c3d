"""Boomi's Archiving tab: each document passing the operation is written to its folder, named
<date time>_<document index>_<operation name>_<unique number>.dat, the index being the
document's # in process reporting."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector.errors import ConfigError
from connector.host.archive import Archiver, archive_name
from connector.host.reporting import connect, tracked_document
from connector.scrub import Scrubber
from tests.host.conftest import Runner, write

NAME = re.compile(r"^(\d{8}T\d{9}Z)_(\d+)_(fetch)_(\d+)\.dat$")

PROCESS = """
kind: Process
version: 1
name: archiving
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: hush-hush}}
start:
  documents:
    - {data: "<in n='0'/>", properties: {thingId: a}}
    - {data: "<in n='1' secret='hush-hush'/>", properties: {thingId: b}}
steps:
  - name: Fetch
    operation: ops/fetch.yaml
    tracking: DIRECTION
  - name: Deliver
    write: {folder: out}
"""


def _archiving_operation(tmp_path: Path, action: str, fanout: int) -> None:
    """ops/fetch.yaml: ``fanout`` outputs per input, archived in ops/archive."""
    operation = f"""
kind: FakeOperation
name: fetch
action: {action}
behaviour: {{fanout: {fanout}}}
archiving: {{enabled: true, directory: archive}}
"""
    write(tmp_path, "ops/fetch.yaml", operation)


@pytest.mark.parametrize("direction", ["input", "output"])
def test_archived_files_hold_the_tracked_documents_named_as_boomi_names_them(
    tmp_path: Path, run: Runner, direction: str
) -> None:
    _archiving_operation(tmp_path, "GET", fanout=2)
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", direction))
    before = datetime.now(UTC).replace(microsecond=0)
    report = run()

    files = sorted((tmp_path / "ops" / "archive").iterdir(), key=lambda p: NAME.match(p.name)[2])
    parts = [NAME.match(p.name) for p in files]
    assert all(parts), [p.name for p in files]
    stamps = {datetime.strptime(m[1], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC) for m in parts}
    assert all(stamp >= before for stamp in stamps)
    assert len({m[4] for m in parts}) == len(parts), "unique numbers"
    contents = [p.read_bytes() for p in files]
    # The index is the document's # in the report (from 1; the start step's two come first).
    numbers = [int(m[2]) for m in parts]
    assert numbers == [d.index for d in report.documents_of("Fetch")]
    for number, content in zip(numbers, contents, strict=True):
        assert tracked_document(report.db, report.execution.id, number)[1] == content
    if direction == "input":
        assert numbers == [3, 4]
        assert contents == [b"<in n='0'/>", b"<in n='1' secret='***'/>"]
    else:
        assert numbers == [3, 4, 5, 6]
        assert contents[0] == b'<thing id="a" n="0" by="fetch" start="no"/>'
        assert contents[3] == b'<thing id="b" n="1" by="fetch" start="no"/>'
    delivered = sorted(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert len(delivered) == 4, "archiving copies; documents still flow on"


def test_an_archive_never_overwrites_a_file(tmp_path: Path) -> None:
    when = datetime(2024, 5, 1, 8, 30, 0, 123000, tzinfo=UTC)
    assert archive_name(when, 3, "get-account", 1) == "20240501T083000123Z_3_get-account_1.dat"
    first = Archiver(tmp_path, "get-account", Scrubber(()))
    second = Archiver(tmp_path, "get-account", Scrubber(()))
    paths = [first.archive(3, b"one", when), second.archive(3, b"two", when)]
    assert [p.name for p in paths] == [
        "20240501T083000123Z_3_get-account_1.dat",
        "20240501T083000123Z_3_get-account_2.dat",
    ]
    assert [p.read_bytes() for p in paths] == [b"one", b"two"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", "c:evil", "tab\there"])
def test_an_operation_name_that_is_not_a_plain_file_name_cannot_archive(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ConfigError, match="is not a plain file name"):
        Archiver(tmp_path, name, Scrubber(()))


def test_an_archiving_operation_whose_name_is_not_a_file_name_is_refused_at_load(
    tmp_path: Path, run: Runner
) -> None:
    write(
        tmp_path,
        "ops/fetch.yaml",
        """
kind: FakeOperation
name: ../../fetch
action: GET
archiving: {directory: archive}
""",
    )
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", "input"))
    with pytest.raises(
        ConfigError,
        match=r"steps\[0\].operation: operation name \(archive files "
        r"carry it\) '../../fetch' is not a plain file name",
    ):
        run()


@pytest.mark.parametrize("direction", ["input", "output"])
def test_a_document_is_archived_only_once_process_reporting_holds_it(
    tmp_path: Path, run: Runner, direction: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed at any moment leaves no archive file for a document the report lacks: each
    file is written after the commit that records its document (a query's streamed outputs
    included, which otherwise wait to be committed in groups)."""
    _archiving_operation(tmp_path, "QUERY", fanout=3)
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", direction))
    committed_when_archived: list[bool] = []
    original = Archiver.archive

    def checked(self: Archiver, index: int, data: bytes, when: datetime | None = None) -> Path:
        reader = connect(tmp_path / "reporting.db", create=False)  # sees committed rows only
        try:
            row = reader.execute("SELECT 1 FROM documents WHERE idx = ?", (index,)).fetchone()
        finally:
            reader.close()
        committed_when_archived.append(row is not None)
        return original(self, index, data, when)

    monkeypatch.setattr(Archiver, "archive", checked)
    run()
    assert committed_when_archived == [True] * (2 if direction == "input" else 6)


def test_an_archive_folder_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "arch").write_text("a file where the folder should be")
    with pytest.raises(NotADirectoryError) as caught:
        Archiver(tmp_path / "arch", "fetch", Scrubber(()))
    assert (caught.value.filename, caught.value.strerror) == (
        str(tmp_path / "arch"),
        "exists and is not a folder",
    )


def test_an_operation_name_too_long_in_bytes_for_an_archive_file_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match=r"at most 186 bytes in UTF-8"):
        Archiver(tmp_path, "日" * 70, Scrubber(()))
    Archiver(tmp_path, "日" * 62, Scrubber(())).archive(1, b"<a/>")

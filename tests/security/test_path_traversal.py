"""Names and folders that try to leave the intended folder are refused, and a test snapshots the
whole temporary tree to prove nothing was written anywhere else: the host's write step (names
from document properties), archiving, ``atomsphere run --output``, the designer's save and the
wizard's ``--name``. A symbolic link planted where a file will be written is never followed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector.atomsphere.connection import Connection, Secret
from connector.cli import main
from connector.designer.workspace import DesignerWorkspace, Target
from connector.errors import ConfigError
from connector.host import StopReason, load_process, run_process
from connector.host.archive import Archiver, archive_name
from connector.plugins import get_plugin_manager
from connector.scrub import Scrubber
from tests.client.fakeapi import NS, FakeApi, xml
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, write_operation
from tests.security.hostile import changed_outside, one_line_error, snapshot
from tests.wizard.helpers import run_import

#: File names a document property may carry, each of which must be refused.
BAD_NAMES = {
    "parent": "../evil.xml",
    "deep-parent": "../../../../evil.xml",
    "absolute": "{outside}/evil.xml",
    "folder": "sub/evil.xml",
    "backslash": "..\\\\evil.xml",
    "dot-dot": "..",
    "nul": "evil\\0.xml",
    "newline": "evil\\n.xml",
    "drive": "c:evil.xml",
}


def _write_process(work: Path, name: str) -> Path:
    process = work / "process.yaml"
    process.write_text(
        "kind: Process\nversion: 1\nname: writes\nconnections: {}\n"
        "start:\n  documents:\n"
        '    - {data: "<ok/>", properties: {target: fine.xml}}\n'
        f'    - {{data: "<evil/>", properties: {{target: "{name}"}}}}\n'
        "steps:\n  - name: Deliver\n"
        "    write: {folder: out, file_name: {from: document_property, name: target}}\n",
        "utf-8",
    )
    return process


@pytest.mark.parametrize("kind", sorted(BAD_NAMES))
def test_the_write_step_refuses_names_that_leave_its_folder(tmp_path: Path, kind: str) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    process = _write_process(work, BAD_NAMES[kind].format(outside=outside))
    before = snapshot(tmp_path)
    pm = get_plugin_manager()
    result = run_process(load_process(process, pm), pm, database=tmp_path / "db" / "r.db")
    assert result.stopped_by is StopReason.HOST_ERROR
    assert "is not a plain file name" in result.message and "\n" not in result.message
    assert changed_outside(before, snapshot(tmp_path), "work/out", "db") == []
    assert sorted(p.name for p in (work / "out").iterdir()) == ["fine.xml"]


def test_the_write_step_never_writes_through_a_planted_symbolic_link(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    (work / "out").mkdir(parents=True)
    outside.mkdir()
    (outside / "victim.txt").write_text("precious")
    (work / "out" / "trap.xml").symlink_to(outside / "victim.txt")
    process = _write_process(work, "trap.xml")
    before = snapshot(tmp_path)
    pm = get_plugin_manager()
    result = run_process(load_process(process, pm), pm, database=tmp_path / "db" / "r.db")
    assert result.stopped_by is StopReason.HOST_ERROR
    assert "trap.xml is a symbolic link: refusing to write through it" in result.message
    assert (outside / "victim.txt").read_text() == "precious"
    assert changed_outside(before, snapshot(tmp_path), "work/out", "db") == []


def test_archiving_never_writes_through_a_planted_symbolic_link(tmp_path: Path) -> None:
    folder, victim = tmp_path / "archive", tmp_path / "victim.txt"
    folder.mkdir()
    victim.write_text("precious")
    when = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    (folder / archive_name(when, 1, "fetch", 1)).symlink_to(victim)
    before = snapshot(tmp_path)
    written = Archiver(folder, "fetch", Scrubber(["hush"])).archive(1, b"<doc hush/>", when)
    assert written == folder / archive_name(when, 1, "fetch", 2)
    assert written.read_bytes() == b"<doc ***/>"
    assert victim.read_text() == "precious"
    assert changed_outside(before, snapshot(tmp_path), "archive") == []


@pytest.mark.parametrize("name", ["../escape", "/etc/escape", "a/b", "..", "nul\0", "x\ny"])
def test_an_archive_file_name_cannot_carry_a_path(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match="is not a plain file name"):
        Archiver(tmp_path / "archive", name, Scrubber([]))


def _run_inputs(tmp_path: Path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "doc.xml").write_text("<request/>")
    (inputs / "doc.xml.properties.json").write_text(json.dumps({"processId": "p1"}))
    return inputs


def test_run_output_never_writes_through_a_planted_symbolic_link(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious")
    (out / "input-00001-output-00001.xml").symlink_to(victim)
    inputs = _run_inputs(tmp_path)
    before = snapshot(tmp_path)
    # The document whose output could not be written is answered FAILURE, with the reason.
    assert main(["run", str(op), "--input", str(inputs), "--output", str(out)]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "FAILURE: " in err and "is a symbolic link: refusing to write through it" in err
    assert "0 output documents in" in err  # the refused output is not counted as written
    assert victim.read_text() == "precious"
    assert changed_outside(before, snapshot(tmp_path), "out") == []


def test_run_output_that_is_a_file_is_one_error_line(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    (tmp_path / "taken").write_text("a file")
    inputs = _run_inputs(tmp_path)
    before = snapshot(tmp_path)
    assert main(["run", str(op), "--input", str(inputs), "--output", str(tmp_path / "taken")]) == 2
    assert "cannot create the output folder" in one_line_error(capsys.readouterr().err)
    assert snapshot(tmp_path) == before
    assert api_env.requests == []


NAMES = ["../escape", "../../escape", "/tmp/escape", "a/b", "a\\b", "x\n", "x\0", ".hidden", ""]


@pytest.mark.parametrize("name", NAMES)
def test_the_designer_saves_no_operation_under_a_name_that_leaves_its_folder(
    tmp_path: Path, name: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    connection = Connection("acct", "user", Secret("pw"), base_url="http://127.0.0.1:9")
    workspace = DesignerWorkspace(work, connection, Target("sandbox", "x"), get_plugin_manager())
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match="operation name"):
        workspace.save_operation(name, {"action": "GET", "object": "Account"})
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", [n for n in NAMES if n])  # (an empty --name is the default)
def test_the_wizard_refuses_a_name_that_leaves_its_folder(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(tmp_path)
    code = run_import(
        "--offline",
        *("--action", "GET", "--object", "Account", "--name", name),
        *("--profiles-dir", str(tmp_path / "p"), "--operations-dir", str(tmp_path / "o")),
    )
    assert code == 2
    assert "operation name" in one_line_error(capsys.readouterr().err)
    assert snapshot(tmp_path) == before

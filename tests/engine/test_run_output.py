"""``atomsphere run --output DIR``: the folder holds this run's outputs, not an earlier run's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.output import ExitCode
from tests.client.fakeapi import NS, FakeApi, query_result, xml
from tests.conftest import ROOT
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, process_inputs, write_operation


def _first_run(tmp_path: Path, ids: list[str]) -> tuple[Path, Path, Path]:
    """The operation, the --output folder and the inputs of a run that wrote one output per id."""
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    out = tmp_path / "out"
    inputs = process_inputs(tmp_path / "in", ids)
    assert main(["run", str(op), "--input", str(inputs), "--output", str(out)]) == ExitCode.OK
    assert len(_names(out)) == 2 * len(ids)
    return op, out, inputs


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def processes(api_env: FakeApi) -> FakeApi:
    for pid in ("p1", "p2", "p3"):
        api_env.on("GET", f"/Process/{pid}", xml(f'<bns:Process {NS} id="{pid}" name="A"/>'))
    return api_env


def test_a_run_removes_the_outputs_an_earlier_run_left_and_nothing_else(
    processes: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op, out, _ = _first_run(tmp_path, ["p1", "p2", "p3"])
    # What the user keeps there, and names this command never writes, are not its outputs.
    keep = ["notes.txt", "input-1-output-1.xml", "input-00009-output-00001.xml.bak"]
    for name in keep:
        (out / name).write_text("mine")
    (out / "input-00007-output-00001.xml").mkdir()
    capsys.readouterr()

    one = process_inputs(tmp_path / "one", ["p2"])
    assert main(["run", str(op), "--input", str(one), "--output", str(out)]) == ExitCode.OK
    assert _names(out) == sorted(
        [
            *keep,
            "input-00001-output-00001.xml",
            "input-00001-output-00001.xml.properties.json",
            "input-00007-output-00001.xml",
        ]
    )
    assert b'id="p2"' in (out / "input-00001-output-00001.xml").read_bytes()
    assert all((out / name).read_text() == "mine" for name in keep)
    assert f"1 output document in {out} (3 outputs of an earlier run removed);" in (
        capsys.readouterr().err
    )


def test_the_summary_says_how_many_earlier_outputs_were_removed(
    processes: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op, out, inputs = _first_run(tmp_path, ["p1", "p2"])
    assert "output documents in " + str(out) + ";" in capsys.readouterr().err
    assert main(["run", str(op), "--input", str(inputs), "--output", str(out)]) == ExitCode.OK
    err = capsys.readouterr().err
    assert f"2 output documents in {out} (2 outputs of an earlier run removed);" in err
    assert len(_names(out)) == 4


def test_a_run_that_does_not_start_leaves_the_earlier_outputs(
    processes: FakeApi, tmp_path: Path
) -> None:
    op, out, inputs = _first_run(tmp_path, ["p1"])
    (inputs / "doc0.xml.properties.json").write_text('{"processId": ["p1"]}')
    assert main(["run", str(op), "--input", str(inputs), "--output", str(out)]) == ExitCode.USAGE
    assert len(_names(out)) == 2


def test_an_input_read_from_the_output_folder_is_refused_before_anything_is_removed(
    processes: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op, out, _ = _first_run(tmp_path, ["p1", "p2"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = len(processes.calls())
    capsys.readouterr()
    code = main(["run", str(op), "--input", str(out), "--output", str(out)])
    assert code == ExitCode.USAGE
    assert capsys.readouterr().err.splitlines() == [
        f"error: {out / name}: this input is an earlier run's output in the --output folder, "
        "which a run clears first: give another --output folder"
        for name in ("input-00001-output-00001.xml", "input-00002-output-00001.xml")
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert len(processes.calls()) == calls


def test_every_input_option_is_read_in_order_and_each_gets_one_answer(
    processes: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    first = process_inputs(tmp_path / "a", ["p1"])
    second = process_inputs(tmp_path / "b", ["p2", "p3"])
    argv = ["run", str(op), "--input", str(first), "--input", str(second / "doc1.xml")]
    assert main([*argv, str(second / "doc0.xml"), "--json"]) == ExitCode.OK
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [x["input"] for x in lines] == [
        str(first / "doc0.xml"),
        str(second / "doc1.xml"),
        str(second / "doc0.xml"),
    ]
    assert [call.url.path.rsplit("/", 1)[1] for call in processes.calls()] == ["p1", "p3", "p2"]


def test_stdin_is_read_once_only(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--input", "-", "--input", "-"]) == ExitCode.USAGE
    assert "stdin ('-') can be read once only" in capsys.readouterr().err


def test_a_document_whose_output_cannot_be_written_leaves_none_of_its_outputs(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        '<bns:result xsi:type="bns:ExecutionRecord">'
        f"<bns:executionId>x{n}</bns:executionId></bns:result>"
        for n in range(3)
    ]
    api_env.on("POST", "/ExecutionRecord/query", xml(query_result(records)))
    op = ROOT / "operations" / "query-failed-executions.yaml"
    out = tmp_path / "out"
    out.mkdir()
    (out / "input-00001-output-00003.xml").symlink_to(tmp_path / "elsewhere.xml")
    argv = ["run", str(op), "--param", "status=ABORTED", "--output", str(out), "--json"]
    assert main(argv) == ExitCode.DOCUMENT_FAILURES
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["status"] == "FAILURE" and line["paths"] == []
    assert "symbolic link" in line["message"]
    assert _names(out) == ["input-00001-output-00003.xml"], "only the planted link stays"
    assert not (tmp_path / "elsewhere.xml").exists()

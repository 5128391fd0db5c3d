"""``atomsphere`` top level and ``atomsphere catalog``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connector import __version__
from connector.atomsphere.catalog import data_dir
from connector.cli import main
from tests.conftest import SPEC_PATH


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "catalog" in out and "Exit codes" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"atomsphere {__version__}"


def test_objects_json_lists_every_object_with_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "objects", "--json"]) == 0
    objects = json.loads(capsys.readouterr().out)
    assert len(objects) == 117
    environment = next(o for o in objects if o["name"] == "Environment")
    assert environment["actions"] == ["GET", "QUERY", "CREATE", "UPDATE", "DELETE"]
    assert environment["bulk_limit"] == 100


def test_objects_table_and_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "objects", "--action", "execute"]) == 0
    out = capsys.readouterr().out
    assert "ExecutionRequest" in out and "Environment " not in out


def test_show_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "executionrecord"]) == 0
    out = capsys.readouterr().out
    assert "/ExecutionRecord/queryMore" in out
    assert "executionTime" in out and "xs:dateTime" in out
    assert "Query operators: EQUALS" in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "Environment", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {f["name"] for f in data["fields"]} >= {"id", "name", "classification"}


def test_unknown_object_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "Enviroment"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: unknown object 'Enviroment' (did you mean Environment, EnvironmentRole, Event?)"
    ]


def test_generate_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "generate", "--spec", str(SPEC_PATH), "--check"]) == 0
    out = tmp_path / "out"
    assert main(["catalog", "generate", "--spec", str(SPEC_PATH), "--out", str(out)]) == 0
    for name in ("catalog.json", "atomsphere.xsd", "atomsphere-unqualified.xsd"):
        assert (out / name).read_bytes() == (data_dir() / name).read_bytes()
    (out / "atomsphere.xsd").write_text("stale")
    assert (
        main(["catalog", "generate", "--spec", str(SPEC_PATH), "--out", str(out), "--check"]) == 1
    )
    assert "atomsphere.xsd" in capsys.readouterr().err


def test_generate_from_a_bad_spec_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "spec.json"
    bad.write_text('{"openapi": "3.0.3",')
    assert main(["catalog", "generate", "--spec", str(bad), "--out", str(tmp_path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["catalog", "generate", "--spec", str(tmp_path / "none.json")]) == 2


def test_console_script_is_installed() -> None:
    exe = shutil.which("atomsphere") or str(Path(sys.executable).with_name("atomsphere"))
    done = subprocess.run([exe, "catalog", "objects"], capture_output=True, text=True, check=True)
    assert "117 objects" in done.stderr

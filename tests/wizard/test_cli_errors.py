"""``atomsphere import`` errors: one line each, with the documented exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.wizard.helpers import run_import


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--action", "QUERY", "--object", "ExecutonRecord"),
            "unknown object 'ExecutonRecord' (did you mean ExecutionRecord",
        ),
        (
            ("--action", "DELETE", "--object", "ExecutionRecord"),
            "ExecutionRecord does not support DELETE; it supports QUERY",
        ),
        (("--action", "GET", "--object", "Account", "--name=-bad"), "operation name '-bad'"),
        (("--list",), "--list needs --action"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import("--offline", "--profiles-dir", str(tmp_path), *argv)
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
    assert list(tmp_path.iterdir()) == []


def test_without_any_connection_the_user_is_told_the_three_ways(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_import("--all") == 2
    assert "pass --connection FILE, set the ATOMSPHERE_* variables, or use --offline" in (
        capsys.readouterr().err
    )


def test_a_missing_connection_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import("--all", "--connection", "/nonexistent/connection.yaml") == 2
    assert "/nonexistent/connection.yaml: file not found" in capsys.readouterr().err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_import("--help")
    out = capsys.readouterr().out
    assert "exit codes: 0 done (or in sync), 1 drift found" in out
    assert "atomsphere import --check" in out
    flat = " ".join(out.split())
    assert "(default: ./profiles)" in flat and "(default: ./operations)" in flat
    assert max(len(line) for line in out.split("examples:")[0].splitlines()) <= 100


def test_check_with_nothing_to_check_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = ("--profiles-dir", str(tmp_path / "none"), "--operations-dir", str(tmp_path / "no"))
    assert run_import("--offline", "--check", *dirs) == 2
    assert "no profiles to check in" in capsys.readouterr().err


def test_list_shows_deprecation_not_a_description_that_repeats_the_label(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_import("--list", "--action", "GET", "--offline") == 0
    out = capsys.readouterr().out
    assert out.split()[:3] == ["OBJECT", "LABEL", "NOTE"] and "Account: Get" not in out
    assert re.search(r"^Deployment +Deployment +deprecated by Boomi\.$", out, re.MULTILINE)

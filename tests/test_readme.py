"""The README opens with the two commands, and CI runs exactly the test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_starts_with_the_main_job_and_the_test_command() -> None:
    main_job, tests = _commands()
    assert main_job.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    assert tests == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && "
        ".venv/bin/python -m pytest -q"
    )


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert _commands()[1] in ci.splitlines()


def test_the_reliability_figure_counts_every_cell_of_the_fault_matrix() -> None:
    from tests.reliability.matrix import cells

    text = (ROOT / "README.md").read_text("utf-8")
    total = len(list(cells()))
    assert f"faults survived: {total}/{total}, documents lost: 0" in text
    assert f"faults survived: {total}/{total}, documents lost: 0" in (
        ROOT / "docs" / "reliability.md"
    ).read_text("utf-8")

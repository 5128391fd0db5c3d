"""Helpers for host tests: files in a temporary folder, a manager with the fake connector."""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest

from connector.host import RunResult, load_process, run_process
from connector.host.reporting import (
    ExecutionSummary,
    TrackedDocument,
    connect,
    execution_documents,
    execution_steps,
    find_execution,
)
from connector.host.reporting.queries import StepSummary
from connector.plugins import get_plugin_manager
from tests.host import fake_connector


@pytest.fixture
def pm() -> pluggy.PluginManager:
    return get_plugin_manager(plugins=[fake_connector])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


@dataclass
class Report:
    """What process reporting holds about one run."""

    run: RunResult
    execution: ExecutionSummary
    steps: list[StepSummary]
    documents: list[TrackedDocument]
    db: sqlite3.Connection

    def step(self, name: str) -> StepSummary:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def documents_of(self, step: str) -> list[TrackedDocument]:
        return [d for d in self.documents if d.step_name == step]


Runner = Callable[..., Report]


@pytest.fixture
def run(tmp_path: Path, pm: pluggy.PluginManager) -> Iterator[Runner]:
    """Run a process file from ``tmp_path`` and read its report back."""
    opened: list[sqlite3.Connection] = []

    def runner(process: str | Path = "process.yaml", **properties: str) -> Report:
        path = tmp_path / process
        result = run_process(
            load_process(path, pm), pm, database=tmp_path / "reporting.db", properties=properties
        )
        db = connect(tmp_path / "reporting.db", create=False)
        opened.append(db)
        execution = find_execution(db, result.execution_id)
        return Report(
            result,
            execution,
            execution_steps(db, execution.id),
            execution_documents(db, execution.id),
            db,
        )

    yield runner
    for db in opened:
        db.close()

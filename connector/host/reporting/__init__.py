"""Process reporting: what each execution did, per step and document, in SQLite."""

from connector.host.reporting.database import (
    ExecutionStatus,
    connect,
    default_database_path,
)
from connector.host.reporting.queries import (
    ExecutionSummary,
    StepSummary,
    TrackedDocument,
    execution_documents,
    execution_steps,
    find_execution,
    last_run_date,
    list_executions,
    tracked_document,
)
from connector.host.reporting.recorder import ExecutionRecorder

__all__ = [
    "ExecutionRecorder",
    "ExecutionStatus",
    "ExecutionSummary",
    "StepSummary",
    "TrackedDocument",
    "connect",
    "default_database_path",
    "execution_documents",
    "execution_steps",
    "find_execution",
    "last_run_date",
    "list_executions",
    "tracked_document",
]

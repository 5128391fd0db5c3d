"""The reference host: processes in YAML, run through the hooks, recorded in process reporting.

``load_process`` reads and checks a ``kind: Process`` file (loading each operation through its
connector's ``connector_load_operation``); ``run_process`` runs it once and records the
execution; :mod:`connector.host.reporting` reads the records back.
"""

from connector.host.loader import load_process
from connector.host.model import Process
from connector.host.reporting import ExecutionStatus, default_database_path
from connector.host.runner import RunResult, StopReason, run_process

__all__ = [
    "ExecutionStatus",
    "Process",
    "RunResult",
    "StopReason",
    "default_database_path",
    "load_process",
    "run_process",
]

"""The operation engine: operation files, the six actions, per-document answers.

``load_operation`` reads and checks an operation file; ``run_operation`` performs it on a batch
of documents through an :class:`~connector.atomsphere.client.AtomSphereClient`.
"""

from connector.engine.config import OperationConfig, OperationOptions, load_operation
from connector.engine.runner import run_operation

__all__ = ["OperationConfig", "OperationOptions", "load_operation", "run_operation"]

"""Running an operation on a batch of documents: dispatch to the action, answer everything.

Whatever happens — a 401, a bug, an interrupted pool — every input document leaves with exactly
one answer: the actions answer what they can, and anything still open is failed here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final

from connector.atomsphere.client import AtomSphereClient
from connector.contract import Action, ExecutionContext
from connector.documents import Document, OperationResponse
from connector.engine import reads, writes
from connector.engine.answers import Answers
from connector.engine.batch import Batch
from connector.engine.config import OperationConfig
from connector.errors import ContractError

log = logging.getLogger("connector.engine")

ACTIONS: Final[dict[Action, Callable[[Batch], None]]] = {
    Action.GET: reads.get,
    Action.QUERY: reads.query,
    Action.CREATE: writes.send_each,
    Action.UPDATE: writes.send_each,
    Action.DELETE: writes.send_each,
    Action.EXECUTE: writes.send_each,
}


def run_operation(
    operation: OperationConfig,
    client: AtomSphereClient,
    documents: Sequence[Document],
    response: OperationResponse,
    context: ExecutionContext | None = None,
) -> None:
    """Perform ``operation`` for every document, answering each through ``response`` once."""
    if operation.override_account is not None and not client.connection.partner:
        # Known before any document moves: the operation needs a Partner API connection.
        response.fail_unanswered(
            f"operation {operation.settings.name} sets override_account, which needs a Partner "
            f"API connection (api: partner); {client.connection.target} uses the Platform API"
        )
        return
    answers = Answers(response, return_errors=operation.settings.return_application_errors)
    batch = Batch(operation, client, documents, answers, context or ExecutionContext())
    try:
        ACTIONS[operation.action](batch)
    except ContractError:
        response.fail_unanswered("the connector broke the answer contract")
        raise
    except Exception as exc:
        log.exception("operation %s failed", operation.settings.name)
        response.fail_unanswered(f"internal error: {type(exc).__name__}: {exc}")
        return
    leftover = response.unanswered()
    if leftover:
        log.error("operation %s left inputs %s unanswered", operation.settings.name, leftover)
        response.fail_unanswered("the connector did not answer this document")

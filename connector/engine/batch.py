"""One run of an operation over a batch of input documents, and the bounded pool it works in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from connector.atomsphere.client import AtomSphereClient, Polling
from connector.contract import ExecutionContext
from connector.documents import Document
from connector.engine.answers import Answers
from connector.engine.binding import DocumentValues
from connector.engine.config import OperationConfig

log = logging.getLogger("connector.engine")

Job = Callable[[], None]
#: Checks one document without the network and returns the job that sends it.
Prepare = Callable[[], Job]


@dataclass(frozen=True)
class Batch:
    """Everything an action needs: the operation, the client, the documents and their answers."""

    operation: OperationConfig
    client: AtomSphereClient
    documents: Sequence[Document]
    answers: Answers
    context: ExecutionContext

    @property
    def polling(self) -> Polling:
        options = self.operation.options
        return Polling(options.poll_interval_seconds, options.poll_timeout_seconds)

    def values(self, index: int) -> DocumentValues:
        return DocumentValues(self.operation, self.documents[index], self.context)

    def client_for(self, values: DocumentValues) -> AtomSphereClient:
        """The client acting on the document's account (a sub-account via the Partner API)."""
        return self.client.overriding(values.override_account())

    def guarded(self, index: int, prepare: Prepare, *, partial: bool = False) -> Job:
        """The job for document ``index``: ``prepare`` checks the document without the network
        and returns its request; whatever either raises is answered on that document.

        The checks come first, so a document refused for its own content is answered the same
        (APPLICATION_ERROR, "not sent: …") before or after a 401 in the batch, whatever the
        concurrency and order; a document that passes them is not sent after a 401.
        """

        def job() -> None:
            try:
                send = prepare()
            except Exception as exc:
                log.debug("document %d: refused before sending: %s", index + 1, exc)
                self.answers.fail(index, exc, partial=partial)
                return
            if self.answers.aborted:
                log.debug("document %d: checked; not sent after a 401", index + 1)
                self.answers.fail_not_sent(index, partial=partial)
                return
            log.debug("document %d: checked; sending", index + 1)
            try:
                send()
            except Exception as exc:
                self.answers.fail(index, exc, partial=partial)

        return job

    def run(self, jobs: Sequence[Job]) -> None:
        """Run ``jobs`` at most ``options.concurrency`` at a time (always inside the rate limit).

        Jobs answer their own documents; anything a job raises past that (a broken contract) is
        re-raised here once every job has finished.
        """
        workers = min(self.operation.options.concurrency, len(jobs))
        if workers <= 1:
            for job in jobs:
                job()
            return
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="atomsphere")
        try:
            futures = [pool.submit(job) for job in jobs]
            wait(futures)
        except BaseException:
            # Interrupted: send nothing more; what is in flight finishes and is answered.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        for future in futures:
            future.result()

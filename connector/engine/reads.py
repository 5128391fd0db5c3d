"""Get and Query: the inbound actions.

A Get of many documents goes through the object's bulk endpoint in batches (up to 100 ids, 5 for
Component), still one answer per input, in input order; one document, or an object without a bulk
endpoint, is read with one Get per document. A Query runs once per input document with that
document's filter values and streams its records page by page as partial results, so memory is
bounded by a page, and a query that fails half-way still closes its input with a status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from connector.atomsphere.bulk import BulkItem
from connector.atomsphere.catalog import WireAction
from connector.atomsphere.responses import QueryPage
from connector.engine.batch import Batch, Job
from connector.errors import ApplicationError, FatalRemoteError

#: API statuses a Get of an unknown id is answered with (the API reports most business errors,
#: "no such object" included, as 400).
NOT_FOUND_STATUSES = frozenset({400, 404})


def get(batch: Batch) -> None:
    obj = batch.operation.object
    if obj.endpoint(WireAction.GET) is None and obj.endpoint(WireAction.ASYNC_REQUEST):
        batch.run(
            [batch.guarded(i, partial(_prepare_async, batch, i), partial=True) for i in _all(batch)]
        )
        return
    pending: list[tuple[int, str]] = []
    keys: dict[int, tuple[float | None, str | None]] = {}
    for index in _all(batch):
        try:
            values = batch.values(index)
            pending.append((index, values.object_id()))
            keys[index] = (values.options.timeout_seconds, values.override_account())
        except Exception as exc:
            batch.answers.fail(index, exc)
    limit = obj.bulk_limit("GET")
    options = batch.operation.options
    if options.bulk_get and limit and len(pending) > 1 and obj.endpoint(WireAction.BULK):
        size = min(limit, options.bulk_batch_size or limit)
        # Documents whose timeout or account differs never share a request.
        groups: dict[tuple[float | None, str | None], list[tuple[int, str]]] = {}
        for item in pending:
            groups.setdefault(keys[item[0]], []).append(item)
        batch.run(
            [
                partial(_bulk, batch, chunk, timeout, account)
                for (timeout, account), items in groups.items()
                for chunk in _chunks(items, size)
            ]
        )
        return
    batch.run(
        [
            batch.guarded(i, partial(partial, _get_one, batch, i, object_id))
            for i, object_id in pending
        ]
    )


def _get_one(batch: Batch, index: int, object_id: str) -> None:
    try:
        values = batch.values(index)
        client = batch.client_for(values)
        record = client.get(
            batch.operation.object, object_id, timeout=values.options.timeout_seconds
        )
    except ApplicationError as exc:
        _error(batch, index, exc)
        return
    batch.answers.success(index, record, "200")


def _prepare_async(batch: Batch, index: int) -> Job:
    values = batch.values(index)
    read = partial(
        batch.client_for(values).get_async,
        batch.operation.object,
        values.object_id(),
        batch.polling,
        timeout=values.options.timeout_seconds,
    )
    return partial(_get_async, batch, index, read)


def _get_async(batch: Batch, index: int, read: Callable[[], tuple[bytes, ...]]) -> None:
    records = read()
    for record in records:
        batch.answers.partial(index, record)
    batch.answers.finish(index, "200", f"{len(records)} records")


def _bulk(
    batch: Batch, chunk: list[tuple[int, str]], timeout: float | None, account: str | None
) -> None:
    answers = batch.answers
    if answers.aborted:
        for index, _ in chunk:
            answers.fail_not_sent(index)
        return
    ids = list(dict.fromkeys(object_id for _, object_id in chunk))
    try:
        client = batch.client.overriding(account)
        items = client.bulk_get(batch.operation.object, ids, timeout=timeout)
    except Exception as exc:
        for index, _ in chunk:
            answers.fail(index, exc)
        return
    by_id = dict(zip(ids, items, strict=True))
    for index, object_id in chunk:
        _answer_item(batch, index, object_id, by_id[object_id])


def _answer_item(batch: Batch, index: int, object_id: str, item: BulkItem | None) -> None:
    if item is None:
        batch.answers.fail(
            index, FatalRemoteError(f"the bulk GET answer has no item for id {object_id!r}")
        )
    elif item.ok and item.record is not None:
        batch.answers.success(index, item.record, str(item.status_code))
    elif 400 <= item.status_code < 500:
        message = item.error_message or f"HTTP {item.status_code}"
        _error(batch, index, ApplicationError(message, status=item.status_code))
    else:
        message = item.error_message or "no record and no error message"
        batch.answers.fail(
            index,
            FatalRemoteError(f"bulk GET of {object_id!r}: {message}", status=item.status_code),
        )


def _error(batch: Batch, index: int, exc: ApplicationError) -> None:
    """An application error on a Get: an empty SUCCESS when unknown ids are not errors."""
    if batch.values(index).options.not_found == "empty" and exc.status in NOT_FOUND_STATUSES:
        batch.answers.success(index, None, str(exc.status), f"not found: {exc}")
    else:
        batch.answers.fail(index, exc)


def _chunks(pending: list[tuple[int, str]], size: int) -> list[list[tuple[int, str]]]:
    """Consecutive inputs, each chunk holding at most ``size`` distinct ids."""
    chunks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    distinct: set[str] = set()
    for index, object_id in pending:
        if object_id not in distinct and len(distinct) == size:
            chunks.append(current)
            current, distinct = [], set()
        current.append((index, object_id))
        distinct.add(object_id)
    if current:
        chunks.append(current)
    return chunks


def query(batch: Batch) -> None:
    jobs: list[Job] = [
        batch.guarded(i, partial(_prepare_query, batch, i), partial=True) for i in _all(batch)
    ]
    for job in jobs:  # one after another: each streams its pages to the host in order
        job()


def _prepare_query(batch: Batch, index: int) -> Job:
    values = batch.values(index)
    options = values.options
    read = partial(
        batch.client_for(values).query,
        batch.operation.object,
        values.expression(),
        max_pages=options.max_pages,
        polling=batch.polling,
        timeout=options.timeout_seconds,
    )
    return partial(_query_one, batch, index, read, options.max_results)


def _query_one(
    batch: Batch, index: int, read: Callable[[], Iterable[QueryPage]], limit: int
) -> None:
    count = 0
    for page in read():
        for record in page.records:
            if limit and count >= limit:
                batch.answers.finish(
                    index, "200", f"{count} records (stopped at options.max_results; more remain)"
                )
                return
            batch.answers.partial(index, record)
            count += 1
    batch.answers.finish(index, "200", f"{count} records")


def _all(batch: Batch) -> range:
    return range(len(batch.documents))

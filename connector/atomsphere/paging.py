"""Following ``queryMore`` tokens, with the guards other frameworks learned the hard way.

The API's only end signal is a missing ``queryToken``: a short page is not the end, and
``numberOfResults`` is ambiguous, so neither is used. The pager stops on a missing token and on
an empty page; a token it has already followed means the server is looping, and a page cap
reached means the result is incomplete: both are errors, never a silent stop. A failing page
raises whatever the request raised, its message saying how many records came before it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator

from connector.atomsphere.responses import QueryPage
from connector.errors import FatalRemoteError, RemoteError

log = logging.getLogger("connector.atomsphere")


class QueryPager:
    """Iterate the pages of one query: ``first()`` for page one, ``more(token)`` for the rest.

    ``max_pages`` (0: no cap) bounds how many pages are fetched; hitting it raises
    :class:`~connector.errors.FatalRemoteError` after the last allowed page has been yielded.
    """

    def __init__(
        self,
        first: Callable[[], QueryPage],
        more: Callable[[str], QueryPage],
        *,
        max_pages: int = 0,
        what: str = "query",
    ) -> None:
        self._first = first
        self._more = more
        self.max_pages = max_pages
        self.what = what
        self.pages = 0
        self.records = 0

    def __iter__(self) -> Iterator[QueryPage]:
        seen: set[str] = set()
        page = self._first()
        while True:
            self.pages += 1
            self.records += len(page.records)
            log.info(
                "%s: page %d: %d new, %d in all%s",
                self.what,
                self.pages,
                len(page.records),
                self.records,
                "" if page.token else ", the last",
            )
            yield page
            token = page.token
            if token is None:
                return
            if not page.records:
                log.warning(
                    "%s: page %d was empty but carried a token; stopping", self.what, self.pages
                )
                return
            if token in seen:
                raise FatalRemoteError(
                    f"{self.what}: loop detected: page {self.pages} repeated an earlier queryMore "
                    f"token; stopped after {self.records} records"
                )
            if self.max_pages and self.pages >= self.max_pages:
                raise FatalRemoteError(
                    f"{self.what}: stopped at the page cap of {self.max_pages} pages "
                    f"({self.records} records); more results remain (raise options.max_pages)"
                )
            seen.add(token)
            log.debug(
                "%s: following a queryMore token of %d characters (sha256 %s…)",
                self.what,
                len(token),
                hashlib.sha256(token.encode("utf-8")).hexdigest()[:8],
            )
            try:
                page = self._more(token)
            except RemoteError as exc:
                # Say how far the query got: those records were already delivered.
                noun = "record" if self.records == 1 else "records"
                exc.args = (
                    f"{exc} (page {self.pages + 1} failed; delivered before it: "
                    f"{self.records} {noun})",
                )
                raise

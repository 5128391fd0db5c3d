"""Hypothesis strategies: documents, ids, document properties, parameters and server answers.

Texts stay within what XML can carry (no control characters, no surrogates) where they end up
inside a well-formed document, and reach for the characters that break naive code elsewhere:
``/ ? # % &`` in ids, quotes and angle brackets in names, padding whitespace, non-ASCII.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx
from hypothesis import strategies as st
from lxml import etree

from connector.documents import Document
from connector.sandbox import FaultKind, FaultRule, fixtures
from connector.sandbox.faults import OPTIONS
from connector.xml import API_NS, to_bytes

ODD = "/?#%&<>\"' ~+=.:;\\@[]{}é中"
_xml_char = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_xml_text = st.text(_xml_char | st.sampled_from(ODD), max_size=16)

#: Ids the sandbox holds, so that some random ids are found.
PROCESS_IDS = tuple(p.id for p in fixtures.PROCESSES)
ENVIRONMENT_IDS = tuple(e.id for e in fixtures.ENVIRONMENTS)
ATOM_IDS = tuple(a.id for a in fixtures.ATOMS)


def text() -> st.SearchStrategy[str]:
    """Text that XML can hold, rich in the characters ids and names trip over."""
    return _xml_text


def ids(known: Sequence[str]) -> st.SearchStrategy[str]:
    """An id: one the sandbox holds (sometimes padded), or odd text."""
    padded = st.tuples(st.sampled_from(known), st.sampled_from(["", " ", "\t", "\n "])).map(
        lambda pair: pair[1] + pair[0] + pair[1]
    )
    return st.one_of(st.sampled_from(known), padded, _xml_text)


def garbage() -> st.SearchStrategy[bytes]:
    """Bytes that are not a usable request document."""
    return st.one_of(
        st.just(b""),
        st.just(b"   \n"),
        st.binary(max_size=48),
        _xml_text.map(lambda t: t.encode("utf-8")),
        st.sampled_from(
            [
                b"<bns:Environment xmlns:bns='http://api.platform.boomi.com/'",
                b"<Environment name='no namespace'/>",
                b"<foo/>",
                b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>",
                "<bns:Environment xmlns:bns='http://api.platform.boomi.com/' name='ü'/>".encode(
                    "latin-1"
                ),
            ]
        ),
    )


def _element(name: str, attributes: dict[str, str | None]) -> bytes:
    root = etree.Element(f"{{{API_NS}}}{name}", nsmap={"bns": API_NS})
    for key, value in attributes.items():
        if value is not None:
            root.set(key, value)
    return to_bytes(root)


def root_attributes(document: Document) -> dict[str, str]:
    """The attributes of a request document's root (as :func:`environment_xml` wrote them)."""
    return dict(etree.fromstring(document.data).attrib)


@st.composite
def environment_xml(draw: st.DrawFn, *, with_id: bool = False) -> bytes:
    """A request document for Create/Update Environment (an unknown classification sometimes)."""
    return _element(
        "Environment",
        {
            "id": draw(ids(ENVIRONMENT_IDS)) if with_id else draw(st.none() | ids(ENVIRONMENT_IDS)),
            "name": draw(st.none() | _xml_text),
            "classification": draw(st.sampled_from([None, "PROD", "TEST", "test", "STAGING"])),
        },
    )


@st.composite
def execution_request_xml(draw: st.DrawFn) -> bytes:
    return _element(
        "ExecutionRequest",
        {
            "processId": draw(st.none() | ids(PROCESS_IDS)),
            "atomId": draw(st.none() | ids(ATOM_IDS)),
        },
    )


@st.composite
def properties(
    draw: st.DrawFn, *names: str, values: st.SearchStrategy[str] | None = None
) -> dict[str, str]:
    """Document properties: the ones an operation reads (each usually present) and random others."""
    chosen = values if values is not None else _xml_text
    extra = draw(st.dictionaries(_xml_text.filter(bool), _xml_text, max_size=3))
    for name in names:
        if draw(st.integers(0, 4)):
            extra[name] = draw(chosen)
    return extra


#: Dynamic operation properties: valid overrides, bad values and names that cannot be overridden.
OVERRIDES = st.dictionaries(
    st.sampled_from(["timeout_seconds", "max_results", "not_found", "id", "concurrency"]),
    st.sampled_from(["5", "0", "-1", "abc", "empty", "error", "", "2"]),
    max_size=2,
)


def documents(
    data: st.SearchStrategy[bytes], props: st.SearchStrategy[dict[str, str]]
) -> st.SearchStrategy[list[Document]]:
    """A batch of 1-6 documents; a few carry dynamic operation properties."""
    one = st.builds(
        Document,
        data,
        props,
        st.one_of(st.just({}), st.just({}), OVERRIDES),
    )
    return st.lists(one, min_size=1, max_size=6)


# -- server answers ---------------------------------------------------------------------------

PASS = "pass"


@dataclass(frozen=True)
class Answer:
    """What a scripted server says to one request, instead of the sandbox."""

    kind: str
    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml; charset=UTF-8"

    def respond(self) -> httpx.Response:
        if self.kind == "reset":
            raise httpx.ReadError("Connection reset by peer")
        if self.kind == "connect":
            raise httpx.ConnectError("Connection refused")
        if self.kind == "timeout":
            raise httpx.ReadTimeout("timed out")
        return httpx.Response(
            self.status, content=self.body, headers={"Content-Type": self.content_type}
        )


def _error_xml(message: str) -> bytes:
    root = etree.Element("error")
    etree.SubElement(root, "message").text = message
    return to_bytes(root)


_GATEWAY = b"<html><head><title>{s} Bad Gateway</title></head><body>nginx</body></html>"

ANSWERS: st.SearchStrategy[Answer] = st.one_of(
    st.builds(
        Answer,
        st.just("boomi-error"),
        st.sampled_from([400, 403, 404, 409, 410, 429]),
        _xml_text.map(_error_xml),
    ),
    st.builds(
        Answer,
        st.just("json-error"),
        st.sampled_from([400, 403, 500]),
        _xml_text.map(lambda t: json.dumps({"@type": "Error", "message": t}).encode()),
        st.just("application/json"),
    ),
    st.builds(Answer, st.just("unauthorized"), st.just(401), st.just(_error_xml("Unauthorized"))),
    st.builds(
        Answer,
        st.just("server-error"),
        st.sampled_from([500, 502, 503, 504]),
        st.sampled_from([b"", _error_xml("busy")]),
    ),
    st.builds(
        Answer,
        st.just("html"),
        st.sampled_from([200, 502, 504]),
        st.sampled_from([_GATEWAY.replace(b"{s}", b"502")]),
        st.just("text/html"),
    ),
    st.builds(
        Answer,
        st.just("truncated"),
        st.just(200),
        st.sampled_from(
            [
                b"<bns:QueryResult xmlns:bns='http://api.platform.boomi.com/' numberOf",
                b"<bns:Process xmlns:bns='http://api.platform.boomi.com/' id='x'",
                b"<?xml version='1.0'?>",
            ]
        ),
    ),
    st.builds(Answer, st.just("empty"), st.sampled_from([200, 202, 204])),
    st.builds(Answer, st.just("bytes"), st.just(200), st.binary(max_size=40)),
    st.builds(
        Answer,
        st.just("unexpected-xml"),
        st.just(200),
        st.sampled_from(
            [
                b"<foo/>",
                b"<bns:QueryResult xmlns:bns='http://api.platform.boomi.com/' numberOfResults='1'>"
                b"<bns:queryToken></bns:queryToken></bns:QueryResult>",
                b"<bns:BulkResult xmlns:bns='http://api.platform.boomi.com/'/>",
            ]
        ),
    ),
    st.sampled_from([Answer("reset"), Answer("connect"), Answer("timeout")]),
)

#: A script of answers, one per request in order; ``None`` lets the sandbox answer.
SCRIPTS = st.lists(st.none() | st.none() | ANSWERS, max_size=12)


def scripted(
    script: Sequence[Answer | None],
) -> Callable[[httpx.Request, httpx.BaseTransport], httpx.Response]:
    """An ``answer`` for :func:`tests.properties.harness.sandbox`: the script, then the sandbox."""
    remaining = list(script)

    def answer(request: httpx.Request, sandbox: httpx.BaseTransport) -> httpx.Response:
        step = remaining.pop(0) if remaining else None
        if step is None:
            return sandbox.handle_request(request)
        return step.respond()

    return answer


OPTION: Final = {option.name: option for option in OPTIONS}


def fault_rules(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[FaultRule]:
    """Rules of any kind with ``fields`` drawn from their strategies; a key that belongs to some
    kinds only (``seconds``, ``status``, ``at``) is drawn for those kinds, as the sandbox
    refuses it on the others."""

    def of_kind(kind: FaultKind) -> st.SearchStrategy[FaultRule]:
        drawn = {name: values for name, values in fields.items() if OPTION[name].applies_to(kind)}
        return st.builds(FaultRule, kind=st.just(kind), **drawn)

    return st.sampled_from(list(FaultKind)).flatmap(of_kind)


FAULTS: st.SearchStrategy[FaultRule] = fault_rules(
    path=st.sampled_from(["*", "*/query", "*/queryMore", "*/bulk", "/ExecutionRecord/*", "/E*"]),
    method=st.sampled_from([None, "GET", "POST", "DELETE"]),
    times=st.none() | st.integers(1, 6),
    after=st.integers(0, 3),
    every=st.integers(1, 3),
    probability=st.sampled_from([1.0, 0.5]),
    seconds=st.sampled_from([0.0, 2.0, 120.0]),
    status=st.sampled_from([502, 504]),
)

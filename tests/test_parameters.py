"""Parameters: every source Boomi offers, resolved the same way for the engine and the host."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.contract import ExecutionContext
from connector.documents import Document
from connector.errors import ConfigError, XMLInputError
from connector.parameters import Parameter, format_date

DOC = Document(
    b'<bns:Environment xmlns:bns="http://api.platform.boomi.com/" id="env-1" name="Prod">'
    b"<bns:note>hello</bns:note></bns:Environment>",
    {"DDP_ID": "from-property"},
)
CTX = ExecutionContext(
    process_properties={"region": "eu", "count": 3},
    last_run_date=datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"from": "static", "value": "abc"}, "abc"),
        ({"from": "static", "value": True}, "true"),
        ({"from": "document_property", "name": "DDP_ID"}, "from-property"),
        ({"from": "document_property", "name": "MISSING", "default": "d"}, "d"),
        ({"from": "xpath", "xpath": "/bns:Environment/@id"}, "env-1"),
        ({"from": "xpath", "xpath": "string(//bns:note)"}, "hello"),
        ({"from": "xpath", "xpath": "//bns:note"}, "hello"),
        ({"from": "xpath", "xpath": "count(//bns:note)"}, "1"),
        ({"from": "xpath", "xpath": "//bns:absent", "default": "none"}, "none"),
        ({"from": "process_property", "name": "region"}, "eu"),
        ({"from": "process_property", "name": "count"}, "3"),
        ({"from": "last_run_date"}, "2024-05-01T08:30:00Z"),
    ],
)
def test_sources(raw: dict[str, object], expected: str) -> None:
    assert Parameter.from_config("p", raw).resolve(DOC, CTX) == expected


def test_last_run_date_default_when_never_run() -> None:
    param = Parameter.from_config(
        "since", {"from": "last_run_date", "default": "2020-01-01T00:00:00Z"}
    )
    assert param.resolve(DOC, ExecutionContext()) == "2020-01-01T00:00:00Z"


def test_current_date_is_utc_wire_format() -> None:
    value = Parameter.from_config("now", {"from": "current_date"}).resolve(None, CTX)
    assert value is not None and value.endswith("Z") and len(value) == 20


def test_custom_namespaces() -> None:
    doc = Document(b'<x:a xmlns:x="urn:x"><x:b>7</x:b></x:a>')
    param = Parameter.from_config(
        "b", {"from": "xpath", "xpath": "/y:a/y:b", "namespaces": {"y": "urn:x"}}
    )
    assert param.resolve(doc, CTX) == "7"


def test_bad_xpath_fails_at_load_time() -> None:
    with pytest.raises(ConfigError, match="invalid XPath"):
        Parameter.from_config("p", {"from": "xpath", "xpath": "//["})


def test_xpath_on_malformed_document_is_an_input_error() -> None:
    param = Parameter.from_config("p", {"from": "xpath", "xpath": "/a"})
    with pytest.raises(XMLInputError):
        param.resolve(Document(b"<a>"), CTX)


def test_format_date_converts_to_utc() -> None:
    from datetime import timedelta, timezone

    local = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_date(local) == "2024-01-01T10:00:00Z"

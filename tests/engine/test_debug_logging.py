"""``-vv`` shows what happens on the wire (requests, pages, bulk batches, polls, checks);
``-v`` and the default do not, and no level shows a secret or a queryMore token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connector.cli import main
from tests.client.fakeapi import NS, PASSWORD, FakeApi, query_result, xml
from tests.engine.helpers import GET_PROCESS, process_inputs, write_operation

TOKEN = "queryMore-token-" + "x" * 40
QUERY = """
action: QUERY
object: Process
"""
REQUEST_LINE = re.compile(r"debug: POST /Process/query -> 200 in \d+\.\d{3}s \(attempt 1\)")


def _query(api: FakeApi, tmp_path: Path, *flags: str) -> None:
    api.on(
        "POST",
        "/Process/query",
        xml(query_result(['<bns:result xsi:type="bns:Process" id="p1"/>'], token=TOKEN)),
    )
    api.on("POST", "/Process/queryMore", xml(query_result([])))
    op = write_operation(tmp_path, QUERY)
    assert main([*flags, "run", str(op), "--json"]) == 0


def test_debug_shows_each_request_page_and_check_but_no_token(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _query(api_env, tmp_path, "-vv")
    err = capsys.readouterr().err
    assert REQUEST_LINE.search(err), err
    assert "debug: POST /Process/queryMore -> 200" in err
    assert f"queryMore token of {len(TOKEN)} characters" in err
    assert "debug: document 1: checked; sending" in err
    assert TOKEN not in err and PASSWORD not in err


@pytest.mark.parametrize("flags", [(), ("-v",)])
def test_without_vv_no_request_lines(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    _query(api_env, tmp_path, *flags)
    err = capsys.readouterr().err
    assert "debug:" not in err and "-> 200" not in err


def test_debug_shows_bulk_batches(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on(
        "POST",
        "/Process/bulk",
        xml(
            f"<bns:BulkResult {NS}>"
            f'<bns:response statusCode="200"><bns:Result xsi:type="bns:Process" id="a"/>'
            f"</bns:response>"
            f'<bns:response statusCode="200"><bns:Result xsi:type="bns:Process" id="b"/>'
            f"</bns:response></bns:BulkResult>"
        ),
    )
    op = write_operation(tmp_path, GET_PROCESS)
    inputs = process_inputs(tmp_path / "in", ["a", "b"])
    main(["-vv", "run", str(op), "--input", str(inputs), "--json"])
    err = capsys.readouterr().err
    assert "debug: bulk GET Process: 2 ids" in err, err
    assert "debug: POST /Process/bulk -> 200" in err

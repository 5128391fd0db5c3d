"""What the designer API does with requests the page would never send: a 400 that names the
field for a wrong body, JSON for every error, and no traceback or exception text for the client."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.descriptor import Icon, bundled_descriptor
from connector.designer.bodies import SHAPE_FIELDS
from connector.designer.launch import serve_designer
from connector.designer.server import DesignerServer
from connector.host import load_process
from connector.plugins import get_plugin_manager
from connector.sandbox import SandboxConfig
from tests.designer.helpers import ok, refused

START = {"kind": "start"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesignerServer]:
    """One designer for the module: each test compares the files before and after itself."""
    work = tmp_path_factory.mktemp("designer") / "work"
    with serve_designer(work, sandbox_config=SandboxConfig(rate_limit=0)) as running:
        yield running


def _files(server: DesignerServer) -> list[str]:
    root = server.workspace.root
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _refused_writing_nothing(
    http: httpx.Client, server: DesignerServer, method: str, path: str, body: Any, message: str
) -> None:
    before = _files(server)
    refused(http.request(method, path, json=body), 400, message)
    assert _files(server) == before
    for folder in ("processes", "operations"):  # what str(None) used to name
        assert not (server.workspace.root / folder / "None.yaml").exists()


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        ("abc", "shapes: expected an array of shapes, got a string"),
        ({"kind": "start"}, "shapes: expected an array of shapes, got an object"),
        (None, "shapes: expected an array of shapes, got null"),
        ([1], "shapes[0]: expected an object, got a number"),
        ([START, "write"], "shapes[1]: expected an object, got a string"),
        ([START, [START]], "shapes[1]: expected an object, got an array"),
        ([{"label": "Start"}], "shapes[0].kind: missing"),
        ([{"kind": ""}], "shapes[0].kind: expected a non-empty string"),
        ([{"kind": True}], "shapes[0].kind: expected a string, got a boolean"),
        ([{"kind": "start", "data": {"a": 1}}], "shapes[0].data: expected a string, got an object"),
        ([START, {"kind": "write", "folder": 5}], "shapes[1].folder: expected a string, got a"),
        ([START, {"kind": "connector", "operation": ["x"]}], "shapes[1].operation: expected a"),
        ([START, {"kind": "end", "label": 3}], "shapes[1].label: expected a string, got a number"),
        ([START, {"kind": "end", "status": 0}], "shapes[1].status: expected a string"),
        ([{"kind": "start", "colour": "red"}], "shapes[0]: unknown field 'colour'"),
        ([START, {"kind": "end", "status": "maybe"}], "status 'maybe' is neither"),
        ([START, START], "shape 1: a process has one Start shape, the first"),
    ],
)
def test_a_malformed_shape_is_refused_naming_its_field_and_nothing_is_written(
    http: httpx.Client, server: DesignerServer, shapes: Any, message: str
) -> None:
    _refused_writing_nothing(
        http, server, "POST", "/api/run", {"name": "p", "shapes": shapes}, message
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"shapes": [START]}, "name: missing (expected a non-empty string)"),
        ({"name": None, "shapes": [START]}, "name: missing"),
        ({"name": "", "shapes": [START]}, "name: expected a non-empty string"),
        ({"name": 7, "shapes": [START]}, "name: expected a string, got a number"),
        ({"name": ["p"], "shapes": [START]}, "name: expected a string, got an array"),
        ({"name": "../../evil", "shapes": [START]}, "process name '../../evil'"),
        ({"name": ".hidden", "shapes": [START]}, "process name '.hidden'"),
        ({"name": "p", "shape": [START]}, "the body: unknown field 'shape'"),
    ],
)
def test_a_process_needs_a_plain_name_and_none_writes_no_file(
    http: httpx.Client, server: DesignerServer, body: Any, message: str
) -> None:
    _refused_writing_nothing(http, server, "POST", "/api/run", body, message)
    assert not (server.workspace.root.parent / "evil.yaml").exists()


def test_every_problem_of_a_body_is_reported_at_once(http: httpx.Client) -> None:
    body = {"shapes": [1, {"kind": 2, "folder": None}, START]}
    error = refused(http.post("/api/run", json=body), 400, "name: missing")
    assert error["problems"] == [
        "name: missing (expected a non-empty string)",
        "shapes[0]: expected an object, got a number",
        "shapes[1].kind: expected a string, got a number",
    ]


@pytest.mark.parametrize("data", ["", "<ping/>"])
def test_a_process_of_only_a_start_shape_runs_with_no_steps(
    http: httpx.Client, server: DesignerServer, data: str
) -> None:
    body = {"name": "only-start", "shapes": [{"kind": "start", "label": "Start", "data": data}]}
    result = ok(http.post("/api/run", json=body))
    assert result["status"] == "COMPLETE"
    assert [s["kind"] for s in result["steps"]] == ["start"]
    path = server.workspace.root / result["process"]
    assert "\nsteps: []\n" in path.read_text("utf-8")
    assert yaml.safe_load(path.read_text("utf-8"))["steps"] == []
    env = {"ATOMSPHERE_DESIGNER_SECRET": "unused"}
    assert load_process(path, get_plugin_manager(), env=env).steps == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "GET", "object": "Process"}, "name: missing"),
        ({"action": "GET", "object": "Process", "name": None}, "name: missing"),
        ({"action": "GET", "object": "Process", "name": ""}, "name: expected a non-empty"),
        ({"action": "GET", "object": "Process", "name": 1}, "name: expected a string"),
        ({"action": ["GET"], "object": "Process", "name": "x"}, "action: expected a string"),
        ({"object": "Process", "name": "x"}, "action: missing"),
        ({"action": "GET", "object": {}, "name": "x"}, "object: expected a string, got an"),
        ({"action": "GET", "object": "Process", "name": "x", "to": "y"}, "unknown field 'to'"),
        ({"action": "GET", "object": "Process", "name": "../x"}, "operation name '../x'"),
    ],
)
def test_import_refuses_a_malformed_body_and_writes_nothing(
    http: httpx.Client, server: DesignerServer, body: dict[str, Any], message: str
) -> None:
    _refused_writing_nothing(http, server, "POST", "/api/import", body, message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "operation: expected an object, got null"),
        ({"operation": "GET Process"}, "operation: expected an object, got a string"),
        ({"operation": [{"action": "GET"}]}, "operation: expected an object, got an array"),
        ({"operation": {"action": "GET", "object": "Process"}, "x": 1}, "unknown field 'x'"),
    ],
)
def test_save_refuses_a_malformed_body_and_writes_nothing(
    http: httpx.Client, server: DesignerServer, body: dict[str, Any], message: str
) -> None:
    _refused_writing_nothing(http, server, "PUT", "/api/operations/get-process", body, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'["name", "shapes"]', "the body must be a JSON object"),
        (b'"p"', "the body must be a JSON object"),
        (b"null", "the body must be a JSON object"),
        (b'{"name": "p",', "the body is not JSON: Expecting"),
        (b'{"name": NaN, "shapes": []}', "the body is not JSON: NaN is not a JSON number"),
        (b'{"name": "p", "shapes": [], "x": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"name": "p", "shapes": [1e999]}', "1e999 is too large a number"),
        (b'{"name": "\xff"}', "the body is not JSON"),
        (b"[" * 100_000, "the body is not JSON"),
    ],
)
@pytest.mark.parametrize("route", [("POST", "/api/run"), ("PUT", "/api/operations/x")])
def test_a_body_that_is_not_a_json_object_is_refused(
    http: httpx.Client, content: bytes, message: str, route: tuple[str, str]
) -> None:
    headers = {"Content-Type": "application/json"}
    refused(http.request(*route, content=content, headers=headers), 400, message)


def test_errors_http_server_finds_itself_are_json_too(
    http: httpx.Client, server: DesignerServer
) -> None:
    refused(http.delete("/api/operations/x"), 501, "Unsupported method ('DELETE')")
    refused(http.patch("/api/run", json={}), 501, "Unsupported method ('PATCH')")
    head = http.head("/api/operations")
    assert head.status_code == 501 and head.content == b""
    head_lines, _, body = _raw(server, b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n").partition(
        b"\r\n\r\n"
    )
    assert head_lines.startswith(b"HTTP/1.1 400 ") and b"application/json" in head_lines
    assert json.loads(body)["error"] == "Bad request syntax ('GET /a b HTTP/1.1')"
    # Not HTTP/1.x: http.server answers as HTTP/0.9 did, a body without a status line.
    assert json.loads(_raw(server, b"NOT A REQUEST\r\n\r\n"))["error"] == (
        "Bad request version ('REQUEST')"
    )


def _raw(server: DesignerServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as raw:
        raw.sendall(request)
        return raw.makefile("rb").read()


def test_an_unexpected_failure_is_a_json_500_without_its_traceback_or_message(
    http: httpx.Client, server: DesignerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise RuntimeError("details at /home/someone/.secret")

    monkeypatch.setattr(server.workspace, "operations", broken)
    icon = Icon("connector.designer", "removed-since.svg")  # a package changed under the server
    monkeypatch.setattr(
        server.workspace, "descriptor", replace(server.workspace.descriptor, icon=icon)
    )
    for path, error in (("/api/operations", "RuntimeError"), ("/api/icon", "FileNotFoundError")):
        response = http.get(path)
        refused(response, 500, f"internal error: {error}")
        assert ".secret" not in response.text and "removed-since" not in response.text


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
_WORDS = st.sampled_from(["start", "connector", "write", "end", "error", "p", "GET", "", "../x"])
_SHAPE = st.fixed_dictionaries(
    {"kind": st.sampled_from(["connector", "write", "end"])},
    optional=dict.fromkeys(SHAPE_FIELDS[1:], _WORDS | _JSON),
) | st.dictionaries(st.sampled_from([*SHAPE_FIELDS, "x"]), _WORDS | _JSON, max_size=4)
_SHAPES = st.builds(
    lambda first, rest: [first, *rest],
    st.just({"kind": "start"}) | _SHAPE | _JSON,
    st.lists(_SHAPE | _JSON, max_size=3),
)
_RUN = st.fixed_dictionaries({"name": st.just("p") | _WORDS, "shapes": _SHAPES}) | (
    st.fixed_dictionaries({}, optional={"name": _WORDS | _JSON, "shapes": _SHAPES | _JSON})
)
_IMPORT = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(["GET", "QUERY", "SEND"]) | _JSON,
        "object": st.sampled_from(["Process", "Account", "Nope"]) | _JSON,
        "name": _WORDS | _JSON,
    },
)
_FIELDS = sorted({f.path_parts[0] for f in bundled_descriptor().operation_fields})
_OPERATION = st.fixed_dictionaries(
    {"action": st.just("GET") | _JSON, "object": st.just("Process") | _JSON},
    optional={k: _WORDS | _JSON for k in _FIELDS if k not in ("action", "object")},
)
_SAVE = st.fixed_dictionaries({}, optional={"operation": _OPERATION | _JSON})


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    request=st.one_of(
        st.tuples(st.just("POST"), st.just("/api/run"), _RUN | _JSON),
        st.tuples(st.just("POST"), st.just("/api/import"), _IMPORT | _JSON),
        st.tuples(st.just("PUT"), st.just("/api/operations/fuzzed"), _SAVE | _JSON),
    )
)
def test_no_json_body_gets_an_internal_error(
    server: DesignerServer, request: tuple[str, str, Any]
) -> None:
    method, path, body = request
    with httpx.Client(base_url=server.url, timeout=60) as client:
        response = client.request(method, path, json=body)
    assert response.status_code < 500, response.text
    assert response.status_code == 200 or response.json()["error"]

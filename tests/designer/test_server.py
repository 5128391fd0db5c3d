"""The designer's server and work folder, without a browser: the API, its refusals, its secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.designer.server import DesignerServer
from connector.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_PASSWORD
from connector.xml import API_NS
from tests.conftest import ROOT
from tests.designer.helpers import ok, refused


def _import(http: httpx.Client, action: str, obj: str, name: str) -> Any:
    return ok(http.post("/api/import", json={"action": action, "object": obj, "name": name}))


def test_the_page_and_its_files_are_served_with_a_strict_policy(
    http: httpx.Client, server: DesignerServer
) -> None:
    page = http.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    for name in ("designer.js", "form.js", "designer.css", "atomsphere.svg"):
        assert f"/static/{name}" in page.text
        assert http.get(f"/static/{name}").status_code == 200
    icon = server.workspace.descriptor.icon
    assert icon is not None and http.get("/api/icon").content == icon.read_bytes()
    for path in ("/static/../workspace.py", "/static/%2e%2e/server.py", "/static/nope.js"):
        assert http.get(path).status_code == 404


def test_the_descriptor_and_the_connection_are_served_without_secrets(
    http: httpx.Client, server: DesignerServer
) -> None:
    assert ok(http.get("/api/descriptor")) == server.workspace.descriptor.to_dict()
    connection = ok(http.get("/api/connection"))
    assert connection["kind"] == "sandbox"
    assert connection["target"].startswith("http://127.0.0.1:")


def test_requests_for_another_host_or_from_another_origin_arerefused(
    http: httpx.Client,
) -> None:
    refused(http.get("/api/descriptor", headers={"Host": "evil.example"}), 421, "not served")
    body = {"action": "GET", "object": "Process", "name": "x"}
    refused(
        http.post("/api/import", json=body, headers={"Origin": "http://evil.example"}),
        403,
        "cross-origin",
    )
    refused(http.post("/api/import", content=b"action=GET"), 415, "send JSON")


def test_names_and_paths_cannot_leave_the_work_folder(
    http: httpx.Client, server: DesignerServer, tmp_path: Path
) -> None:
    refused(http.get("/api/operations/..%2F..%2Fsecret"), 400, "operation name")
    refused(http.get("/api/operations/.hidden"), 400, "operation name")
    imported = _import(http, "GET", "Process", "get-process")
    operation = imported["operation"]
    operation["profiles"]["response"] = "../../outside.xsd"
    refused(
        http.put("/api/operations/get-process", json={"operation": operation}),
        400,
        "profiles.response must stay inside the work folder",
    )
    operation["profiles"]["response"] = "../profiles/Process.get.response.xsd"
    operation["archiving"] = {"enabled": True, "directory": "../../elsewhere"}
    refused(
        http.put("/api/operations/get-process", json={"operation": operation}),
        400,
        "archiving.directory must stay inside",
    )
    shapes = [{"kind": "start"}, {"kind": "write", "folder": "../../../out"}]
    refused(http.post("/api/run", json={"name": "p", "shapes": shapes}), 400, "must stay inside")
    assert not (tmp_path / "out").exists()


def test_import_lists_object_types_and_writes_the_wizards_files(
    http: httpx.Client, server: DesignerServer
) -> None:
    objects = ok(http.get("/api/objects", params={"action": "CREATE"}))
    assert {"Environment", "Role"} <= {o["id"] for o in objects}
    imported = _import(http, "CREATE", "Environment", "new-environment")
    assert [f["path"] for f in imported["files"]] == [
        "profiles/Environment.create.request.xsd",
        "profiles/Environment.create.response.xsd",
        "operations/new-environment.yaml",
    ]
    assert imported["problems"] == []
    assert imported["operation"]["action"] == "CREATE"
    listed = ok(http.get("/api/operations"))
    assert listed == [{"name": "new-environment", "action": "CREATE", "object": "Environment"}]
    refused(
        http.post(
            "/api/import", json={"action": "QUERY", "object": "ExecutionRequest", "name": "x"}
        ),
        400,
        "ExecutionRequest",
    )
    clash = {"action": "GET", "object": "Account", "name": "new-environment"}
    refused(http.post("/api/import", json=clash), 400, "is CREATE Environment, not GET Account")
    refused(http.get("/api/objects", params={"action": "SEND"}), 400, "unknown action")
    refused(http.get("/api/operations/missing"), 404, "unknown operation 'missing'")


def test_filter_fields_carry_the_descriptors_filter_types(http: httpx.Client) -> None:
    found = ok(http.get("/api/filter", params={"object": "ExecutionRecord"}))
    types = {p["name"]: p["type"] for p in found["properties"]}
    assert (types["status"], types["executionTime"], types["executionDuration"]) == (
        "string",
        "datetime",
        "number",
    )
    assert types["executionType"] == "enum"
    assert "operators" not in found  # only per property (tests/designer/test_server_filter.py)


def test_a_save_the_engine_would_refuse_writes_nothing_and_says_where(
    http: httpx.Client, server: DesignerServer
) -> None:
    operation = _import(http, "QUERY", "ExecutionRecord", "executions")["operation"]
    path = server.workspace.root / "operations" / "executions.yaml"
    before = path.read_bytes()
    operation["options"] = {"max_results": -1}
    operation["filter"] = {"property": "executionDuration", "operator": "LIKE", "arguments": ["1%"]}
    response = http.put("/api/operations/executions", json={"operation": operation})
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any(f"{path}:" in p and "options.max_results" in p for p in problems), problems
    refused(
        http.put("/api/operations/executions", json={"operation": {**operation, "colour": 1}}),
        400,
        "has no field 'colour'",
    )
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["executions.yaml"]


def test_a_saved_operation_is_laid_out_in_the_descriptors_field_order(
    http: httpx.Client, server: DesignerServer
) -> None:
    operation = _import(http, "GET", "Process", "get-process")["operation"]
    reordered = {
        "options": {"not_found": "empty"},
        "parameters": {"p": {"from": "document_property", "name": "processId"}},
        "id": {"param": "p"},
        **operation,
        "description": "",
    }
    saved = ok(http.put("/api/operations/get-process", json={"operation": reordered}))
    assert saved["problems"] == []
    text = (server.workspace.root / "operations" / "get-process.yaml").read_text("utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == [
        "kind", "version", "name", "action", "object", "tracking",
        "return_application_errors", "profiles", "id", "parameters", "options",
    ]  # fmt: skip


def test_a_save_keeps_the_files_comments_and_rewrites_only_what_changed(
    http: httpx.Client, server: DesignerServer
) -> None:
    operation = _import(http, "QUERY", "ExecutionRecord", "executions")["operation"]
    path = server.workspace.root / "operations" / "executions.yaml"
    path.write_text("# kept: a note of the team\n" + path.read_text("utf-8"), "utf-8")
    operation["filter"] = {"property": "status", "operator": "EQUALS", "arguments": ["ERROR"]}
    operation["return_application_errors"] = True
    assert (
        ok(http.put("/api/operations/executions", json={"operation": operation}))["problems"] == []
    )
    text = path.read_text("utf-8")
    assert text.startswith("# kept: a note of the team\n# QUERY ExecutionRecord")
    assert "# >>> filter template" in text and "# <<< filter template" in text
    assert "return_application_errors: true" in text and "operator: EQUALS" in text
    saved = ok(http.get("/api/operations/executions"))["operation"]
    assert saved["filter"] == operation["filter"] and saved["return_application_errors"] is True

    del operation["filter"]  # a field cleared in the form leaves the file
    assert (
        ok(http.put("/api/operations/executions", json={"operation": operation}))["problems"] == []
    )
    text = path.read_text("utf-8")
    assert "\nfilter:" not in text and text.startswith("# kept: a note of the team\n")


def test_a_run_reports_each_document_and_keeps_the_secret_out_of_files(
    http: httpx.Client, server: DesignerServer
) -> None:
    _import(http, "GET", "Account", "get-account")
    account = f'<bns:Account xmlns:bns="{API_NS}" accountId="{DEFAULT_ACCOUNT_ID}"/>'
    shapes = [
        {"kind": "start", "data": account},
        {"kind": "connector", "label": "Get the account", "operation": "get-account"},
        {"kind": "end"},
    ]  # fmt: skip
    result = ok(http.post("/api/run", json={"name": "account", "shapes": shapes}))
    assert result["status"] == "COMPLETE"
    assert [(d["step"], d["status"], d["code"]) for d in result["documents"]] == [
        ("Start", "SUCCESS", ""),
        ("Get the account", "SUCCESS", "200"),
    ]
    root = server.workspace.root
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".xsd", ".xml"):
            assert DEFAULT_PASSWORD not in path.read_text("utf-8"), path


@pytest.mark.parametrize(
    ("shapes", "status", "message"),
    [
        ([], 400, "begins with a Start shape"),
        ([{"kind": "start"}, {"kind": "connector", "label": "Get"}], 400, "has no operation"),
        ([{"kind": "start"}, {"kind": "connector", "operation": "nope"}], 404, "unknown operation"),
        ([{"kind": "start"}, {"kind": "end"}, {"kind": "write"}], 400, "nothing may follow"),
        ([{"kind": "start"}, {"kind": "shell"}], 400, "unknown kind 'shell'"),
    ],
)
def test_a_process_that_cannot_run_is_refused_with_its_reason(
    http: httpx.Client, shapes: list[dict[str, str]], status: int, message: str
) -> None:
    refused(http.post("/api/run", json={"name": "p", "shapes": shapes}), status, message)


@pytest.mark.slow
def test_the_command_serves_until_it_is_stopped(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMSPHERE_")}
    command = [
        sys.executable,
        "-m",
        "connector",
        "designer",
        "--port",
        "0",
        "--workdir",
        str(tmp_path),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("AtomSphere designer on http://127.0.0.1:"), first
        url = first.split(" on ", 1)[1].strip()
        assert "sandbox" in process.stdout.readline()
        assert httpx.get(url, timeout=60).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0

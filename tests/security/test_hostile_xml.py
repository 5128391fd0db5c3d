"""Hostile XML is refused wherever XML enters, with one clear line, reading nothing from disk or
the network: documents given to operations, the API's answers, profiles, the schema the wizard
fetches, a process's document folder, and the sandbox's request bodies.

(The parser's own basics, a file XXE, a small billion-laughs and size limits, are in
``tests/test_xml_safety.py``; here every kind meets every door.)
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connector.atomsphere.connection import Connection, Secret
from connector.atomsphere.pool import DEFAULT_POOL
from connector.atomsphere.responses import TITLE_MAX, error_message
from connector.cli import main
from connector.documents import Document, Status
from connector.errors import ConfigError, XMLInputError
from connector.host import load_process, run_process
from connector.host.reporting import connect, execution_documents
from connector.plugins import get_plugin_manager
from connector.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_PASSWORD, DEFAULT_USERNAME
from connector.wizard import SchemaDocument, fetch_schema, load_served_schema
from connector.xml import parse_xml
from tests.client.fakeapi import BASE_URL, FakeApi
from tests.conftest import ROOT
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, doc, operation, run
from tests.engine.sandboxed import Sandboxed
from tests.security.hostile import CANARY, Bait, hostile_xml, one_line_error
from tests.wizard.conftest import ACCOUNT, PASSWORD, USER, serving

KINDS = sorted(hostile_xml(Path("x"), "http://127.0.0.1:9/x"))
XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'


def _one_line(message: str | None) -> str:
    assert message, "a refusal says why"
    assert "\n" not in message and "XML_PARSE_HUGE" not in message
    return message


@pytest.mark.parametrize("kind", KINDS)
def test_the_parser_refuses_each_kind_in_one_line(kind: str, bait: Bait) -> None:
    with pytest.raises(XMLInputError) as info:
        parse_xml(bait.xml()[kind], source="input 7")
    message = _one_line(str(info.value))
    assert message.startswith("input 7: ")
    bait.assert_untouched(message)


def test_documents_given_to_an_operation_are_each_answered_and_never_sent(bait: Bait) -> None:
    sandboxed = Sandboxed()
    hostile = bait.xml()
    documents = [Document(data) for data in hostile.values()]
    results = sandboxed.run("create-environment", documents)
    assert len(results) == len(documents)
    for kind, result in zip(hostile, results, strict=True):
        assert result.status is Status.APPLICATION_ERROR, kind
        assert "input document" in _one_line(result.message), (kind, result.message)
        bait.assert_untouched(result.message or "")
    assert sandboxed.calls("POST /Environment") == 0


def test_documents_read_by_an_xpath_parameter_fail_with_the_reason(
    tmp_path: Path, bait: Bait, api: FakeApi
) -> None:
    op = operation(
        tmp_path,
        """
        action: GET
        object: Process
        id: {param: p}
        parameters:
          p: {from: xpath, xpath: /a/@id}
        """,
    )
    hostile = bait.xml()
    results = run(op, api, [Document(data) for data in hostile.values()])
    assert len(results) == len(hostile)
    for kind, result in zip(hostile, results, strict=True):
        assert result.status in (Status.FAILURE, Status.APPLICATION_ERROR), kind
        bait.assert_untouched(_one_line(result.message))
    assert api.requests == []


@pytest.mark.parametrize("status", [200, 500])
def test_hostile_answers_from_the_server_fail_the_document_with_the_reason(
    tmp_path: Path, bait: Bait, api: FakeApi, status: int
) -> None:
    hostile = bait.xml()
    for i, data in enumerate(hostile.values()):
        api.on(
            "GET",
            f"/Process/p{i}",
            httpx.Response(status, content=data, headers={"Content-Type": "application/xml"}),
        )
    op = operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    results = run(op, api, [doc(processId=f"p{i}") for i in range(len(hostile))])
    assert len(results) == len(hostile)
    for kind, result in zip(hostile, results, strict=True):
        assert result.status in (Status.FAILURE, Status.APPLICATION_ERROR), kind
        bait.assert_untouched(_one_line(result.message))


def test_a_gateway_page_built_to_make_a_title_search_backtrack_is_read_linearly() -> None:
    # Each of these took minutes with a backtracking <title> regular expression.
    assert error_message(b"<title" * 100_000, "text/html") is None
    assert error_message(b"<title>" * 100_000, "text/html") is None
    long_title = error_message(b"<p><title>" + b"<" * 60_000 + b"</title>", "text/html")
    assert long_title is not None and len(long_title) <= TITLE_MAX + 1


def test_a_hostile_gateway_page_is_one_failure_not_a_hang(tmp_path: Path, api: FakeApi) -> None:
    page = b"<html><head><title>Bad <b>Gateway</b></title>" + b"<title" * 50_000
    api.on(
        "GET",
        "/Process/p1",
        httpx.Response(500, content=page, headers={"Content-Type": "text/html"}),
    )
    (result,) = run(operation(tmp_path, GET_PROCESS_ONE_BY_ONE), api, [doc(processId="p1")])
    assert result.status is Status.FAILURE
    assert "Bad Gateway" in _one_line(result.message)


def test_json_error_bodies_nested_too_deep_are_not_a_crash(tmp_path: Path, api: FakeApi) -> None:
    deep = httpx.Response(400, content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    api.on("GET", "/Process/p1", deep)
    (result,) = run(operation(tmp_path, GET_PROCESS_ONE_BY_ONE), api, [doc(processId="p1")])
    assert result.status in (Status.FAILURE, Status.APPLICATION_ERROR)
    _one_line(result.message)


# -- profiles --------------------------------------------------------------------------------


#: Profiles naming another schema document, ``{xsd}`` a local one and ``{url}`` a loopback URL.
REFERENCES = {
    "include-file": '<xs:include schemaLocation="{xsd}"/>',
    "include-file-url": '<xs:include schemaLocation="file://{xsd}"/>',
    "import-network": '<xs:import namespace="urn:x" schemaLocation="{url}"/>',
    "redefine-file": '<xs:redefine schemaLocation="canary.xsd"/>',
    "override-file": '<xs:override schemaLocation="canary.xsd"/>',
    "import-no-location": '<xs:import namespace="urn:x"/>',
}


def _profile(bait: Bait, kind: str) -> bytes:
    if kind not in REFERENCES:
        return bait.xml()[kind]
    canary_xsd = bait.file.with_name("canary.xsd")
    canary_xsd.write_text(f'<xs:schema {XS}><xs:element name="{CANARY}"/></xs:schema>')
    refer = REFERENCES[kind].format(xsd=canary_xsd, url=bait.url)
    element = '<xs:element name="Environment" type="xs:string"/>'
    return f"<xs:schema {XS}>{refer}{element}</xs:schema>".encode()


@pytest.mark.parametrize("kind", sorted([*REFERENCES, *KINDS]))
def test_a_profile_that_refers_elsewhere_or_is_hostile_is_refused_at_load(
    tmp_path: Path, bait: Bait, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profiles" / "evil.xsd"
    profile.parent.mkdir()
    profile.write_bytes(_profile(bait, kind))
    text = "action: CREATE\nobject: Environment\nprofiles: {request: profiles/evil.xsd}\n"
    with pytest.raises(ConfigError) as info:
        operation(tmp_path, text)
    message = _one_line(str(info.value))
    assert str(profile) in message and "profiles.request" in message
    if kind.startswith(("include", "import", "redefine", "override")):
        assert f"op.yaml:6: profiles.request: {profile}:1: xs:" in message
        assert "must be self-contained" in message
    assert main(["run", str(tmp_path / "op.yaml")]) == 2
    bait.assert_untouched(message, one_line_error(capsys.readouterr().err))


# -- the wizard's served schema --------------------------------------------------------------


def _wizard_connection() -> Connection:
    return Connection(ACCOUNT, USER, Secret(PASSWORD), base_url="https://api.test.example")


def test_the_wizard_refuses_a_hostile_served_schema_and_fetches_nothing_else(
    bait: Bait,
) -> None:
    connection = _wizard_connection()
    schemas = {
        **bait.xml(),
        # the import is used, so the schema cannot load without the document it would fetch
        "import-network": f'<xs:schema {XS} xmlns:x="urn:x"><xs:import namespace="urn:x" '
        f'schemaLocation="{bait.url}"/><xs:element name="a" type="x:T"/></xs:schema>'.encode(),
        "include-file": f'<xs:schema {XS}><xs:include schemaLocation="{bait.file}"/>'
        "</xs:schema>".encode(),
    }
    for kind, data in schemas.items():
        seen: list[str] = []
        document = fetch_schema(connection, serving(data, seen=seen))
        with pytest.raises(XMLInputError) as info:
            load_served_schema(document)
        assert len(seen) == 1, kind
        bait.assert_untouched(_one_line(str(info.value)))


def test_the_wizard_refuses_a_hostile_wsdl(bait: Bait) -> None:
    connection = _wizard_connection()
    for kind, data in bait.xml().items():
        with pytest.raises(XMLInputError) as info:
            fetch_schema(connection, serving(None, wsdl=data))
        bait.assert_untouched(_one_line(str(info.value)), kind)


def test_a_served_schema_that_is_not_xml_schema_does_not_reach_xmlschema(bait: Bait) -> None:
    with pytest.raises(XMLInputError, match="served: not well-formed"):
        load_served_schema(SchemaDocument(bait.xml()["deep-nesting"], "served"))


# -- a process's document folder -------------------------------------------------------------


def test_hostile_files_in_a_process_document_folder_are_each_answered(
    tmp_path: Path, bait: Bait
) -> None:
    sandboxed = Sandboxed()
    DEFAULT_POOL.mount(
        BASE_URL, sandboxed.sandbox.transport(), clock=sandboxed.clock, sleep=sandboxed.clock.sleep
    )
    try:
        hostile = bait.xml()
        (tmp_path / "docs").mkdir()
        for kind, data in hostile.items():
            (tmp_path / "docs" / f"{kind}.xml").write_bytes(data)
        (tmp_path / "process.yaml").write_text(
            "kind: Process\nversion: 1\nname: hostile\n"
            "connections:\n  atomsphere: {connector: atomsphere, fields: "
            f"{{base_url: {BASE_URL}, account_id: {DEFAULT_ACCOUNT_ID}, "
            f"username: {DEFAULT_USERNAME}, password: {DEFAULT_PASSWORD}}}}}\n"
            "start: {documents: [{files: docs/*.xml}]}\n"
            f"steps:\n  - {{name: Create, operation: {ROOT}/operations/create-environment.yaml}}\n",
            "utf-8",
        )
        pm = get_plugin_manager()
        database = tmp_path / "r.db"
        result = run_process(load_process(tmp_path / "process.yaml", pm), pm, database=database)
    finally:
        DEFAULT_POOL.unmount(BASE_URL)
    db = connect(database, create=False)
    try:
        answers = [
            d for d in execution_documents(db, result.execution_id) if d.step_name == "Create"
        ]
    finally:
        db.close()
    assert len(answers) == len(hostile)
    assert {a.status for a in answers} == {"APPLICATION_ERROR"}
    for answer in answers:
        bait.assert_untouched(_one_line(answer.message))
    assert sandboxed.calls("POST /Environment") == 0


# -- the sandbox's request bodies ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/Environment", "/Environment/query", "/Environment/bulk"])
def test_the_sandbox_refuses_hostile_request_bodies_and_keeps_serving(
    path: str, bait: Bait
) -> None:
    sandboxed = Sandboxed()
    with httpx.Client(
        transport=sandboxed.sandbox.transport(),
        base_url=f"{BASE_URL}/api/rest/v1/{DEFAULT_ACCOUNT_ID}",
        auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
    ) as client:
        for kind, data in bait.xml().items():
            answer = client.post(path, content=data, headers={"Content-Type": "application/xml"})
            assert answer.status_code == 400, (kind, answer.text[:200])
            bait.assert_untouched(answer.text)
        deep_json = client.post(
            path,
            content=b"[" * 100_000,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        assert deep_json.status_code == 400
        fine = client.post(
            "/Environment/query", content=b"", headers={"Content-Type": "application/xml"}
        )
        assert fine.status_code == 200

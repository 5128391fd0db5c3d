"""CREATE, GET, UPDATE, DELETE: ids shaped like Boomi's, changes visible to GET and QUERY."""

from __future__ import annotations

import base64
import re

import httpx

from connector.sandbox import fixtures
from tests.sandbox.conftest import JSON, JSON_BODY, XML_BODY
from tests.sandbox.helpers import NS, all_results, error_message, simple, xml

API = "http://api.platform.boomi.com/"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_create_get_update_query_delete_an_environment(client: httpx.Client) -> None:
    created = client.post(
        "/Environment", json={"name": "Staging", "classification": "TEST"}, headers=JSON
    )
    assert created.status_code == 200, created.text
    env = created.json()
    assert UUID.match(env["id"]) and env["@type"] == "Environment"
    assert client.get(f"/Environment/{env['id']}", headers=JSON).json() == env
    updated = client.post(
        f"/Environment/{env['id']}",
        content=f'<bns:Environment xmlns:bns="http://api.platform.boomi.com/" id="{env["id"]}" '
        'name="Staging 2"/>',
        headers=XML_BODY,
    )
    assert updated.status_code == 200
    assert xml(updated).get("name") == "Staging 2"
    assert xml(updated).get("classification") == "TEST"  # merged, not replaced
    found = all_results(client, "Environment", simple("EQUALS", "name", "Staging 2"))
    assert [e["id"] for e in found] == [env["id"]]
    assert client.delete(f"/Environment/{env['id']}").status_code == 200
    gone = client.get(f"/Environment/{env['id']}")
    assert gone.status_code == 400 and "No such environment" in error_message(gone)
    assert all_results(client, "Environment", simple("EQUALS", "name", "Staging 2")) == []


def test_unknown_ids_are_business_errors(client: httpx.Client) -> None:
    for method, path in (
        ("GET", "/Process/nope"),
        ("POST", "/Environment/nope"),
        ("DELETE", "/Environment/nope"),
    ):
        response = client.request(method, path, content=b"<Environment/>")
        assert response.status_code == 400, (method, path)
        assert "No such" in error_message(response)


def test_folder_ids_are_base64_and_delete_marks_deleted(client: httpx.Client) -> None:
    created = client.post("/Folder", json={"name": "Reports"}, headers=JSON_BODY).json()
    decoded = base64.b64decode(created["id"] + "==").decode()
    assert decoded.startswith("F:") and created["id"].startswith("Rj")
    assert created["parentId"] == fixtures.ROOT_FOLDER_ID
    assert created["fullPath"] == "Sandbox Account/Reports"
    assert client.delete(f"/Folder/{created['id']}").status_code == 200
    after = client.get(f"/Folder/{created['id']}", headers=JSON).json()
    assert after["deleted"] is True


def test_renaming_a_folder_renames_its_full_path(client: httpx.Client) -> None:
    """Both third-party SDKs rename folders with ``{"name": ..., "parentId": null}``: the
    folder stays where it is and its fullPath follows the new name."""
    parent = fixtures.INTEGRATIONS_FOLDER_ID
    created = client.post("/Folder", json={"name": "Old", "parentId": parent}, headers=JSON_BODY)
    folder_id = created.json()["id"]
    renamed = client.post(
        f"/Folder/{folder_id}", json={"name": "New", "parentId": None}, headers=JSON_BODY
    ).json()
    assert renamed["parentId"] == parent
    assert renamed["fullPath"] == "Sandbox Account/Integrations/New"
    assert client.get(f"/Folder/{folder_id}", headers=JSON).json()["fullPath"].endswith("/New")


def test_branch_ids_follow_boomis_shape(client: httpx.Client) -> None:
    branch = client.post("/Branch", json={"name": "feature/x"}, headers=JSON_BODY).json()
    assert base64.b64decode(branch["id"] + "==").decode().startswith("B:")


def test_components_cannot_be_deleted(client: httpx.Client) -> None:
    response = client.delete(f"/Component/{fixtures.ORDER_INTAKE.id}")
    assert response.status_code == 400
    assert error_message(response) == "Unknown objectType for delete operation: Component"


def test_environment_delete_is_refused_while_atoms_are_attached(client: httpx.Client) -> None:
    refused = client.delete(f"/Environment/{fixtures.PRODUCTION.id}")
    assert refused.status_code == 400 and "attachments" in error_message(refused)
    for kind in ("EnvironmentAtomAttachment", "IntegrationPackEnvironmentAttachment"):
        attached = simple("EQUALS", "environmentId", fixtures.PRODUCTION.id)
        for attachment in all_results(client, kind, attached):
            assert client.delete(f"/{kind}/{attachment['id']}").status_code == 200
    assert client.delete(f"/Environment/{fixtures.PRODUCTION.id}").status_code == 200


def test_attachments_need_both_ends_to_exist(client: httpx.Client) -> None:
    body = {"atomId": fixtures.DEV_ATOM.id, "environmentId": "missing"}
    response = client.post("/EnvironmentAtomAttachment", json=body, headers=JSON)
    assert response.status_code == 400 and "No such environment" in error_message(response)


COMPONENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<bns:Component xmlns:bns="http://api.platform.boomi.com/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="Map A" type="transform.map">'
    b"<bns:encryptedValues/><bns:description>d</bns:description><bns:object>"
    b'<Map xmlns="" fromProfile="a" toProfile="b">\n  <Mappings><Mapping fromKey="3" '
    b'toKey="9" x="&lt;&amp;"/></Mappings>\n  <!-- kept --></Map></bns:object></bns:Component>'
)


def _object_bytes(body: bytes) -> bytes:
    return body.split(b"<bns:object>", 1)[1].split(b"</bns:object>", 1)[0]


def test_component_content_round_trips_byte_for_byte(client: httpx.Client) -> None:
    created = client.post("/Component", content=COMPONENT, headers=XML_BODY)
    assert created.status_code == 200, created.text
    component_id = xml(created).get("componentId")
    assert component_id and UUID.match(component_id)
    fetched = client.get(f"/Component/{component_id}", headers=JSON)  # XML whatever Accept says
    assert fetched.headers["content-type"].startswith("application/xml")
    assert _object_bytes(fetched.content) == _object_bytes(COMPONENT)
    assert xml(fetched).get("version") == "1"
    assert client.get(f"/Component/{component_id}~1").status_code == 200
    assert client.get(f"/Component/{component_id}~7").status_code == 400


def test_component_updates_bump_the_version_and_refuse_no_change(client: httpx.Client) -> None:
    component_id = xml(client.post("/Component", content=COMPONENT)).get("componentId")
    same = client.post(f"/Component/{component_id}", content=COMPONENT)
    assert same.status_code == 400 and "No changes" in error_message(same)
    changed = COMPONENT.replace(b'name="Map A"', b'name="Map B"')
    updated = xml(client.post(f"/Component/{component_id}", content=changed))
    assert (updated.get("name"), updated.get("version")) == ("Map B", "2")
    metadata = client.get(f"/ComponentMetadata/{component_id}", headers=JSON).json()
    assert metadata["version"] == 2 and "object" not in metadata


def test_a_component_update_without_its_configuration_is_refused(client: httpx.Client) -> None:
    component_id = xml(client.post("/Component", content=COMPONENT)).get("componentId")
    for _ in range(2):
        empty = client.post(
            f"/Component/{component_id}",
            content=b'<bns:Component xmlns:bns="http://api.platform.boomi.com/"/>',
        )
        assert empty.status_code == 400
        assert error_message(empty) == (
            "Component.object is required: send the component's whole configuration"
        )
    kept = xml(client.get(f"/Component/{component_id}"))
    assert (kept.get("name"), kept.get("type"), kept.get("version")) == (
        "Map A",
        "transform.map",
        "1",
    )
    # Server-kept fields left out (name, type) or sent stale (version, dates) are no change.
    bare = COMPONENT.replace(b' name="Map A" type="transform.map"', b' version="9"')
    same = client.post(f"/Component/{component_id}", content=bare)
    assert same.status_code == 400 and "No changes" in error_message(same)
    created = client.post("/Component", content=b'<Component name="x" type="process"/>')
    assert created.status_code == 400 and "Component.object is required" in error_message(created)


def test_a_b2b_component_update_needs_its_configuration_too(client: httpx.Client) -> None:
    created = client.post(
        "/OrganizationComponent",
        json={"componentName": "Org", "OrganizationContactInfo": {"contactName": "A"}},
        headers=JSON,
    )
    assert created.status_code == 200, created.text
    component_id = created.json()["componentId"]
    empty = client.post(
        f"/OrganizationComponent/{component_id}", json={"componentName": "Org"}, headers=JSON
    )
    assert empty.status_code == 400
    assert "OrganizationComponent.OrganizationContactInfo is required" in error_message(empty)


def test_component_refuses_json_bodies(client: httpx.Client) -> None:
    response = client.post("/Component", json={"name": "x"}, headers=JSON)
    assert response.status_code == 400 and "XML" in error_message(response)


def test_invalid_values_are_400_naming_the_field(client: httpx.Client) -> None:
    response = client.post(
        "/Environment", json={"name": "X", "classification": "GOLD"}, headers=JSON
    )
    assert response.status_code == 400
    assert "Environment.classification" in error_message(response)
    broken = client.post("/Environment", content=b"<Environment", headers=XML_BODY)
    assert broken.status_code == 400 and "not well-formed" in error_message(broken)


def test_get_assignable_roles_lists_the_roles(client: httpx.Client) -> None:
    roles = xml(client.get("/getAssignableRoles"))
    assert roles.tag == "{http://api.platform.boomi.com/}Roles"
    assert len(roles.findall("bns:Role", NS)) == 6


def test_components_carry_their_folders_name_and_path(client: httpx.Client) -> None:
    """Boomi's CreateComponent answer names the folder (read-only, from ``folderId``) and
    carries ``encryptedValues`` even when empty; a third-party client reading ``folderName``
    after a create must find it."""
    body = COMPONENT.replace(b'name="Map A"', b'name="Map A" folderId="RjoxMDAx"').replace(
        b"<bns:encryptedValues/>", b""
    )
    created = client.post("/Component", content=body, headers=XML_BODY)
    assert created.status_code == 200, created.text
    component = xml(created)
    assert component.get("folderName") == "Integrations"
    assert component.get("folderFullPath") == "Sandbox Account/Integrations"
    assert component.find("bns:encryptedValues", NS) is not None
    component_id = component.get("componentId")
    moved = body.replace(b"RjoxMDAx", fixtures.ROOT_FOLDER_ID.encode())
    updated = xml(client.post(f"/Component/{component_id}", content=moved))
    assert (updated.get("folderName"), updated.get("version")) == ("Sandbox Account", "2")
    metadata = client.get(f"/ComponentMetadata/{component_id}", headers=JSON).json()
    assert metadata["folderName"] == "Sandbox Account"


def _folder(client: httpx.Client, **body: str) -> httpx.Response:
    return client.post("/Folder", json=body, headers=JSON)


def _component_in(client: httpx.Client, folder_id: str) -> str:
    body = COMPONENT.replace(b'name="Map A"', f'name="Map A" folderId="{folder_id}"'.encode())
    created = client.post("/Component", content=body)
    assert created.status_code == 200, created.text
    return str(xml(created).get("componentId"))


def test_folder_rules_of_the_spec(client: httpx.Client) -> None:
    root = client.delete(f"/Folder/{fixtures.ROOT_FOLDER_ID}", headers=JSON)
    assert root.status_code == 400
    assert error_message(root) == f"The root folder cannot be deleted: {fixtures.ROOT_FOLDER_ID}"
    top = _folder(client, name="Top").json()["id"]
    below = _folder(client, name="Below", parentId=top).json()["id"]
    component_id = _component_in(client, below)
    assert client.delete(f"/Folder/{top}").status_code == 200
    assert client.get(f"/Folder/{below}", headers=JSON).json()["deleted"] is True
    assert xml(client.get(f"/Component/{component_id}")).get("deleted") == "true"
    metadata = client.get(f"/ComponentMetadata/{component_id}", headers=JSON).json()
    assert metadata["deleted"] is True
    refused = _folder(client, name="Orphan", parentId=top)
    assert refused.status_code == 400
    assert error_message(refused) == (
        f"parentId must be a valid, non-deleted folder: folder {top} is deleted"
    )
    restored = _folder(client, id=below, name="Below")
    assert restored.status_code == 400  # its parent is still deleted
    restored = _folder(client, id=top, name="Top")
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    assert restored.json()["id"] == top and restored.json()["fullPath"] == "Sandbox Account/Top"
    assert _folder(client, id=below, name="Below").json()["deleted"] is False
    assert xml(client.get(f"/Component/{component_id}")).get("deleted") == "false"
    cycle = client.post(f"/Folder/{top}", json={"parentId": below}, headers=JSON)
    assert cycle.status_code == 400
    assert error_message(cycle) == f"parentId must not be folder {top} itself or a folder below it"


def test_a_component_lives_in_a_live_folder_named_by_the_server(client: httpx.Client) -> None:
    unknown = client.post(
        "/Component",
        content=COMPONENT.replace(b'name="Map A"', b'name="Map A" folderId="RjozMDk2OQ"'),
    )
    assert unknown.status_code == 400
    assert error_message(unknown) == "No such folder: RjozMDk2OQ"
    claimed = COMPONENT.replace(
        b'name="Map A"', b'name="Map A" folderName="Elsewhere" folderFullPath="A/B"'
    )
    created = xml(client.post("/Component", content=claimed))
    assert (created.get("folderId"), created.get("folderName"), created.get("folderFullPath")) == (
        fixtures.ROOT_FOLDER_ID,
        "Sandbox Account",
        "Sandbox Account",
    )
    gone = _folder(client, name="Gone").json()["id"]
    client.delete(f"/Folder/{gone}")
    refused = client.post(
        "/Component", content=COMPONENT.replace(b'name="Map A"', f'folderId="{gone}"'.encode())
    )
    assert error_message(refused) == (
        f"folderId must be a valid, non-deleted folder: folder {gone} is deleted"
    )
    organization = {"componentName": "Org", "OrganizationContactInfo": {"contactName": "A"}}
    numbered = client.post(
        "/OrganizationComponent", json={**organization, "folderId": 1001}, headers=JSON
    ).json()
    assert (numbered["folderId"], numbered["folderName"]) == (1001, "Integrations")
    missing = client.post(
        "/OrganizationComponent", json={**organization, "folderId": 11356}, headers=JSON
    )
    assert error_message(missing) == "No such folder: 11356"


def test_a_create_or_update_of_another_type_is_refused(client: httpx.Client) -> None:
    """``<a>hello</a>`` or ``<Environment xmlns="urn:other"/>`` created an Environment with no
    name; a body of another type is 400, and nothing is written."""
    before = len(all_results(client, "Environment", None))
    env = f"/Environment/{fixtures.PRODUCTION.id}"
    expected = "<{http://api.platform.boomi.com/}Environment>"
    for path in ("/Environment", env):
        for body, uri, local in (
            ("<a>hello</a>", "", "a"),
            ('<Environment xmlns="urn:other" name="x"/>', "urn:other", "Environment"),
            ('<bns:Role xmlns:bns="http://api.platform.boomi.com/" name="x"/>', API, "Role"),
        ):
            refused = client.post(path, content=body, headers=XML_BODY)
            assert refused.status_code == 400, (path, body)
            assert error_message(refused) == (
                f'unexpected element (uri:"{uri}", local:"{local}"). '
                f"Expected elements are {expected}"
            )
        wrong = client.post(path, json={"@type": "Role", "name": "x"}, headers=JSON_BODY)
        assert wrong.status_code == 400
        assert error_message(wrong) == "Unexpected @type 'Role': the body must be a Environment"
    assert len(all_results(client, "Environment", None)) == before
    assert xml(client.get(env)).get("name") == "Production"


def test_a_create_names_its_type_or_leaves_it_out(client: httpx.Client) -> None:
    for body, headers in (
        ('<Environment name="No namespace"/>', XML_BODY),
        ('<x:Environment xmlns:x="http://api.platform.boomi.com/" name="Any prefix"/>', XML_BODY),
    ):
        assert client.post("/Environment", content=body, headers=headers).status_code == 200
    for body in ({"name": "No type"}, {"@type": "Environment", "name": "Typed"}):
        assert client.post("/Environment", json=body, headers=JSON_BODY).status_code == 200

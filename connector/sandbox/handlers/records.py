"""GET, CREATE, UPDATE (``POST /{Object}/{id}``) and DELETE of stored records.

Conventions (docs/sandbox.md): an unknown id is a 400 business error ("No such ..."); UPDATE
merges the fields sent over the stored record (the Component family replaces its content, bumps
``version`` and refuses an update that changes nothing); DELETE answers 200 with an empty body,
marks ``deleted="true"`` on objects that have that flag (Folder, ComponentMetadata) and removes
the others; an Environment with attached Runtimes or integration packs cannot be deleted.
"""

from __future__ import annotations

from typing import Final

from connector.atomsphere.catalog import ObjectInfo
from connector.sandbox.handlers.common import (
    ApiError,
    Call,
    folder_defaults,
    new_key,
    no_such,
    stamp,
)
from connector.sandbox.shapes import Record
from connector.sandbox.wire import Response

#: Objects whose content is the component XML (opaque ``object``), updated by full replace.
COMPONENT_FAMILY: Final = frozenset(
    {
        "Component",
        "TradingPartnerComponent",
        "OrganizationComponent",
        "SharedCommunicationChannelComponent",
    }
)
_COMPONENT_SERVER_FIELDS: Final = (
    "componentId",
    "version",
    "createdDate",
    "createdBy",
    "modifiedDate",
    "modifiedBy",
    "currentVersion",
    "deleted",
)
#: Attachments that keep an Environment from being deleted: (object, field naming it).
_ENVIRONMENT_ATTACHMENTS: Final = (
    ("EnvironmentAtomAttachment", "environmentId"),
    ("IntegrationPackEnvironmentAttachment", "environmentId"),
)


def get(call: Call) -> Response:
    if call.info.name == "getAssignableRoles":
        roles = [record for _, _, record in call.sandbox.store.collection("Role").scan()]
        return call.render.record(call.typed({"Role": roles}, "Roles"))
    key = (
        _component_key(call) if call.info.name in ("Component", "ComponentMetadata") else call.param
    )
    record = call.collection().get(key)
    if record is None:
        raise no_such(call.info, call.param)
    return call.render.record(call.typed(record))


def _component_key(call: Call) -> str:
    """``{id}~{version}`` or ``{id}~{branchId}``: only the current revision is kept."""
    key, _, suffix = call.param.partition("~")
    if suffix:
        record = call.collection().get(key)
        current = record.get("version") if record else None
        if suffix.isdigit() and suffix != current:
            raise ApiError(400, f"ComponentId {call.param} is invalid")
        if not suffix.isdigit() and record is not None and record.get("branchId") != suffix:
            raise ApiError(400, f"ComponentId {call.param} is invalid")
    return key


def create(call: Call) -> Response:
    record = call.body()
    info = call.info
    if info.name == "Folder":
        folder_defaults(call, record)
    elif info.name == "EnvironmentAtomAttachment":
        _require(call, "Atom", record.get("atomId"))
        _require(call, "Environment", record.get("environmentId"))
    key = new_key(call, record)
    collection = call.collection()
    if collection.exists(key):
        raise ApiError(400, f"{info.name} {key} already exists")
    if info.id_field:
        record[info.id_field] = key
    if info.name in COMPONENT_FAMILY:
        record.update(version="1", currentVersion="true")
        _component_defaults(call, record)
    stamp(call, record, creating=True)
    call.sandbox.seed.faker.fix_names(record)
    collection.put(key, record)
    return call.render.record(call.typed(record))


def update(call: Call) -> Response:
    info = call.info
    key = call.param.partition("~")[0] if info.name in COMPONENT_FAMILY else call.param
    collection = call.collection()
    current = collection.get(key)
    if current is None:
        raise no_such(info, key)
    sent = call.body()
    if info.name in COMPONENT_FAMILY:
        record = _replace_component(call, current, sent)
        _component_defaults(call, record)
    elif sent.get("partialUpdate") == "false":
        record = sent  # CloudAttachmentProperties: what is not sent goes back to its default
    else:
        record = {**current, **sent}
    if info.id_field:
        record[info.id_field] = key
    if info.name == "Folder" and ("parentId" in sent or "name" in sent):
        folder_defaults(call, record)  # a rename or a move changes fullPath
    stamp(call, record, creating=False)
    call.sandbox.seed.faker.fix_names(record)
    collection.put(key, record)
    return call.render.record(call.typed(record))


def _replace_component(call: Call, current: Record, sent: Record) -> Record:
    def content(record: Record) -> Record:
        ignored = (*_COMPONENT_SERVER_FIELDS, "encryptedValues", "folderName", "folderFullPath")
        return {k: v for k, v in record.items() if k not in ignored}

    if content(sent) == content(current):
        raise ApiError(400, f"No changes were made to {call.info.name} {call.param}")
    record = dict(sent)
    for kept in ("createdDate", "createdBy", "folderId", "folderName", "encryptedValues"):
        if kept not in record and kept in current:
            record[kept] = current[kept]
    record["version"] = str(int(current.get("version", "1")) + 1)
    record["currentVersion"] = "true"
    record["deleted"] = "false"
    return record


def _component_defaults(call: Call, record: Record) -> None:
    """What Boomi fills in on a component it stores (its ``CreateComponent`` example): the
    read-only ``folderName`` and ``folderFullPath`` follow ``folderId``, and ``encryptedValues``
    is there even when empty. A folder the sandbox does not hold is taken on trust: Boomi's own
    examples name folders of their accounts, and the spec-example tests send them as they are."""
    shapes, record_type = call.sandbox.shapes, call.record_type
    if shapes.field(record_type, "encryptedValues") is not None:
        record.setdefault("encryptedValues", {})
    folder_id = record.get("folderId")
    if not folder_id:
        return
    folder = call.sandbox.store.collection("Folder").get(str(folder_id))
    if folder is None:
        return
    record["folderName"] = folder.get("name", "")
    if shapes.field(record_type, "folderFullPath") is not None:
        record["folderFullPath"] = folder.get("fullPath", folder.get("name", ""))


def delete(call: Call) -> Response:
    info, key = call.info, call.param
    collection = call.collection()
    current = collection.get(key)
    if current is None:
        raise no_such(info, key)
    if info.name == "Environment":
        _refuse_attached(call, key)
    if call.sandbox.shapes.field(call.record_type, "deleted") is not None:
        current["deleted"] = "true"
        stamp(call, current, creating=False)
        collection.put(key, current)
    else:
        collection.delete(key)
    return Response(200)


def _refuse_attached(call: Call, environment_id: str) -> None:
    for object_name, field in _ENVIRONMENT_ATTACHMENTS:
        attachments = call.sandbox.store.collection(object_name)
        for _, _, record in attachments.scan():
            if record.get(field) == environment_id:
                raise ApiError(
                    400,
                    f"Environment {environment_id} cannot be deleted while it has attachments "
                    f"({object_name} {record.get('id', '')})",
                )


def _require(call: Call, object_name: str, key: object) -> None:
    info: ObjectInfo = call.sandbox.catalog.object(object_name)
    if not isinstance(key, str) or not call.sandbox.store.collection(object_name).exists(key):
        raise no_such(info, str(key or ""))

"""GET, CREATE, UPDATE (``POST /{Object}/{id}``) and DELETE of stored records.

Conventions (docs/sandbox.md): an unknown id is a 400 business error ("No such ..."); UPDATE
merges the fields sent over the stored record (the Component family must send its
configuration, replaces its content, bumps ``version`` and refuses an update that changes
nothing); DELETE answers 200 with an empty body,
marks ``deleted="true"`` on objects that have that flag (Folder, ComponentMetadata) and removes
the others; an Environment with attached Runtimes or integration packs cannot be deleted.
"""

from __future__ import annotations

from typing import Final

from connector.atomsphere.catalog import ObjectInfo
from connector.sandbox.handlers import folders
from connector.sandbox.handlers.common import ApiError, Call, new_key, no_such, stamp
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
#: What a component body must hold, its configuration: the spec's ``required`` list for each
#: (Component's ``object`` only: ``description`` and ``processOverrides`` are optional by their
#: descriptions and absent from the spec's own UpdateComponent example).
_COMPONENT_CONTENT: Final = {
    "Component": ("object",),
    "TradingPartnerComponent": (
        "ContactInfo",
        "PartnerCommunication",
        "PartnerDocumentTypes",
        "PartnerInfo",
    ),
    "OrganizationComponent": ("OrganizationContactInfo",),
    "SharedCommunicationChannelComponent": ("PartnerArchiving", "PartnerCommunication"),
}
#: Fields the server sets: a body's values for them are ignored.
_COMPONENT_SERVER_FIELDS: Final = (
    "componentId",
    "version",
    "createdDate",
    "createdBy",
    "modifiedDate",
    "modifiedBy",
    "currentVersion",
    "deleted",
    "folderName",
    "folderFullPath",
)
#: What an update keeps when its body leaves it out: what the server set at creation, the
#: encrypted values (the spec: omitting one does not change it), the folder, and the
#: component's name and type (attributes, not the configuration an update replaces).
_COMPONENT_KEPT: Final = (
    "createdDate",
    "createdBy",
    "encryptedValues",
    "folderId",
    "name",
    "type",
    "componentName",
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
    record = call.body(check_root=True)
    info = call.info
    if info.name == "Folder":
        restored = folders.restore(call, record)
        if restored is not None:
            return call.render.record(call.typed(restored))
        folders.place(call, None, record)
    elif info.name == "EnvironmentAtomAttachment":
        _require(call, "Atom", record.get("atomId"))
        _require(call, "Environment", record.get("environmentId"))
    elif info.name in COMPONENT_FAMILY:
        _require_content(call, record)
        _component_defaults(call, record)
    key = new_key(call, record)
    collection = call.collection()
    if collection.exists(key):
        raise ApiError(400, f"{info.name} {key} already exists")
    if info.id_field:
        record[info.id_field] = key
    if info.name in COMPONENT_FAMILY:
        record.update(version="1", currentVersion="true")
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
    sent = call.body(check_root=True)
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
        folders.place(call, key, record)  # a rename or a move changes fullPath
    stamp(call, record, creating=False)
    call.sandbox.seed.faker.fix_names(record)
    collection.put(key, record)
    return call.render.record(call.typed(record))


def _require_content(call: Call, record: Record) -> None:
    """A component body must carry its configuration (the spec: "you must supply a valid
    component XML format for the given type"); without it an update would wipe it."""
    missing = [name for name in _COMPONENT_CONTENT[call.info.name] if not _filled(record.get(name))]
    if missing:
        fields = ", ".join(f"{call.info.name}.{name}" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        raise ApiError(400, f"{fields} {verb} required: send the component's whole configuration")


def _filled(value: object) -> bool:
    """The element is there; ``object`` (open XML, kept as text) holds an element."""
    if isinstance(value, str):
        return "<" in value
    return value is not None


def _replace_component(call: Call, current: Record, sent: Record) -> Record:
    _require_content(call, sent)
    record = {k: v for k, v in sent.items() if k not in _COMPONENT_SERVER_FIELDS}
    for kept in _COMPONENT_KEPT:
        if kept not in record and kept in current:
            record[kept] = current[kept]

    def content(record: Record) -> Record:
        ignored = (*_COMPONENT_SERVER_FIELDS, "encryptedValues")
        return {k: v for k, v in record.items() if k not in ignored}

    if content(record) == content(current):
        raise ApiError(400, f"No changes were made to {call.info.name} {call.param}")
    record["version"] = str(int(current.get("version", "1")) + 1)
    record["currentVersion"] = "true"
    record["deleted"] = "false"
    return record


def _component_defaults(call: Call, record: Record) -> None:
    """What Boomi fills in on a component it stores (its ``CreateComponent`` example): the
    folder (the root when none is given) with its read-only ``folderName`` and
    ``folderFullPath``, and ``encryptedValues`` even when empty."""
    if call.sandbox.shapes.field(call.record_type, "encryptedValues") is not None:
        record.setdefault("encryptedValues", {})
    folders.component_folder(call, record)


def delete(call: Call) -> Response:
    info, key = call.info, call.param
    collection = call.collection()
    current = collection.get(key)
    if current is None:
        raise no_such(info, key)
    if info.name == "Environment":
        _refuse_attached(call, key)
    if info.name == "Folder":
        folders.delete(call, key)
    elif call.sandbox.shapes.field(call.record_type, "deleted") is not None:
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

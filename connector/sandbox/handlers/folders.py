"""The Folder rules of the spec's Folder descriptions, and where components may live.

``parentId`` (and a component's ``folderId``) must name a folder that exists and is not
deleted; omitted, it is the root folder. The root folder cannot be deleted; deleting a folder
marks it, its sub-folders and the components in any of them deleted. A CREATE that gives the
id of a deleted folder restores it, and the deleted components in it.
"""

from __future__ import annotations

import base64
from typing import Final

from connector.sandbox.handlers.common import ApiError, Call, no_such, stamp
from connector.sandbox.seed import numbered_id
from connector.sandbox.seed.fixtures import ROOT_FOLDER_ID
from connector.sandbox.shapes import Record

#: The root folder's number (``F:1000``), as the B2B components' numeric ``folderId`` gives it.
_ROOT_NUMBER: Final = base64.b64decode(f"{ROOT_FOLDER_ID}==").decode().partition(":")[2]
#: Collections of the records that live in folders (``folderId``): the Component family.
FOLDER_CONTENT: Final = (
    "ComponentMetadata",  # Component's records too
    "TradingPartnerComponent",
    "OrganizationComponent",
    "SharedCommunicationChannelComponent",
)


def live_folder(call: Call, field: str, folder_id: str, shown: str | None = None) -> Record:
    """The folder ``field`` names (``shown`` as the client wrote it); 400 when there is none,
    or it is deleted."""
    folder = call.sandbox.store.collection("Folder").get(folder_id)
    if folder is None:
        raise no_such(call.sandbox.catalog.object("Folder"), shown or folder_id)
    if folder.get("deleted") == "true":
        raise ApiError(
            400,
            f"{field} must be a valid, non-deleted folder: folder {shown or folder_id} is deleted",
        )
    return folder


def place(call: Call, key: str | None, record: Record) -> None:
    """A folder hangs under a live parent (the root unless told otherwise); its ``fullPath``
    and ``parentName`` follow. The root folder has no parent."""
    if key == ROOT_FOLDER_ID:
        record.pop("parentId", None)
        record.pop("parentName", None)
        record["fullPath"] = str(record.get("name", ""))
        return
    parent_id = str(record.get("parentId") or ROOT_FOLDER_ID)
    parent = live_folder(call, "parentId", parent_id)
    if key is not None and key in _ancestry(call, parent_id):
        raise ApiError(400, f"parentId must not be folder {key} itself or a folder below it")
    record["parentId"] = parent_id
    record["parentName"] = parent.get("name", "")
    record["fullPath"] = (
        f"{parent.get('fullPath', parent.get('name', ''))}/{record.get('name', '')}"
    )


def _ancestry(call: Call, folder_id: str) -> set[str]:
    """``folder_id`` and every folder above it."""
    folders = call.sandbox.store.collection("Folder")
    seen: set[str] = set()
    current: str | None = folder_id
    while current and current not in seen:
        seen.add(current)
        found = folders.get(current)
        current = str(found.get("parentId") or "") if found else None
    return seen


def component_folder(call: Call, record: Record) -> None:
    """A component lives in a live folder (the root when ``folderId`` is omitted, as Boomi
    files it); its read-only ``folderName`` and ``folderFullPath`` are the server's. The B2B
    components give ``folderId`` as the folder's number (``11356``, the *n* of ``F:n``)."""
    field = call.sandbox.shapes.field(call.record_type, "folderId")
    numeric = field is not None and field.type != "xs:string"
    given = str(record.get("folderId") or "")
    if numeric:
        given = given or _ROOT_NUMBER
        folder_id = numbered_id("F", int(given))
    else:
        given = folder_id = given or ROOT_FOLDER_ID
    folder = live_folder(call, "folderId", folder_id, shown=given)
    record["folderId"] = given
    record["folderName"] = folder.get("name", "")
    if call.sandbox.shapes.field(call.record_type, "folderFullPath") is not None:
        record["folderFullPath"] = folder.get("fullPath", folder.get("name", ""))
    else:
        record.pop("folderFullPath", None)


def delete(call: Call, key: str) -> None:
    """Mark the folder, every folder below it and the components in them deleted."""
    if key == ROOT_FOLDER_ID:
        raise ApiError(400, f"The root folder cannot be deleted: {key}")
    folders = call.sandbox.store.collection("Folder")
    doomed = {key}
    while True:
        below = {k for _, k, r in folders.scan() if r.get("parentId") in doomed and k not in doomed}
        if not below:
            break
        doomed |= below
    for folder_id in doomed:
        _mark(call, "Folder", folder_id, deleted=True)
    for name in FOLDER_CONTENT:
        for _, component_id, record in list(call.sandbox.store.collection(name).scan()):
            if record.get("folderId") in doomed:
                _mark(call, name, component_id, deleted=True)


def restore(call: Call, record: Record) -> Record | None:
    """A CREATE naming a deleted folder's ``id`` restores it (what the body sets applies, the
    parent must be live) and the deleted components in it; None when it names no such folder."""
    key = str(record.get("id") or "")
    folders = call.sandbox.store.collection("Folder")
    current = folders.get(key) if key else None
    if current is None or current.get("deleted") != "true":
        return None
    restored = {**current, **{k: v for k, v in record.items() if v not in (None, "")}}
    place(call, key, restored)
    restored["deleted"] = "false"
    stamp(call, restored, creating=False)
    folders.put(key, restored)
    for name in FOLDER_CONTENT:
        for _, component_id, component in list(call.sandbox.store.collection(name).scan()):
            if component.get("folderId") == key and component.get("deleted") == "true":
                _mark(call, name, component_id, deleted=False)
    return restored


def _mark(call: Call, collection_name: str, key: str, *, deleted: bool) -> None:
    collection = call.sandbox.store.collection(collection_name)
    record = collection.get(key)
    if record is None:
        return
    record["deleted"] = "true" if deleted else "false"
    for name in ("modifiedDate", "modifiedBy"):
        if name in record:
            record[name] = call.sandbox.config.username if name.endswith("By") else call.now()
    collection.put(key, record)

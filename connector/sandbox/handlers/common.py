"""What every handler shares: the call, Boomi's business errors, ids, server-set fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from connector.atomsphere.catalog import Endpoint, ObjectInfo
from connector.sandbox.bodies import Renderer, Typed
from connector.sandbox.faults import FaultRule
from connector.sandbox.reading import read_body
from connector.sandbox.seed import NUMBERED, numbered_id
from connector.sandbox.shapes import Record
from connector.sandbox.store import Collection
from connector.sandbox.values import format_timestamp
from connector.sandbox.wire import JSON_TYPE, Request

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

#: Id fields that name another object (the record is *about* an atom or the account), so a
#: create must supply them instead of being given a new id.
REFERENCE_IDS: Final = frozenset({"atomId", "containerId", "runtimeId", "accountId"})
#: Fields the server sets on create/update, by name, when the type has them.
_CREATED_DATES: Final = ("createdDate", "dateCreated")
_MODIFIED_DATES: Final = ("modifiedDate",)
_CREATED_BY: Final = ("createdBy",)
_MODIFIED_BY: Final = ("modifiedBy",)


class ApiError(Exception):
    """An error answer: Boomi puts most business errors in a 400 with a message."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass
class Call:
    sandbox: Sandbox
    request: Request
    info: ObjectInfo
    endpoint: Endpoint
    params: Mapping[str, str]
    render: Renderer
    fault: FaultRule | None = None

    @property
    def param(self) -> str:
        values = list(self.params.values())
        return values[-1] if values else ""

    @property
    def record_type(self) -> str:
        return self.info.record_type or self.info.name

    def collection(self, info: ObjectInfo | None = None) -> Collection:
        target = info or self.info
        return self.sandbox.store.collection(self.sandbox.seed.collection_name(target.name))

    def body(self, type_name: str | None = None, *, check_root: bool = False) -> Record:
        """The body as the endpoint's type; ``check_root``: refuse a body that names another
        type (see :mod:`connector.sandbox.reading`)."""
        wanted = type_name or self.endpoint.request_type or self.record_type
        accepted = self.endpoint.request_content_types
        if self.request.body_is_json and accepted and JSON_TYPE not in accepted:
            raise ApiError(400, f"{self.info.name} accepts XML bodies only")
        return read_body(self.sandbox.shapes, self.request, wanted, check_root=check_root)

    def typed(self, record: Record, type_name: str | None = None) -> Typed:
        return Typed(type_name or self.record_type, record)

    def now(self) -> str:
        return format_timestamp(self.sandbox.wall_clock())

    def origin(self) -> str:
        return self.sandbox.config.public_base_url or self.request.origin


def no_such(info: ObjectInfo, key: str) -> ApiError:
    return ApiError(400, f"No such {info.label.lower()}: {key}")


def new_key(call: Call, record: Record) -> str:
    """The id a CREATE gives a new record, shaped like Boomi's for that object."""
    sandbox, info = call.sandbox, call.info
    id_field = info.id_field
    if id_field in REFERENCE_IDS:
        given = record.get(id_field or "")
        if not isinstance(given, str) or not given:
            raise ApiError(400, f"{info.name}.{id_field} is required")
        return given
    name = sandbox.seed.collection_name(info.name)
    numbered = NUMBERED.get(name)
    if numbered is not None:
        prefix, start = numbered
        number = sandbox.store.next_number(name, start + sandbox.seed.space(name).count)
        return numbered_id(prefix, number)
    number = sandbox.store.next_number(f"{name}#created", 0)
    # The account id is part of the hash: sub-accounts share the seed, not their new ids.
    return sandbox.seed.hashed_uuid(f"{sandbox.config.account_id}/{name}#created", number)


def stamp(call: Call, record: Record, *, creating: bool) -> None:
    """Set the fields the server owns (dates, users) where the type has them."""
    shapes, type_name = call.sandbox.shapes, call.record_type
    now, user = call.now(), call.sandbox.config.username
    names = [*_MODIFIED_DATES, *_MODIFIED_BY]
    if creating:
        names += [*_CREATED_DATES, *_CREATED_BY]
    for name in names:
        field = shapes.field(type_name, name)
        if field is None:
            continue
        record[name] = user if name.endswith("By") else now
    if creating and shapes.field(type_name, "deleted") is not None:
        record["deleted"] = "false"

"""Deterministic seed data: every collection's records as a pure function of (seed, index).

Each object has a *key space* (how many seeded records, and the key of record *i*) that needs
no record to be built, so references between collections (an ExecutionRecord's ``atomId``)
never recurse. Records themselves come from hand-written generators for the objects people look
at (:mod:`.core`, :mod:`.logs`) and from the type-driven :class:`~.faker.Faker` for the rest.
Large log-like collections are lazy: nothing is generated until a request reads it.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Final

from connector.atomsphere.catalog import WireAction
from connector.sandbox.config import SandboxConfig
from connector.sandbox.seed import core, fixtures, logs, words
from connector.sandbox.seed.faker import Context, Faker
from connector.sandbox.shapes import Record, Shapes
from connector.sandbox.store import EagerSeed, LazySeed, SeedSource
from connector.sandbox.values import parse_datetime

#: Collections scaled by ``records`` (and generated lazily).
LARGE: Final = frozenset(
    {
        "ExecutionRecord",
        "AuditLog",
        "Event",
        "ExecutionConnector",
        "GenericConnectorRecord",
        "AS2ConnectorRecord",
        "EDIFACTConnectorRecord",
        "EdiCustomConnectorRecord",
        "HL7ConnectorRecord",
        "ODETTEConnectorRecord",
        "OFTP2ConnectorRecord",
        "RosettaNetConnectorRecord",
        "TradacomsConnectorRecord",
        "X12ConnectorRecord",
    }
)
#: Objects whose records are those of another collection (one store, two views).
SHARED_COLLECTIONS: Final = {"Component": "ComponentMetadata"}
_PER_ATOM_IDS: Final = frozenset({"atomId", "containerId", "runtimeId"})
_SIZES: Final = {
    "Atom": 5,
    "Environment": 4,
    "Process": 12,
    "Folder": 6,
    "Branch": 3,
    "ComponentMetadata": 18,
    "EnvironmentAtomAttachment": 5,
}
_DEFAULT_SIZE: Final = 6
#: Objects whose ids are Boomi's base64 ``PREFIX:n`` form, with the first seeded number.
NUMBERED: Final = {"Folder": ("F", 1000), "Branch": ("B", 100), "MergeRequest": ("MR", 500)}


@dataclass(frozen=True)
class KeySpace:
    count: int
    key: Callable[[int], str]


def numbered_id(prefix: str, number: int) -> str:
    """Boomi's base64 ids: ``F:163150`` → ``RjoxNjMxNTA`` (padding dropped)."""
    return base64.b64encode(f"{prefix}:{number}".encode()).decode().rstrip("=")


class SeedData:
    """The seed sources of one sandbox (one seed, one account, one size)."""

    def __init__(self, shapes: Shapes, config: SandboxConfig) -> None:
        self.shapes = shapes
        self.catalog = shapes.catalog
        self.config = config
        self.epoch: datetime = parse_datetime(fixtures.SEED_EPOCH)
        self._spaces: dict[str, KeySpace] = {}
        self._sources: dict[str, SeedSource] = {}
        self._known = frozenset(o.name for o in self.catalog)
        self.faker = Faker(shapes, Context(config.account_id, self.epoch, self._pick, self._name))

    # -- public ---------------------------------------------------------------------------------

    def collection_name(self, object_name: str) -> str:
        return SHARED_COLLECTIONS.get(object_name, object_name)

    def source(self, name: str) -> SeedSource:
        found = self._sources.get(name)
        if found is None:
            found = self._build(name)
            self._sources[name] = found
        return found

    def space(self, name: str) -> KeySpace:
        found = self._spaces.get(name)
        if found is None:
            found = self._space(name)
            self._spaces[name] = found
        return found

    def rng(self, name: str, index: int) -> Random:
        return Random(f"{self.config.seed}/{name}/{index}")

    def hashed_uuid(self, name: str, index: int) -> str:
        digest = hashlib.blake2b(f"{self.config.seed}/{name}/{index}".encode(), digest_size=16)
        return str(uuid.UUID(bytes=digest.digest(), version=4))

    def moment(self, name: str, index: int) -> datetime:
        """When lazy record ``index`` happened: spread evenly over the 90 days before the epoch,
        oldest first."""
        count = max(self.space(name).count, 1)
        span = timedelta(days=90).total_seconds()
        return self.epoch - timedelta(seconds=span - index * span / count)

    def keys(self, name: str) -> list[str]:
        space = self.space(name)
        return [space.key(i) for i in range(space.count)]

    def record_of(self, name: str, key: str) -> Record | None:
        source = self.source(name)
        index = source.index_of(key)
        return source.record(index) if index is not None else None

    # -- key spaces -----------------------------------------------------------------------------

    def _space(self, name: str) -> KeySpace:
        account = self.config.account_id
        info = self.catalog.object(name)
        id_field = info.id_field
        if name in LARGE:
            if name == "ExecutionRecord":
                return KeySpace(self.config.records, self._execution_id)
            return KeySpace(self.config.records, lambda i: self.hashed_uuid(name, i))
        if name == "Account" or id_field == "accountId":
            return KeySpace(1, lambda _i: account)
        if name == "Connector":
            return KeySpace(len(words.CONNECTOR_TYPES), lambda i: words.CONNECTOR_TYPES[i][0])
        fixed = core.FIXED_KEYS.get(name, ())
        if name in ("ProcessSchedules", "ProcessScheduleStatus"):
            return KeySpace(self.space("Process").count, self._schedule_id)
        if name == "ListenerStatus":
            return self.space("Process")
        per_atom = id_field in _PER_ATOM_IDS or (
            id_field is None and info.endpoint(WireAction.ASYNC_REQUEST) is not None
        )
        if per_atom:
            return self.space("Atom")
        if name == "ComponentMetadata":
            processes = self.space("Process")
            return KeySpace(
                _SIZES[name],
                lambda i: processes.key(i) if i < processes.count else self.hashed_uuid(name, i),
            )
        size = max(_SIZES.get(name, _DEFAULT_SIZE), len(fixed))
        numbered = NUMBERED.get(name)
        if numbered is not None:
            prefix, start = numbered
            return KeySpace(size, lambda i: numbered_id(prefix, start + i))
        return KeySpace(size, lambda i: fixed[i] if i < len(fixed) else self.hashed_uuid(name, i))

    def _execution_id(self, index: int) -> str:
        day = self.moment("ExecutionRecord", index).strftime("%Y.%m.%d")
        return f"execution-{self.hashed_uuid('ExecutionRecord', index)}-{day}"

    def _schedule_id(self, index: int) -> str:
        process = self.space("Process").key(index)
        atom = self.schedule_atom(index)
        return base64.b64encode(f"CPS{process}:{atom}".encode()).decode().rstrip("=")

    def schedule_atom(self, index: int) -> str:
        """The atom process ``index`` is deployed and scheduled on."""
        atoms = self.space("Atom")
        return atoms.key(0) if index < len(fixtures.PROCESSES) else atoms.key(index % 2)

    # -- sources --------------------------------------------------------------------------------

    def _build(self, name: str) -> SeedSource:
        space = self.space(name)
        if name in LARGE:
            return LazySeed(space.count, space.key, lambda i: logs.make(self, name, i))
        keys = [space.key(i) for i in range(space.count)]
        records = [core.make(self, name, i, key) for i, key in enumerate(keys)]
        return EagerSeed(records, keys)

    def _pick(self, name: str, rng: Random) -> str | None:
        target = self.collection_name(name)
        if target not in self._known:
            return None
        space = self.space(target)
        if space.count == 0:
            return None
        return space.key(rng.randrange(space.count))

    def _name(self, name: str, key: str) -> str | None:
        if name not in core.NAMED:
            return None
        record = self.record_of(name, key)
        value = record.get("name") if record else None
        return value if isinstance(value, str) else None

"""Type-driven fake records: any catalog type filled with plausible, related values.

A field is filled by its name first (an ``atomId`` names an Atom that exists, a ``processName``
the name of the process the record points at, an e-mail where a user is meant), then by its
schema type (enum values from the catalog, numbers, booleans, dates before the seed epoch).
Everything comes from the ``random.Random`` it is handed, so a seed gives one answer.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from random import Random
from typing import Any, Final

from connector.atomsphere.catalog import FieldInfo
from connector.sandbox.seed import words
from connector.sandbox.shapes import ANY_TYPE, Record, Shapes
from connector.sandbox.values import INTEGER_TYPES, format_datetime

#: Field name (lower-case) → the object whose ids it holds.
REFERENCES: Final[dict[str, str]] = {
    "atomid": "Atom",
    "containerid": "Atom",
    "runtimeid": "Atom",
    "environmentid": "Environment",
    "processid": "Process",
    "toplevelprocessid": "Process",
    "componentid": "ComponentMetadata",
    "folderid": "Folder",
    "branchid": "Branch",
    "packageid": "PackagedComponent",
    "deploymentid": "DeployedPackage",
    "integrationpackid": "IntegrationPack",
    "integrationpackinstanceid": "IntegrationPackInstance",
    "cloudid": "Cloud",
    "roleid": "Role",
    "accountgroupid": "AccountGroup",
    "executionid": "ExecutionRecord",
    "originalexecutionid": "ExecutionRecord",
    "parentexecutionid": "ExecutionRecord",
    "toplevelexecutionid": "ExecutionRecord",
}
#: Name field → (id field in the same record, object whose name it is).
NAMES: Final[dict[str, tuple[str, str]]] = {
    "atomname": ("atomId", "Atom"),
    "processname": ("processId", "Process"),
    "environmentname": ("environmentId", "Environment"),
    "foldername": ("folderId", "Folder"),
    "branchname": ("branchId", "Branch"),
}
_ACCOUNT_FIELDS: Final = frozenset({"accountid", "account", "parentaccount"})
#: Fields that hold a directory or file path on a runtime (not ``fullPath``, not an XPath).
_PATH_SUFFIXES: Final = (
    "directory",
    "directories",
    "classpath",
    "librarypath",
    "jdkpath",
    "certspath",
    "keypath",
    "jrelocation",
)
#: Contact fields filled from one row of :data:`words.CITIES`, in its column order.
_POSTAL_FIELDS: Final = ("city", "state", "postalcode", "country")
_USER_FIELDS: Final = frozenset(
    {"userid", "createdby", "modifiedby", "modifier", "deployedby", "user", "username", "email"}
)


class Context:
    """What a generated record may point at: other collections' ids and names."""

    def __init__(
        self,
        account_id: str,
        epoch: datetime,
        key_of: Callable[[str, Random], str | None],
        name_of: Callable[[str, str], str | None],
    ) -> None:
        self.account_id = account_id
        self.epoch = epoch
        self._key_of = key_of
        self._name_of = name_of

    def ref(self, object_name: str, rng: Random) -> str | None:
        return self._key_of(object_name, rng)

    def name(self, object_name: str, key: str) -> str | None:
        return self._name_of(object_name, key)


def fake_uuid(rng: Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def pem_base64(rng: Random) -> str:
    """Base64 of a PEM certificate block, as Boomi stores certificates (``LS0tLS1CRUdJTi...``)."""
    body = base64.b64encode(rng.randbytes(48)).decode()
    pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    return base64.b64encode(pem.encode()).decode()


def human_size(raw: int) -> str:
    """Bytes as the API writes sizes next to their raw value: ``53415102`` → ``50 MB`` (whole
    binary units, rounded down)."""
    for unit, power in (("TB", 4), ("GB", 3), ("MB", 2), ("KB", 1)):
        if raw >= 1024**power:
            return f"{raw // 1024**power} {unit}"
    return f"{raw} B"


def user(rng: Random) -> str:
    return f"{rng.choice(words.PEOPLE)}@example.com"


def title(rng: Random) -> str:
    return f"{rng.choice(words.SUBJECTS)} {rng.choice(words.VERBS)}"


class Faker:
    """Fills records of any catalog type."""

    def __init__(self, shapes: Shapes, context: Context) -> None:
        self.shapes = shapes
        self.context = context

    def record(self, type_name: str, rng: Random, depth: int = 0) -> Record:
        record: Record = {}
        for field in self.shapes.fields(type_name):
            value = self._field(type_name, field, rng, depth)
            if value is not None:
                record[field.name] = value
        self.fix_names(record)
        _cap_used(record)
        return record

    def fix_names(self, record: Record) -> None:
        """Make ``xName`` agree with ``xId`` where both are present."""
        for key in list(record):
            pair = NAMES.get(key.lower())
            if pair is None:
                continue
            id_value = record.get(pair[0])
            if isinstance(id_value, str):
                found = self.context.name(pair[1], id_value)
                if found is not None:
                    record[key] = found

    def _field(self, owner: str, field: FieldInfo, rng: Random, depth: int) -> Any:
        if field.type == ANY_TYPE or self.shapes.is_open(field.type):
            return None
        if field.repeated:
            if not self.shapes.is_simple(field) and depth >= 2:
                return None
            count = rng.randint(1, 2) if self.shapes.is_simple(field) else rng.randint(0, 2)
            items = [self._single(owner, field, rng, depth) for _ in range(count)]
            items = [i for i in items if i is not None]
            if self.shapes.enum(field) is not None:
                items = list(dict.fromkeys(items))
            return items or None
        if not self.shapes.is_simple(field) and depth >= 2:
            return None
        return self._single(owner, field, rng, depth)

    def _single(self, owner: str, field: FieldInfo, rng: Random, depth: int) -> Any:
        if not self.shapes.is_simple(field):
            return self.record(field.type, rng, depth + 1) or None
        enum = self.shapes.enum(field)
        if enum:
            return rng.choice(enum)
        return self.simple(owner, field.name, self.shapes.simple_type(field), rng)

    def simple(self, owner: str, name: str, xs_type: str, rng: Random) -> str:
        lowered = name.lower()
        if xs_type == "xs:boolean":
            return rng.choice(("true", "false"))
        if xs_type in INTEGER_TYPES:
            if "version" in lowered:
                return str(rng.randint(1, 12))
            upper = 100_000 if xs_type == "xs:long" or "size" in lowered else 250
            return str(rng.randint(0, upper))
        if xs_type == "xs:base64Binary":
            return pem_base64(rng)
        if xs_type in ("xs:double", "xs:float", "xs:decimal"):
            return repr(round(rng.uniform(0, 100), 2))
        if xs_type == "xs:dateTime" or (
            lowered.endswith("date") and "update" not in lowered and xs_type == "xs:string"
        ):
            return self.date(rng)
        return self.text(owner, lowered, rng)

    def date(self, rng: Random, within_days: int = 365) -> str:
        moment = self.context.epoch - timedelta(seconds=rng.randint(0, within_days * 86400))
        return format_datetime(moment)

    def text(self, owner: str, lowered: str, rng: Random) -> str:
        if lowered in _ACCOUNT_FIELDS:
            return self.context.account_id
        target = REFERENCES.get(lowered)
        if target is not None:
            found = self.context.ref(target, rng)
            if found is not None:
                return found
        if lowered in _USER_FIELDS or lowered.endswith("email"):
            return user(rng)
        if lowered.endswith("id"):
            return fake_uuid(rng)
        if lowered == "name" or lowered.endswith("name"):
            return title(rng)
        if "url" in lowered or "endpoint" in lowered:
            return f"https://{rng.choice(words.SYSTEMS).lower().replace(' ', '')}.example.com/api"
        if "timezone" in lowered:
            return rng.choice(words.TIME_ZONES)
        if lowered == "heapsize":  # a JVM -Xmx value
            return f"{rng.choice((512, 1024, 2048, 4096))}m"
        if lowered.endswith(("size", "quotalimit")):
            return human_size(rng.randint(1024, 8 * 1024**3))
        if lowered == "port" or lowered.endswith(("proxyport", "multicastport")):
            return str(rng.randint(1024, 65535))
        if lowered.endswith(("length", "attemptcount")):
            return str(rng.randint(1, 5) if "attempt" in lowered else rng.randint(200, 200_000))
        if lowered.endswith(_PATH_SUFFIXES):
            return f"/opt/boomi/runtime/{rng.choice(words.RUNTIME_DIRECTORIES)}"
        if lowered in _POSTAL_FIELDS:
            city = rng.choice(words.CITIES)
            return dict(zip(_POSTAL_FIELDS, city, strict=False)).get(lowered) or city[0]
        if lowered.startswith("address"):
            return f"{rng.randint(1, 9999)} {rng.choice(words.SUBJECTS)} Street"
        if lowered.endswith("bindaddress"):
            return f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if lowered.endswith("multicastaddress"):
            return f"239.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if lowered in ("phone", "fax"):
            return f"+1-555-01{rng.randint(0, 99):02d}"
        if lowered == "classification":
            return rng.choice(("PROD", "TEST"))
        if lowered.endswith("encoding"):
            return "UTF-8"
        if "host" in lowered:
            return f"ip-10-0-{rng.randint(0, 255)}-{rng.randint(1, 254)}"
        if "version" in lowered:
            return f"{rng.randint(20, 25)}.{rng.randint(1, 12):02d}.{rng.randint(0, 4)}"
        if "message" in lowered or "error" in lowered:
            return rng.choice(words.MESSAGES)
        if "description" in lowered or "notes" in lowered:
            return (
                f"Moves {rng.choice(words.SUBJECTS).lower()} data to {rng.choice(words.SYSTEMS)}."
            )
        if "status" in lowered:
            return rng.choice(("ACTIVE", "ACTIVE", "INACTIVE"))
        if "type" in lowered:
            return rng.choice(words.CONNECTOR_TYPES)[0]
        return f"{rng.choice(words.SUBJECTS).lower().replace(' ', '-')}-{rng.randint(1, 999)}"


def _cap_used(record: Record) -> None:
    """Licences in use never exceed those purchased (seeded accounts are not over-deployed)."""
    used, purchased = record.get("used"), record.get("purchased")
    if isinstance(used, str) and isinstance(purchased, str) and int(used) > int(purchased):
        record["used"] = str(int(used) % (int(purchased) + 1))

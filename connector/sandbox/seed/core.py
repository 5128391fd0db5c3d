"""Hand-written seed records for the objects people look at first, built on the faker.

Fixtures (:mod:`.fixtures`) come first in their collections; generated records follow. Every
generator starts from the type-driven faker, so fields nobody wrote a rule for are still filled,
then sets what must be related or realistic.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import TYPE_CHECKING, Final

from connector.sandbox.seed import fixtures, words
from connector.sandbox.seed.faker import human_size, title, user
from connector.sandbox.shapes import Record

if TYPE_CHECKING:
    from connector.sandbox.seed import SeedData

#: Collections whose names other records copy (``atomName`` next to ``atomId``...).
NAMED: Final = frozenset({"Atom", "Environment", "Process", "Folder", "Branch"})

FIXED_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "Atom": tuple(a.id for a in fixtures.ATOMS),
    "Environment": tuple(e.id for e in fixtures.ENVIRONMENTS),
    "Process": tuple(p.id for p in fixtures.PROCESSES),
}

_PROCESS_XML: Final = (
    '<process xmlns="" allowSimultaneous="false" enableUserLog="false" '
    'processLogOnErrorOnly="false" purgeDataImmediately="false" updateRunDates="true" '
    'workload="general"><shapes><shape image="start" name="shape1" shapetype="start" '
    'userlabel="" x="96.0" y="94.0"><configuration><noaction/></configuration><dragpoints>'
    '<dragpoint name="shape1.dragpoint1" toShape="shape2" x="240.0" y="120.0"/></dragpoints>'
    '</shape><shape image="stop_icon" name="shape2" shapetype="stop" userlabel="" x="256.0" '
    'y="112.0"><configuration><stop continue="true"/></configuration><dragpoints/></shape>'
    "</shapes></process>"
)


def make(data: SeedData, name: str, index: int, key: str) -> Record:
    """Seed record ``index`` (key ``key``) of collection ``name``."""
    rng = data.rng(name, index)
    info = data.catalog.object(name)
    record_type = info.record_type or name
    record = data.faker.record(record_type, rng) if data.shapes.has_type(record_type) else {}
    special = _SPECIAL.get(name)
    if special is not None:
        special(data, index, key, rng, record)
    _daily_count(data, name, index, record)
    if info.id_field:
        record[info.id_field] = key
    data.faker.fix_names(record)
    return record


def _account(data: SeedData, _i: int, key: str, rng: Random, record: Record) -> None:
    record.update(
        name="Sandbox Account",
        status="active",
        dateCreated="2019-03-14T09:26:53Z",
        expirationDate="2030-12-31T23:59:59Z",
        supportLevel="standard",
        widgetAccount="false",
        overDeployed="false",
    )


def _atom(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    if i < len(fixtures.ATOMS):
        fixture = fixtures.ATOMS[i]
        name, kind, status = fixture.name, fixture.type, fixture.status
    else:
        name = f"{rng.choice(words.SYSTEMS)} Cloud Atom"
        kind, status = "CLOUD", rng.choice(("ONLINE", "ONLINE", "OFFLINE"))
    record.update(
        name=name,
        type=kind,
        status=status,
        hostName=f"{name.lower().replace(' ', '-')}.internal.example.com",
        currentVersion="25.06.1",
        dateInstalled=data.faker.date(rng, 700),
        purgeHistoryDays="30",
        purgeImmediate="false",
        forceRestartTime="7200000",
        isCloudAttachment="false",
        createdBy=user(rng),
    )
    if kind != "CLOUD":
        for cloud_only in _CLOUD_FIELDS:
            record.pop(cloud_only, None)
    else:
        record["cloudName"] = "Sandbox Public Cloud"


_CLOUD_FIELDS: Final = (
    "cloudId",
    "cloudMoleculeId",
    "cloudMoleculeName",
    "cloudName",
    "cloudOwnerName",
    "instanceId",
    "statusDetail",
    "cluster",
)


def _environment(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record.clear()
    if i < len(fixtures.ENVIRONMENTS):
        fixture = fixtures.ENVIRONMENTS[i]
        record.update(name=fixture.name, classification=fixture.classification)
    else:
        record.update(name=f"{rng.choice(words.SYSTEMS)} Sandbox", classification="TEST")


def _attachment(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    atoms = data.space("Atom")
    atom = atoms.key(i % atoms.count)
    environment = (
        fixtures.ATOMS[i].environment_id
        if i < len(fixtures.ATOMS)
        else data.space("Environment").key(len(fixtures.ENVIRONMENTS))
    )
    record.update(atomId=atom, environmentId=environment)


def _process(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    if i < len(fixtures.PROCESSES):
        fixture = fixtures.PROCESSES[i]
        record.update(name=fixture.name, Description=fixture.description)
    else:
        record.update(
            name=f"{rng.choice(words.SYSTEMS)} {title(rng)}",
            Description=f"Moves {rng.choice(words.SUBJECTS).lower()} records.",
        )
    record.pop("IntegrationPack", None)


def _folder(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    if i == 0:
        record.update(name="Sandbox Account", fullPath="Sandbox Account")
        record.pop("parentId", None)
        record.pop("parentName", None)
    else:
        name = "Integrations" if i == 1 else f"{rng.choice(words.SUBJECTS)}s"
        record.update(
            name=name,
            fullPath=f"Sandbox Account/{name}",
            parentId=fixtures.ROOT_FOLDER_ID,
            parentName="Sandbox Account",
        )
    record["deleted"] = "false"
    record.pop("PermittedRoles", None)


def _branch(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record.update(
        name="main" if i == 0 else f"feature/{rng.choice(words.SUBJECTS).lower()}-{i}",
        deleted="false",
        ready="true",
        stage="NORMAL",
    )
    if i == 0:
        record.pop("parentId", None)
    else:
        record["parentId"] = fixtures.MAIN_BRANCH_ID


def _component(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    processes = data.space("Process")
    is_process = i < processes.count
    if is_process:
        process = data.record_of("Process", key) or {}
        name, kind = str(process.get("name", title(rng))), "process"
    else:
        system = rng.choice(words.SYSTEMS)
        name, kind = f"{system} Connection", rng.choice(("connector-settings", "profile.xml"))
    folder = fixtures.INTEGRATIONS_FOLDER_ID
    record.update(
        name=name,
        type=kind,
        version=str(1 + i % 4),
        currentVersion="true",
        deleted="false",
        folderId=folder,
        folderName="Integrations",
        folderFullPath="Sandbox Account/Integrations",
        branchId=fixtures.MAIN_BRANCH_ID,
        branchName="main",
        createdBy=user(rng),
        modifiedBy=user(rng),
        createdDate=data.faker.date(rng, 700),
        modifiedDate=data.faker.date(rng, 60),
        description=f"{name} ({kind})",
        object=_PROCESS_XML if is_process else f'<{kind.split(".")[0]} xmlns=""/>',
    )
    record["encryptedValues"] = {}
    for unused in ("copiedFromComponentId", "copiedFromComponentVersion", "subType"):
        record.pop(unused, None)
    record.pop("processOverrides", None)


def _schedules(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record.clear()
    record.update(processId=data.space("Process").key(i), atomId=data.schedule_atom(i))
    hours = rng.choice(("8-18", "0-23", "2"))
    record["Schedule"] = [
        {
            "minutes": rng.choice(("0-59/15", "0", "30")),
            "hours": hours,
            "daysOfWeek": "2,3,4,5,6",
            "daysOfMonth": "*",
            "months": "*",
            "years": "*",
        }
    ]
    record["Retry"] = {"maxRetry": str(rng.randint(1, 5))}


def _schedule_status(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record.update(processId=data.space("Process").key(i), atomId=data.schedule_atom(i))
    record.update(
        enabled="false" if record["processId"] == fixtures.INVENTORY_EXPORT.id else "true",
    )


def _listener(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    # containerId is not a ListenerStatus field, but queries filter on it: kept unwritten.
    record["containerId"] = data.schedule_atom(i)
    record.update(
        listenerId=key,
        status=rng.choice(("listening", "listening", "paused")),
        connectorType=rng.choice(("wss", "jms", "as2", "http")),
    )


def _connector(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record.update(type=key, name=words.CONNECTOR_TYPES[i][1])


def _queues(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    record["QueueRecord"] = [
        {
            "queueName": queue,
            "queueType": "Point-to-Point" if n % 2 == 0 else "Publish/Subscribe",
            "messagesCount": str(rng.randint(0, 500)),
            "deadLettersCount": str(rng.randint(0, 5)),
        }
        for n, queue in enumerate(words.QUEUES)
    ]


def _disk_space(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    """Sizes that add up: each directory's raw bytes and their readable form, the total their
    sum, all under a quota of whole gigabytes (the spec's "5 GB" / "50 MB" form)."""
    quota = rng.choice((5, 10, 20, 50)) * 1024**3
    directories = []
    for name in rng.sample(words.RUNTIME_DIRECTORIES, 4):
        raw = rng.randint(16 * 1024, 512 * 1024**2)
        directories.append({"file": name, "rawSize": str(raw), "size": human_size(raw)})
    total = sum(int(d["rawSize"]) for d in directories)
    record.update(
        quotaLimit=human_size(quota),
        rawQuotaLimit=str(quota),
        totalSize=human_size(total),
        rawTotalSize=str(total),
        DiskSpaceDirectory=directories,
    )


def _cloud_attachment(data: SeedData, i: int, key: str, rng: Random, record: Record) -> None:
    atom = data.record_of("Atom", key) or {}
    record.update(runtimeId=key, containerName=str(atom.get("name", record.get("containerName"))))


#: The query property of Boomi's daily counts (ExecutionCountAccount, ApiUsageCount...).
DAY_PROPERTY: Final = "processDate"


def _daily_count(data: SeedData, name: str, index: int, record: Record) -> None:
    """A daily count (an object filtered on ``processDate``) counts one day: record *i* of *n*
    is the *n - i*-th day before the epoch, so the days are distinct, oldest first, and the
    epoch's own (unfinished) day has no count yet. The day field takes its type's form: a date
    only where it is text (``date="2016-05-14"``, as the spec's examples), the day's start in
    UTC where it is a date-time (ApiUsageCount ``processDate``). Where ``processDate`` names no
    field of the record, the day is kept unwritten under it, so filters on it work."""
    query = data.catalog.object(name).query
    declared = query.property(DAY_PROPERTY) if query else None
    if declared is None:
        return
    record_type = data.catalog.object(name).record_type or name
    field = data.shapes.field(record_type, declared.field or "date")
    if field is None:
        return
    count = data.space(name).count
    day = (data.epoch - timedelta(days=count - index)).date().isoformat()
    if data.shapes.simple_type(field) == "xs:dateTime":
        record[field.name] = f"{day}T00:00:00Z"
    else:
        record[field.name] = day
    if declared.field is None:
        record[declared.name] = day


_SPECIAL = {
    "Account": _account,
    "Atom": _atom,
    "Environment": _environment,
    "EnvironmentAtomAttachment": _attachment,
    "Process": _process,
    "Folder": _folder,
    "Branch": _branch,
    "ComponentMetadata": _component,
    "ProcessSchedules": _schedules,
    "ProcessScheduleStatus": _schedule_status,
    "ListenerStatus": _listener,
    "Connector": _connector,
    "ListQueues": _queues,
    "AtomDiskSpace": _disk_space,
    "CloudAttachmentProperties": _cloud_attachment,
}

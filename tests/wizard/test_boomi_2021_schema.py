"""Importing from Boomi's own 2021 schema, served as the connection's ``?xsd=1``.

Its shape differs from the bundled one (``xs:sequence``, anonymous types, ``<filter>`` appinfo,
deprecation notes) and it lacks every object added since 2021: the wizard must cope with all of
it, for every object type the schema defines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from connector.atomsphere.catalog import load_catalog
from connector.contract import Action
from connector.engine import load_operation
from connector.errors import ConfigError
from connector.wizard import ServedSchema, browse, build_profiles, resolve
from connector.wizard.served import bundled_type_names
from connector.wizard.yaml_writer import new_operation
from connector.xml import SAFE_PARSER, XS_NS
from tests.wizard.conftest import BOOMI_2021, serving, write_connection_file
from tests.wizard.helpers import files, profile_problems, run_import


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``atomsphere import --all`` against a connection serving the 2021 schema."""
    root = tmp_path_factory.mktemp("boomi2021")
    connection = write_connection_file(root / "connection.yaml")
    folder = root / "profiles"
    code = run_import(
        "--all",
        "--connection",
        str(connection),
        "--profiles-dir",
        str(folder),
        transport=serving(BOOMI_2021.read_bytes()),
    )
    assert code == 0
    return folder


def document_types(served: ServedSchema) -> set[str]:
    """Object types of the schema: types extending its object base that stand as documents
    (a global element of their own, or Boomi's filter annotation)."""
    names = set()
    for name in served.iter_object_types():
        if ("element", name) in served.definitions or served.filter_fields(name):
            names.add(name)
    return names


def test_every_profile_from_the_2021_schema_loads_in_lxml_and_xmlschema(
    imported: Path,
) -> None:
    assert len(files(imported)) > 200
    paths = sorted(imported.glob("*.xsd"))
    problems = [p for path in paths for p in profile_problems(path)]
    assert problems == []


def test_every_object_type_of_the_2021_schema_is_importable_or_reported(
    served_2021: ServedSchema,
) -> None:
    importable: set[str] = set()
    unknown: set[str] = set()
    for action in Action:
        found = browse(served_2021, action)
        unknown.update(found.unknown)
        for plan in found.plans:
            importable.update(r for r in (plan.object, plan.request, plan.response) if r)
            profiles = build_profiles(served_2021, plan)
            for profile in profiles:
                etree.XMLSchema(etree.fromstring(profile.data, parser=SAFE_PARSER))
    types = document_types(served_2021)
    assert len(types) > 100
    # What is neither importable nor reported as new is a document the catalog knows and offers
    # no action for (an async token, the first answer of ListQueues...).
    known_documents = set(load_catalog().types) | bundled_type_names()
    assert types - importable - unknown <= known_documents
    assert {"AsyncToken", "QueueMessageResponse"} <= types - importable - unknown
    assert unknown and unknown.isdisjoint(importable) and unknown.isdisjoint(known_documents)


def test_types_only_the_2021_schema_knows_are_reported_never_offered(
    served_2021: ServedSchema,
) -> None:
    """The loader goes by the catalog: an operation on a type it lacks would not load, so the
    wizard offers none, not even a Query the schema's filter annotation suggests."""
    queryable = {"AtomExtensions", "AtomMapExtensionsSummary", "ConnectorUsage", "InternalAccount"}
    for action in Action:
        found = browse(served_2021, action)
        assert queryable <= set(found.unknown)
        assert queryable.isdisjoint(p.object for p in found.plans)
    for name, action in (("InternalAccount", Action.QUERY), ("CloudMigration", Action.GET)):
        with pytest.raises(
            ConfigError,
            match=f"object '{name}' is defined by .* but is not in "
            "the connector's catalog.*atomsphere catalog generate --spec",
        ):
            resolve(served_2021, name, action)


def test_every_operation_the_wizard_offers_from_the_2021_schema_loads(
    served_2021: ServedSchema, tmp_path: Path
) -> None:
    """What the wizard writes for any object and action it offers, the loader accepts."""
    loaded = 0
    for action in Action:
        for plan in browse(served_2021, action).plans:
            name = f"{action.value}-{plan.object}"
            path = tmp_path / f"{name}.yaml"
            path.write_text(new_operation(plan, name, {}))
            load_operation(path)
            loaded += 1
    assert loaded > 150


def test_importing_a_type_only_the_schema_knows_writes_nothing(
    connection_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operations = tmp_path / "operations"
    code = run_import(
        "--action", "QUERY", "--object", "InternalAccount", "-y",
        "--connection", str(connection_file),
        "--profiles-dir", str(tmp_path / "profiles"), "--operations-dir", str(operations),
        transport=serving(BOOMI_2021.read_bytes()),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "'InternalAccount' is defined by" in err and "not in the connector's catalog" in err
    assert len(err.strip().splitlines()) == 2  # the schema line and the one error
    assert not operations.exists() and not (tmp_path / "profiles").exists()


def test_objects_added_since_2021_are_reported_not_offered(served_2021: ServedSchema) -> None:
    found = browse(served_2021, Action.GET)
    assert "Branch" in found.missing
    assert "Branch" not in {p.object for p in found.plans}
    with pytest.raises(ConfigError, match="defines no Branch, needed for GET Branch"):
        resolve(served_2021, "Branch", Action.GET)


def test_a_2021_query_profile_carries_the_catalog_filters_and_boomi_field_order(
    served_2021: ServedSchema,
) -> None:
    profiles = build_profiles(served_2021, resolve(served_2021, "ExecutionRecord", Action.QUERY))
    assert profiles.request is None and profiles.response is not None
    root = etree.fromstring(profiles.response.data, parser=SAFE_PARSER)
    record = root.find(f"{{{XS_NS}}}complexType[@name='ExecutionRecord']")
    assert record is not None
    sequence = record.find(f".//{{{XS_NS}}}sequence")
    assert sequence is not None  # Boomi's xs:sequence, kept as served
    names = [e.get("name") for e in sequence.findall(f"{{{XS_NS}}}element")]
    assert names[:3] == ["executionId", "originalExecutionId", "account"]
    # The 2021 schema has no global ExecutionRecord element: the profile declares the root.
    assert root.find(f"{{{XS_NS}}}element[@name='ExecutionRecord']").get("type") == (
        "tns:ExecutionRecord"
    )
    # Boomi's own <filter> appinfo is not copied; ours says which fields filter and how.
    assert b"http://www.boomi.com/connector/annotation" not in profiles.response.data
    assert b'<ac:filterable property="executionTime"' in profiles.response.data


def test_an_anonymous_2021_request_type_becomes_a_profile(served_2021: ServedSchema) -> None:
    profiles = build_profiles(
        served_2021, resolve(served_2021, "changeListenerStatus", Action.EXECUTE)
    )
    assert profiles.response is None
    assert profiles.request is not None
    schema = etree.XMLSchema(etree.fromstring(profiles.request.data, parser=SAFE_PARSER))
    document = etree.fromstring(
        b'<ChangeListenerStatusRequest xmlns="http://api.platform.boomi.com/" '
        b'listenerId="l-1" containerId="c-1" action="pause"/>'
    )
    assert schema.validate(document), schema.error_log


def test_listing_from_the_2021_schema_marks_deprecation_and_reports_what_is_missing(
    connection_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(
        "--list",
        "--action",
        "QUERY",
        "--connection",
        str(connection_file),
        transport=serving(BOOMI_2021.read_bytes()),
    )
    out, err = capsys.readouterr()
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert "deprecated by Boomi." in rows["ComponentAtomAttachment"]
    assert "deprecated" not in rows["ExecutionRecord"]
    assert "schema: https://api.test.example/api/soap/v1/acct-1?xsd=1" in err
    assert "not offered" in err and "Branch" in err
    assert "not in the connector's catalog and cannot be imported" in err
    assert "CloudMigration" in err and "InternalAccount" in err
    assert "InternalAccount" not in rows

"""The operators the wizard writes for a filter property are exactly those the loader accepts.

The filter template of every Query in the catalog is read back as a user reads it (operators per
property type, then each property's type) and checked against the operation loader, both ways:
every operator it lists loads on its property, every other operator of the catalog is refused.
The profile's annotations must list the same operators as the template.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from connector.atomsphere.catalog import QueryInfo, load_catalog
from connector.contract import Action
from connector.engine import load_operation
from connector.errors import ConfigError
from connector.wizard import (
    ImportPlan,
    SchemaDocument,
    ServedSchema,
    browse,
    build_profiles,
    bundled_schema,
    load_served_schema,
    resolve,
)
from connector.wizard.xsd_writer import AC_NS
from connector.wizard.yaml_writer import TEMPLATE_BEGIN, TEMPLATE_END, filter_template
from connector.xml import SAFE_PARSER
from tests.engine.helpers import write_operation
from tests.wizard.conftest import BOOMI_2021, serving
from tests.wizard.helpers import run_import

AC = f"{{{AC_NS}}}"
TEXT_OPERATORS = ("LIKE", "STARTS_WITH", "CONTAINS", "NOT_CONTAINS")
_OPERATOR = re.compile(r"\b([A-Z_]+)\((\d+)\)")

Listed = dict[str, dict[str, int]]  # property -> operator -> arguments, as the template says


def _plans() -> list[ImportPlan]:
    return [
        plan
        for plan in browse(bundled_schema(), Action.QUERY).plans
        if plan.query is not None and plan.query.properties
    ]


PLANS = {plan.object: plan for plan in _plans()}


def _query(plan: ImportPlan) -> QueryInfo:
    assert plan.query is not None
    return plan.query


def listed_operators(template: list[str]) -> Listed:
    """property → {operator: arguments}, read from the template's text."""
    header = next(i for i, line in enumerate(template) if "operators by property type" in line)
    table = next(i for i, line in enumerate(template) if line.startswith("# Filterable"))
    by_kind: dict[str, dict[str, int]] = {}
    row: dict[str, int] = {}
    for line in template[header + 1 : table]:
        body = line.removeprefix("#   ")
        if not body.startswith(" "):  # a new row, "string, enum: EQUALS(1) ..."
            label, _, body = body.partition(":")
            row = {}
            by_kind.update(dict.fromkeys(label.split(", "), row))
        row.update({op: int(n) for op, n in _OPERATOR.findall(body)})
    listed: Listed = {}
    for line in template[table + 1 :]:
        if not line.startswith("#   "):
            break
        name, _type, kind = line.removeprefix("#   ").split()[:3]
        listed[name] = by_kind[kind]
    return listed


def _conditions(obj: str, pairs: list[tuple[str, str, int]]) -> str:
    lines = [f"action: QUERY\nobject: {obj}\nfilter:\n  and:"]
    for prop, operator, arguments in pairs:
        values = ", ".join(["'1'"] * arguments)
        lines.append(f"    - {{property: {prop}, operator: {operator}, arguments: [{values}]}}")
    return "\n".join(lines)


def test_every_query_of_the_catalog_is_checked() -> None:
    catalog = load_catalog()
    queryable = {
        o.name
        for o in catalog.objects
        if o.query is not None and o.query.properties and Action.QUERY in o.actions
    }
    assert set(PLANS) == queryable


@pytest.mark.parametrize("obj", sorted(PLANS))
def test_every_operator_the_template_lists_loads_and_no_other_does(
    tmp_path: Path, obj: str
) -> None:
    """One file per object and verdict: the loader checks each condition on its own and reports
    every problem at once, so one file with N conditions is N one-condition files."""
    listed = listed_operators(filter_template(PLANS[obj]))
    assert set(listed) == {p.name for p in _query(PLANS[obj]).properties}
    accepted = [(p, op, n) for p, ops in listed.items() for op, n in ops.items()]
    assert accepted, f"{obj}: the template lists no operator at all"
    load_operation(write_operation(tmp_path, _conditions(obj, accepted), "listed.yaml"))

    refused = [
        (p, o.name, o.arguments)
        for p, ops in listed.items()
        for o in load_catalog().operators
        if o.name not in ops
    ]
    if not refused:
        return
    path = write_operation(tmp_path, _conditions(obj, refused), "unlisted.yaml")
    with pytest.raises(ConfigError) as info:
        load_operation(path)
    flagged = {
        int(m.group(1))
        for p in info.value.problems
        if (m := re.search(r"filter\.and\[(\d+)\]\.operator: ", str(p)))
    }
    assert flagged == set(range(len(refused)))
    assert len(info.value.problems) == len(refused)


@pytest.mark.parametrize("obj", sorted(PLANS))
def test_the_profile_annotations_list_the_templates_operators(obj: str) -> None:
    plan = PLANS[obj]
    listed = listed_operators(filter_template(plan))
    profile = build_profiles(bundled_schema(), plan).response
    assert profile is not None
    root = etree.fromstring(profile.data, parser=SAFE_PARSER)
    on_root = {p.get("name"): p.get("operators", "").split() for p in root.iter(f"{AC}property")}
    assert on_root == {name: list(ops) for name, ops in listed.items()}
    markers = list(root.iter(f"{AC}filterable"))
    assert markers or all(p.field is None for p in _query(plan).properties)
    for marker in markers:
        assert marker.get("operators", "").split() == list(listed[marker.get("property", "")])


def test_a_text_operator_is_listed_for_no_number_property() -> None:
    catalog = load_catalog()
    numbers = 0
    for plan in PLANS.values():
        listed = listed_operators(filter_template(plan))
        for prop in _query(plan).properties:
            if prop.type in ("xs:int", "xs:long", "xs:double", "xs:float", "xs:decimal"):
                numbers += 1
                assert not set(TEXT_OPERATORS) & set(listed[prop.name]), (plan.object, prop.name)
                assert "EQUALS" in listed[prop.name] or "EQUALS" not in _query(plan).operators
    assert numbers >= 10, "the catalog has number properties to check"
    assert {"LIKE", "CONTAINS"} <= {o.name for o in catalog.operators}


def test_a_text_operator_on_a_number_is_refused_and_absent_from_template_and_profile(
    tmp_path: Path,
) -> None:
    plan = PLANS["ExecutionRecord"]
    template = filter_template(plan)
    assert "LIKE" in _query(plan).operators  # the object allows it, not on a number
    assert "LIKE" not in listed_operators(template)["inboundDocumentCount"]
    assert "LIKE" in listed_operators(template)["processName"]
    profile = build_profiles(bundled_schema(), plan).response
    assert profile is not None
    marker = etree.fromstring(profile.data, parser=SAFE_PARSER).find(
        f".//{AC}filterable[@property='inboundDocumentCount']"
    )
    assert marker is not None and "LIKE" not in marker.get("operators", "").split()
    path = write_operation(
        tmp_path, _conditions("ExecutionRecord", [("inboundDocumentCount", "LIKE", 1)])
    )
    with pytest.raises(
        ConfigError, match=r"LIKE does not apply to inboundDocumentCount \(a number"
    ):
        load_operation(path)


@pytest.mark.parametrize("obj", sorted(PLANS))
def test_the_templates_example_loads_once_uncommented(tmp_path: Path, obj: str) -> None:
    template = filter_template(PLANS[obj])
    assert template[0].startswith(TEMPLATE_BEGIN) and template[-1] == TEMPLATE_END
    start = template.index("# filter:")
    example = "\n".join(line.removeprefix("# ") for line in template[start:-1])
    load_operation(write_operation(tmp_path, f"action: QUERY\nobject: {obj}\n{example}"))


@pytest.fixture(scope="module")
def retyped() -> ServedSchema:
    """Boomi's 2021 schema with two ExecutionRecord fields typed otherwise than the catalog:
    ``inboundDocumentCount`` a string (the catalog: xs:int), ``message`` an int (xs:string)."""
    data = BOOMI_2021.read_bytes()
    for old, new in (
        (
            b'name="inboundDocumentCount" type="xs:int"',
            b'name="inboundDocumentCount" type="xs:string"',
        ),
        (b'name="message" type="xs:string"/>', b'name="message" type="xs:int"/>'),
    ):
        assert old in data
        data = data.replace(old, new)
    return load_served_schema(SchemaDocument(data, "a retyped schema"))


def test_a_served_type_the_catalog_disagrees_with_offers_the_loaders_operators_and_says_so(
    retyped: ServedSchema, tmp_path: Path
) -> None:
    plan = resolve(retyped, "ExecutionRecord", Action.QUERY)
    query = load_catalog().object("ExecutionRecord").query
    assert query is not None
    catalog_types = {p.name: p.type for p in query.properties}
    assert {p.name: p.type for p in _query(plan).properties} == catalog_types
    said = {
        d.property: (d.catalog_kind, d.served.type, d.served.kind) for d in plan.type_disagreements
    }
    assert said == {
        "inboundDocumentCount": ("number", "xs:string", "string"),
        "message": ("string", "xs:int", "number"),
    }
    template = filter_template(plan)
    listed = listed_operators(template)
    assert "LIKE" not in listed["inboundDocumentCount"] and "LIKE" in listed["message"]
    assert any(
        "inboundDocumentCount" in line and "(the served schema says xs:string, a string)" in line
        for line in template
    )
    accepted = [(p, op, n) for p, ops in listed.items() for op, n in ops.items()]
    load_operation(write_operation(tmp_path, _conditions("ExecutionRecord", accepted)))
    profile = build_profiles(retyped, plan).response
    assert profile is not None
    root = etree.fromstring(profile.data, parser=SAFE_PARSER)
    props = {p.get("name"): p for p in root.iter(f"{AC}property")}
    assert props["inboundDocumentCount"].get("type") == "xs:int"
    assert props["inboundDocumentCount"].get("served-type") == "xs:string"
    assert props["processName"].get("served-type") is None
    for name, ops in listed.items():
        assert props[name].get("operators", "").split() == list(ops)


def test_importing_with_a_disagreeing_served_type_warns(
    connection_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = BOOMI_2021.read_bytes().replace(
        b'name="inboundDocumentCount" type="xs:int"',
        b'name="inboundDocumentCount" type="xs:string"',
    )
    code = run_import(
        "--action", "QUERY", "--object", "ExecutionRecord", "-y",
        "--connection", str(connection_file),
        "--profiles-dir", str(tmp_path / "profiles"),
        "--operations-dir", str(tmp_path / "operations"),
        transport=serving(data),
    )  # fmt: skip
    assert code == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        "warning: filter property inboundDocumentCount of ExecutionRecord: the served schema "
        "types it xs:string (a string), the connector's catalog xs:int (a number); the "
        "operators offered are those the loader accepts on a number (regenerate the catalog if "
        "the API changed)"
    ]

"""The generated XSD against Boomi's own examples and Boomi's own 2021 schema."""

from __future__ import annotations

import csv
from pathlib import Path

import xmlschema
from lxml import etree

from connector.atomsphere.catalog import load_catalog, unqualified_schema, xml_schema
from connector.atomsphere.catalog.facts import DUAL_PLACEMENT
from connector.atomsphere.catalog.model import FieldKind
from connector.atomsphere.lenient import canonical_copy
from connector.xml import SAFE_PARSER
from tests.conftest import REFERENCE

EXAMPLES = REFERENCE / "spec-examples"
REVIEWED = Path(__file__).parent / "data" / "spec_examples_rejected.tsv"


def _known_types() -> set[str]:
    return {*load_catalog().types, "BulkId", "SimpleExpression", "GroupingExpression"}


def _well_formed_xml_examples() -> list[str]:
    with (EXAMPLES / "INDEX.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["file"] for r in rows if r["file"].endswith(".xml") and r["well_formed"] == "yes"]


def _reviewed() -> dict[str, str]:
    lines = REVIEWED.read_text("utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))


def _rejections() -> dict[str, str]:
    schema, plain, known = xml_schema(), unqualified_schema(), _known_types()
    rejected = {}
    for name in _well_formed_xml_examples():
        root = etree.fromstring((EXAMPLES / name).read_bytes(), parser=SAFE_PARSER)
        canonical = canonical_copy(root, known)
        validator = plain if etree.QName(canonical).namespace is None else schema
        if not validator.validate(canonical):
            rejected[name] = str(validator.error_log.filter_from_errors()[0].message)
    return rejected


def test_spec_examples_validate_except_the_reviewed_list() -> None:
    rejected = _rejections()
    reviewed = _reviewed()
    newly_rejected = {k: v for k, v in rejected.items() if k not in reviewed}
    newly_accepted = sorted(set(reviewed) - set(rejected))
    assert not newly_rejected, f"rejected but not reviewed: {newly_rejected}"
    assert not newly_accepted, f"reviewed as rejected but now accepted: {newly_accepted}"
    examples = _well_formed_xml_examples()
    assert len(examples) == 473
    assert (
        len(examples) - len(rejected) >= 385
    )  # a floor: the reviewed list must stay a short list of defects


def test_every_reviewed_rejection_has_a_reason() -> None:
    for name, reason in _reviewed().items():
        assert (EXAMPLES / name).is_file(), name
        assert len(reason) > 20 and "???" not in reason, name


def test_examples_not_well_formed_are_refused_by_the_safe_parser() -> None:
    listed = [
        line.split("\t")[0]
        for line in (EXAMPLES / "NOT-WELL-FORMED.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(listed) == 57
    for name in listed:
        try:
            etree.fromstring((EXAMPLES / name).read_bytes(), parser=SAFE_PARSER)
        except etree.XMLSyntaxError:
            continue
        raise AssertionError(f"{name} parsed although it is listed as not well-formed")


def test_placement_agrees_with_boomis_2021_schema_except_the_dual_placements() -> None:
    real = xmlschema.XMLSchema(str(REFERENCE / "atomsphere-2021.xsd"))
    catalog = load_catalog()
    compared = 0
    differences = set()
    for name in catalog.types:
        real_type = real.types.get(name)
        if real_type is None or not real_type.is_complex():
            continue
        compared += 1
        attributes = {a.rpartition("}")[2] for a in real_type.attributes if a}
        content = real_type.content
        elements = (
            {e.local_name for e in content.iter_elements()}
            if content is not None and hasattr(content, "iter_elements")
            else set()
        )
        for field in catalog.all_fields(name):
            if field.kind is FieldKind.ELEMENT and field.name in attributes:
                differences.add((name, field.name))
            if field.kind is FieldKind.ATTRIBUTE and field.name in elements:
                differences.add((name, field.name))
    assert compared >= 278
    assert differences == set(DUAL_PLACEMENT)
    for owner, name in DUAL_PLACEMENT:
        assert next(f for f in catalog.all_fields(owner) if f.name == name).dual_placement

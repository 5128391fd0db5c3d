"""The sandbox writes child elements in the order of Boomi's own XSD (its ``xs:sequence``).

A client that validates answers against Boomi's 2021 schema must not reject the sandbox's. That
schema lacks newer fields (and requires elements the sandbox may leave out), so instead of
validating, every element of an answer is checked against the type the real schema gives it:
the children it declares come in its order (inherited ones first), and children it does not
know come after them. The real schema is read by xmlschema, not by the generator's own reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import httpx
import pytest
import xmlschema
from lxml import etree
from xmlschema.validators import XsdComplexType, XsdElement

from connector.atomsphere.catalog import WireAction, load_catalog
from connector.sandbox import Sandbox
from connector.xml import local_name, parse_xml, xsi_type_local_name
from tests.conftest import ORDER_XSD
from tests.sandbox.helpers import NS, xml

#: Objects checked explicitly, with how many elements of their answers (at least) the check must
#: compare, so that it cannot pass by seeing nothing. Atom and Environment have at most one
#: element in the real schema and the seeded processes carry one, so any order is right there.
SAMPLE = {
    "Account": 10,  # with licensing, whose type the real schema leaves anonymous
    "Atom": 0,
    "Environment": 0,
    "Process": 0,
    "ExecutionRecord": 1000,
    "Event": 1000,
    "Deployment": 50,
    "DeployedPackage": 50,
    "ProcessSchedules": 20,
    "TradingPartnerComponent": 100,
    # elements inherited through complexContent/extension in the real schema
    "EDIFACTConnectorRecord": 1000,
    "X12ConnectorRecord": 1000,
    "AS2ConnectorRecord": 1000,
    "EnvironmentMapExtensionsSummary": 10,
}


@cache
def real_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(ORDER_XSD))


@dataclass
class Checked:
    """What an order check saw: the problems, and how many ordered elements it compared."""

    problems: list[str]
    compared: int = 0


def element_order_problems(root: etree._Element, type_name: str) -> Checked:
    """Check ``root`` (of the real schema's type ``type_name``) and everything below it."""
    checked = Checked([])
    xsd_type = real_schema().types.get(type_name)
    if isinstance(xsd_type, XsdComplexType):
        _check(root, xsd_type, type_name, checked)
    return checked


def _declared(xsd_type: XsdComplexType) -> list[XsdElement]:
    content = xsd_type.content
    iter_elements = getattr(content, "iter_elements", None)
    return list(iter_elements()) if iter_elements else []


def _children(element: etree._Element) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


def _check(element: etree._Element, xsd_type: XsdComplexType, path: str, checked: Checked) -> None:
    declared: dict[str, XsdElement] = {}
    for decl in _declared(xsd_type):
        declared.setdefault(decl.local_name, decl)
    position = {name: i for i, name in enumerate(declared)}
    names = [local_name(child.tag) for child in _children(element)]
    known = [position[n] for n in names if n in position]
    checked.compared += len(known) if len(set(known)) > 1 else 0
    if known != sorted(known):
        checked.problems.append(f"{path}: {names} is not in the order of {list(position)}")
    first_unknown = next((i for i, n in enumerate(names) if n not in position), len(names))
    if any(n in position for n in names[first_unknown:]):
        checked.problems.append(f"{path}: {names} has a field the XSD lacks before known ones")
    for child in _children(element):
        name = local_name(child.tag)
        substituted = real_schema().types.get(xsi_type_local_name(child))
        child_type = substituted or (declared[name].type if name in declared else None)
        if isinstance(child_type, XsdComplexType):
            _check(child, child_type, f"{path}/{name}", checked)


def _objects() -> list[str]:
    """Every object with a GET or QUERY whose record type Boomi's 2021 schema has."""
    names = []
    for info in load_catalog():
        if not set(info.wire_actions) & {WireAction.GET, WireAction.QUERY}:
            continue
        if info.record_type in real_schema().types:
            names.append(info.name)
    return names


def _answers(client: httpx.Client, sandbox: Sandbox, name: str) -> list[etree._Element]:
    """The object's records as the sandbox writes them: by GET, and by QUERY where it has one."""
    info = sandbox.catalog.object(name)
    records = []
    get = info.endpoint(WireAction.GET)
    if get is not None and "{" in get.path:
        key = sandbox.store.collection(sandbox.seed.collection_name(name)).first_key()
        records.append(xml(client.get(get.path.split("{")[0] + str(key))))
    elif get is not None:
        records.append(xml(client.get(get.path)))
    if info.endpoint(WireAction.QUERY) is not None:
        response = client.post(f"/{name}/query")
        assert response.status_code == 200, response.text
        records.extend(xml(response).findall("bns:result", NS))
    assert records, name
    return records


def test_every_sample_object_is_served_and_in_the_real_schema() -> None:
    assert set(SAMPLE) <= set(_objects())


@pytest.mark.parametrize("name", _objects())
def test_answers_follow_the_real_schemas_element_order(
    sandbox: Sandbox, client: httpx.Client, name: str
) -> None:
    record_type = sandbox.catalog.object(name).record_type
    assert record_type is not None
    compared = 0
    for record in _answers(client, sandbox, name):
        checked = element_order_problems(record, xsi_type_local_name(record) or record_type)
        assert checked.problems == []
        compared += checked.compared
    assert compared >= SAMPLE.get(name, 0), f"{name}: too few ordered elements to compare"


def test_the_check_rejects_the_alphabetical_order_the_spec_lists() -> None:
    alphabetical = parse_xml(
        b'<bns:ExecutionRecord xmlns:bns="http://api.platform.boomi.com/">'
        b"<bns:atomId>a</bns:atomId><bns:executionId>e</bns:executionId>"
        b"<bns:recordedDate>2024-01-01T00:00:00Z</bns:recordedDate>"
        b"<bns:status>COMPLETE</bns:status></bns:ExecutionRecord>"
    )
    assert element_order_problems(alphabetical, "ExecutionRecord").problems == [
        "ExecutionRecord: ['atomId', 'executionId', 'recordedDate', 'status'] is not in the order "
        f"of {_sequence('ExecutionRecord')}",
        "ExecutionRecord: ['atomId', 'executionId', 'recordedDate', 'status'] has a field the XSD "
        "lacks before known ones",
    ]


def test_the_check_follows_inherited_and_nested_elements() -> None:
    record = parse_xml(
        b'<bns:X12ConnectorRecord xmlns:bns="http://api.platform.boomi.com/">'
        b"<bns:isaVersion>00401</bns:isaVersion><bns:account>A</bns:account>"
        b"<bns:customFields><bns:b>1</bns:b></bns:customFields>"
        b"</bns:X12ConnectorRecord>"
    )
    problems = element_order_problems(record, "X12ConnectorRecord").problems
    assert len(problems) == 1 and "['isaVersion', 'account', 'customFields']" in problems[0]
    schedules = parse_xml(
        b'<bns:ProcessSchedules xmlns:bns="http://api.platform.boomi.com/">'
        b"<bns:Schedule/><bns:Retry><bns:Schedule/></bns:Retry></bns:ProcessSchedules>"
    )
    assert element_order_problems(schedules, "ProcessSchedules").problems == []
    nested = parse_xml(  # licensing has an anonymous type in the real schema
        b'<bns:Account xmlns:bns="http://api.platform.boomi.com/">'
        b"<bns:molecule/><bns:licensing><bns:enterprise/><bns:standard/></bns:licensing>"
        b"</bns:Account>"
    )
    problems = element_order_problems(nested, "Account").problems
    assert [p.split(":")[0] for p in problems] == ["Account", "Account/licensing"]


def _sequence(type_name: str) -> list[str]:
    xsd_type = real_schema().types[type_name]
    assert isinstance(xsd_type, XsdComplexType)
    return [e.local_name for e in _declared(xsd_type)]

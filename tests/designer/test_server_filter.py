"""``GET /api/filter``: per property, exactly the operators the operation loader accepts.

The page offers only what this answer lists, so a filter drawn in the designer never meets a
refusal from ``load_operation`` over its operator or its argument count.
"""

from __future__ import annotations

import httpx
import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.operators import filter_type, usable_operators
from connector.descriptor import bundled_descriptor
from tests.designer.helpers import ok, refused

CATALOG = load_catalog()
#: Every filter type, an object with only four operators, one with one, and two whose spec lists
#: no filterable properties (the record's fields are offered instead).
OBJECTS = (
    "ExecutionRecord",
    "ComponentMetadata",
    "Atom",
    "DeployedExpiredCertificate",
    "EDIFACTConnectorRecord",
    "AS2ConnectorRecord",
    "PackagedComponent",
)


def _types(object_name: str) -> dict[str, str]:
    """The catalog's type of each property a filter on the object may name."""
    obj = CATALOG.object(object_name)
    assert obj.query is not None
    if obj.query.properties_declared:
        return {p.name: p.type for p in obj.query.properties}
    assert obj.record_type is not None
    return {f.name: f.type for f in CATALOG.all_fields(obj.record_type)}


@pytest.mark.parametrize("object_name", OBJECTS)
def test_each_property_carries_exactly_the_operators_the_loader_accepts(
    http: httpx.Client, object_name: str
) -> None:
    found = ok(http.get("/api/filter", params={"object": object_name}))
    types = _types(object_name)
    allowed = CATALOG.object(object_name).query.operators  # type: ignore[union-attr]
    grammar = bundled_descriptor().query_filter
    assert grammar is not None
    assert [p["name"] for p in found["properties"]] == list(types)
    for prop in found["properties"]:
        type_name = types[prop["name"]]
        assert prop["type"] == filter_type(type_name, CATALOG)
        usable = usable_operators(allowed, type_name, CATALOG)
        assert usable, prop
        assert prop["operators"] == [
            {
                "id": op,
                "label": grammar.operator(op).label,
                "arguments": CATALOG.operator(op).arguments,
            }
            for op in usable
        ], prop["name"]


def test_a_number_takes_no_like_and_the_object_decides_the_rest(http: httpx.Client) -> None:
    found = ok(http.get("/api/filter", params={"object": "ExecutionRecord"}))
    operators = {p["name"]: [o["id"] for o in p["operators"]] for p in found["properties"]}
    assert "LIKE" in operators["status"] and "LIKE" not in operators["executionDuration"]
    assert "STARTS_WITH" not in operators["status"]  # ExecutionRecord does not allow it
    between = {o["id"]: o["arguments"] for p in found["properties"] for o in p["operators"]}
    assert (between["BETWEEN"], between["IS_NULL"], between["EQUALS"]) == (2, 0, 1)
    atom = ok(http.get("/api/filter", params={"object": "Atom"}))
    assert {o["id"] for p in atom["properties"] for o in p["operators"]} <= set(
        CATALOG.object("Atom").query.operators  # type: ignore[union-attr]
    )


def test_an_object_that_cannot_be_queried_or_does_not_exist_is_refused(
    http: httpx.Client,
) -> None:
    unqueryable = next(o.name for o in CATALOG.objects if o.query is None)
    refused(http.get("/api/filter", params={"object": unqueryable}), 400, "cannot be queried")
    refused(http.get("/api/filter", params={"object": "NoSuchObject"}), 404, "NoSuchObject")
    refused(http.get("/api/filter"), 400, "?object=")

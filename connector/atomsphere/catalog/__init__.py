"""The AtomSphere catalog: every object, action and XML type of the API, generated from the spec.

The generated artefacts live in ``data/``: ``catalog.json`` (objects, endpoints, filters, type
model), ``atomsphere.xsd`` (the API's XML Schema) and ``atomsphere-unqualified.xsd`` (bodies in no
namespace). Refresh them with ``atomsphere catalog generate --spec PATH_OR_URL --element-order
XSD_PATH_OR_URL`` (the committed ones: Boomi's spec, with the element order of its 2021 XSD).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from connector.atomsphere.catalog.generate import CATALOG_FILE, SCHEMA_FILE, UNQUALIFIED_SCHEMA_FILE
from connector.atomsphere.catalog.model import (
    Catalog,
    Endpoint,
    FieldInfo,
    FieldKind,
    FilterProperty,
    ObjectInfo,
    Operator,
    QueryInfo,
    TypeInfo,
    WireAction,
    catalog_from_json,
)
from connector.xml import SAFE_PARSER

__all__ = [
    "Catalog",
    "Endpoint",
    "FieldInfo",
    "FieldKind",
    "FilterProperty",
    "ObjectInfo",
    "Operator",
    "QueryInfo",
    "TypeInfo",
    "WireAction",
    "data_dir",
    "load_catalog",
    "schema_bytes",
    "schema_path",
    "unqualified_schema",
    "xml_schema",
]


def data_dir() -> Path:
    """The folder holding the generated artefacts."""
    return Path(str(resources.files("connector.atomsphere.catalog").joinpath("data")))


def schema_path() -> Path:
    return data_dir() / SCHEMA_FILE


@cache
def schema_bytes() -> bytes:
    """The generated XSD, exactly as committed (what the sandbox serves at ``?xsd=1``)."""
    return schema_path().read_bytes()


@cache
def load_catalog() -> Catalog:
    """The bundled catalog, parsed once per process."""
    return catalog_from_json(json.loads((data_dir() / CATALOG_FILE).read_text("utf-8")))


@cache
def xml_schema() -> etree.XMLSchema:
    """The generated XSD compiled by libxml2 once per process (hot-path validation)."""
    return etree.XMLSchema(etree.fromstring(schema_bytes(), parser=SAFE_PARSER))


@cache
def unqualified_schema() -> etree.XMLSchema:
    """The schema of ``<error><message>`` bodies."""
    raw = (data_dir() / UNQUALIFIED_SCHEMA_FILE).read_bytes()
    return etree.XMLSchema(etree.fromstring(raw, parser=SAFE_PARSER))

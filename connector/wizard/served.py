"""The API's XML Schema as a connection serves it, loaded safely and indexed for the wizard.

The same bytes are read twice: by xmlschema, which builds the component model the wizard
introspects (types, derivations, annotations), with every external resource forbidden and entity
expansion defused; and by the project's safe lxml parser, which keeps the source text that
profiles are cut from (so a profile says exactly what the served schema says).

The wizard works from whatever schema it is given: the bundled one (``--offline``), the one
generated from Boomi's current spec and served by the sandbox, or Boomi's own, whose shape differs
(``xs:sequence``, anonymous types, ``<filter>`` annotations, deprecation notes in documentation).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import Counter, OrderedDict
from collections.abc import Iterator
from functools import cache
from typing import Any, Final

import xmlschema
from lxml import etree

from connector.atomsphere.catalog import schema_bytes
from connector.errors import XMLInputError
from connector.wizard.fetch import SchemaDocument
from connector.xml import XS_NS, local_name, parse_xml

#: The namespace of the ``<filter>`` appinfo Boomi's own schema puts on queryable types.
BOOMI_ANNOTATION_NS: Final = "http://www.boomi.com/connector/annotation"
OFFLINE_ORIGIN: Final = "the bundled schema (offline)"
#: Top-level schema children the wizard can cut a profile from, by XSD tag.
DEFINITION_KINDS: Final = (
    "element",
    "attribute",
    "complexType",
    "simpleType",
    "group",
    "attributeGroup",
)
_DEPRECATED = re.compile(r"\bdeprecated\b", re.IGNORECASE)
_CACHE_SIZE: Final = 4


class ServedSchema:
    """One served schema: its xmlschema model, its source definitions, and what they say."""

    def __init__(self, document: SchemaDocument) -> None:
        self.origin = document.origin
        self.sha256 = hashlib.sha256(document.data).hexdigest()
        self.source = parse_xml(document.data, source=document.origin)
        if self.source.tag != f"{{{XS_NS}}}schema":
            raise XMLInputError(
                f"{self.origin}: not an XML Schema (root {local_name(self.source.tag)!r})"
            )
        self.namespace = self.source.get("targetNamespace", "")
        self.model = _load_model(document)
        self.definitions: dict[tuple[str, str], etree._Element] = {}
        for child in self.source:
            kind = local_name(child.tag)
            name = child.get("name")
            if kind in DEFINITION_KINDS and name:
                self.definitions[(kind, name)] = child
        self._derived = derivations(self.model)
        self.object_base = _object_base(self.model)

    # -- components -----------------------------------------------------------------------------

    def element(self, name: str) -> Any | None:
        """The global xmlschema element ``name``, or None."""
        return self.model.elements.get(name)

    def complex_type(self, name: str) -> Any | None:
        """The global complex type ``name``, or None (simple types are not roots)."""
        found = self.model.types.get(name)
        return found if found is not None and found.is_complex() else None

    def has_root(self, name: str) -> bool:
        """Whether a document rooted at ``name`` can be described: a global element or type."""
        return self.element(name) is not None or self.complex_type(name) is not None

    def root_type(self, name: str) -> Any | None:
        """The type of a document rooted at ``name`` (the global element's, else the type)."""
        element = self.element(name)
        return element.type if element is not None else self.complex_type(name)

    def derived_types(self, type_name: str) -> tuple[str, ...]:
        """Global complex types derived from ``type_name``, at any depth, sorted."""
        return self._derived.get(type_name, ())

    def iter_object_types(self) -> Iterator[str]:
        """Names of global complex types that extend the schema's common object base."""
        if self.object_base is None:
            return
        yield from self.derived_types(self.object_base)

    # -- annotations ----------------------------------------------------------------------------

    def documentation(self, name: str) -> str:
        """The documentation text of the global element and type called ``name``."""
        texts = []
        for component in (self.element(name), self.complex_type(name)):
            texts.extend(_documentation(component))
        return " ".join(dict.fromkeys(t for t in texts if t))

    def deprecated(self, name: str) -> bool:
        """Whether the schema documents ``name`` as deprecated (Boomi's own schema does)."""
        return bool(_DEPRECATED.search(self.documentation(name)))

    def filter_fields(self, name: str) -> tuple[str, ...]:
        """Fields Boomi's ``<filter>`` appinfo marks as filterable on the type ``name``."""
        fields: list[str] = []
        for component in (self.complex_type(name), self.element(name)):
            annotation = getattr(component, "annotation", None)
            for appinfo in getattr(annotation, "appinfo", ()) or ():
                for field in appinfo.iter(f"{{{BOOMI_ANNOTATION_NS}}}field"):
                    value = field.get("name")
                    if value:
                        fields.append(value)
        return tuple(dict.fromkeys(fields))


def _load_model(document: SchemaDocument) -> Any:
    """Build the xmlschema model with no resource access at all and entities defused."""
    with warnings.catch_warnings():
        # A blocked xs:import is only a warning to xmlschema; what it would have provided is
        # then missing, and that is reported as the parse error it causes.
        warnings.simplefilter("ignore", xmlschema.XMLSchemaImportWarning)
        try:
            return xmlschema.XMLSchema10(document.data, allow="none", defuse="always")
        except xmlschema.XMLResourceError as exc:
            raise XMLInputError(
                f"{document.origin}: the schema refers to another document, which the wizard "
                f"does not fetch ({exc})"
            ) from None
        except (xmlschema.XMLSchemaException, SyntaxError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise XMLInputError(
                f"{document.origin}: does not load as XML Schema: {first}"
            ) from None


def derivations(model: Any) -> dict[str, tuple[str, ...]]:
    """Type name → the global complex types derived from it (any depth) in an xmlschema model."""
    found: dict[str, set[str]] = {}
    for xsd_type in model.types.values():
        if not xsd_type.is_complex() or xsd_type.target_namespace != model.target_namespace:
            continue
        base = getattr(xsd_type, "base_type", None)
        seen: set[int] = set()
        while base is not None and base.name and id(base) not in seen:
            seen.add(id(base))
            if base.target_namespace == model.target_namespace:
                found.setdefault(base.local_name, set()).add(xsd_type.local_name)
            base = getattr(base, "base_type", None)
    return {name: tuple(sorted(names)) for name, names in found.items()}


def _object_base(model: Any) -> str | None:
    """The empty type most global types extend directly (``BaseType`` in Boomi's schemas)."""
    counts: Counter[str] = Counter()
    for xsd_type in model.types.values():
        base = getattr(xsd_type, "base_type", None)
        if not (xsd_type.is_complex() and base is not None and base.name and base.is_complex()):
            continue
        if base.target_namespace == model.target_namespace and base.is_empty():
            counts[base.local_name] += 1
    return counts.most_common(1)[0][0] if counts else None


def _documentation(component: Any) -> list[str]:
    annotation = getattr(component, "annotation", None)
    return [
        " ".join("".join(doc.itertext()).split())
        for doc in getattr(annotation, "documentation", ()) or ()
    ]


# -- loading, cached by content ----------------------------------------------------------------

_loaded: OrderedDict[str, ServedSchema] = OrderedDict()


def load_served_schema(document: SchemaDocument) -> ServedSchema:
    """Load ``document``, reusing the model already built for the same bytes."""
    key = f"{hashlib.sha256(document.data).hexdigest()} {document.origin}"
    found = _loaded.get(key)
    if found is not None:
        _loaded.move_to_end(key)
        return found
    served = ServedSchema(document)
    _loaded[key] = served
    while len(_loaded) > _CACHE_SIZE:
        _loaded.popitem(last=False)
    return served


@cache
def bundled_type_names() -> frozenset[str]:
    """Names of the complex types the bundled schema defines (cheap: no xmlschema model)."""
    root = parse_xml(schema_bytes(), source=OFFLINE_ORIGIN)
    return frozenset(
        str(c.get("name")) for c in root if local_name(c.tag) == "complexType" and c.get("name")
    )


@cache
def bundled_schema() -> ServedSchema:
    """The schema bundled with the package, for ``--offline``."""
    return load_served_schema(SchemaDocument(schema_bytes(), OFFLINE_ORIGIN))

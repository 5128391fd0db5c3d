"""What changed between two versions of a profile, field by field, for people to read.

A profile is flattened into paths from its root (``ExecutionRecord.status``,
``Environment.@name``, ``Connection.field[FieldSummary].value`` for a type an ``xsi:type`` may
put in a slot) mapped to a short description (placement, type, occurrences, a form other than
the schema's default), plus the schema's element and attribute form defaults (how the wire
qualifies names) and one entry per filterable property. Two flattenings compare into added,
removed and changed paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import xmlschema
from lxml import etree

from connector.errors import XMLInputError
from connector.wizard.served import derivations
from connector.wizard.xsd_writer import ac
from connector.xml import SAFE_PARSER, XS_NS

#: A guard against pathological schemas: flattening stops after this many paths.
MAX_PATHS: Final = 20_000


@dataclass(frozen=True)
class SchemaChanges:
    """Paths added, removed and changed between two profiles."""

    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    changed: tuple[tuple[str, str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def lines(self) -> Iterator[str]:
        """One line per change: ``+ path (what)``, ``- path (what)``, ``~ path: old -> new``."""
        for path, what in self.added:
            yield f"+ {path} ({what})"
        for path, what in self.removed:
            yield f"- {path} ({what})"
        for path, old, new in self.changed:
            yield f"~ {path}: {old} -> {new}"

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


def compare(old: bytes, new: bytes, *, source: str = "profile") -> SchemaChanges:
    """The field-level difference between two profiles' bytes."""
    before, after = flatten(old, source=source), flatten(new, source=source)
    return SchemaChanges(
        added=tuple((p, after[p]) for p in sorted(after.keys() - before.keys())),
        removed=tuple((p, before[p]) for p in sorted(before.keys() - after.keys())),
        changed=tuple(
            (p, before[p], after[p])
            for p in sorted(before.keys() & after.keys())
            if before[p] != after[p]
        ),
    )


def flatten(data: bytes, *, source: str = "profile") -> dict[str, str]:
    """Every field path of a profile with its description, and its filterable properties."""
    try:
        model = xmlschema.XMLSchema10(data, allow="none", defuse="always")
    except (xmlschema.XMLSchemaException, SyntaxError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise XMLInputError(f"{source}: does not load as XML Schema: {first}") from None
    walker = _Walker(model)
    # How elements and attributes are qualified is the wire's shape, not documentation.
    walker.paths["schema elementFormDefault"] = model.element_form_default
    walker.paths["schema attributeFormDefault"] = model.attribute_form_default
    for element in model.elements.values():
        walker.element(element.local_name, element, ())
    walker.paths.update(_filter_entries(data))
    return walker.paths


class _Walker:
    def __init__(self, model: Any) -> None:
        self.model = model
        self.derived = derivations(model)
        self.paths: dict[str, str] = {}
        self.qualified = {
            "element": model.element_form_default == "qualified",
            "attribute": model.attribute_form_default == "qualified",
        }

    def form(self, kind: str, component: Any) -> str:
        """``, unqualified`` where a field's form differs from the schema's default for it."""
        qualified = bool(getattr(component, "qualified", self.qualified[kind]))
        if qualified == self.qualified[kind]:
            return ""
        return ", qualified" if qualified else ", unqualified"

    def element(self, path: str, element: Any, stack: tuple[int, ...]) -> None:
        xsd_type = element.type
        self.complex(path, xsd_type, stack)
        if xsd_type.name:
            for name in self.derived.get(xsd_type.local_name, ()):
                derived = self.model.types.get(name)
                if derived is not None and id(derived) not in stack:
                    self.paths[f"{path}[{name}]"] = "derived type (xsi:type)"
                    self.complex(f"{path}[{name}]", derived, stack)

    def complex(self, path: str, xsd_type: Any, stack: tuple[int, ...]) -> None:
        if not xsd_type.is_complex() or id(xsd_type) in stack or len(self.paths) > MAX_PATHS:
            return
        stack = (*stack, id(xsd_type))
        for name, attribute in xsd_type.attributes.items():
            if name is None:
                self.paths[f"{path}.@*"] = "any attribute (open content)"
                continue
            required = " required" if attribute.use == "required" else ""
            self.paths[f"{path}.@{attribute.local_name}"] = (
                f"attribute {_type_name(attribute.type)}{required}"
                + self.form("attribute", attribute)
            )
        if xsd_type.has_simple_content():
            self.paths[f"{path}.#text"] = f"text {_type_name(xsd_type.content)}"
            return
        if not xsd_type.has_complex_content():
            return
        for particle in xsd_type.content.iter_elements():
            if not hasattr(particle, "type") or particle.type is None:
                self.paths[f"{path}.*"] = "any element (open content)"
                continue
            child = f"{path}.{particle.local_name}"
            most = "n" if particle.max_occurs is None else particle.max_occurs
            what = f"element {_type_name(particle.type)} [{particle.min_occurs}..{most}]"
            self.paths[child] = what + self.form("element", particle)
            self.element(child, particle, stack)


def _type_name(xsd_type: Any) -> str:
    if xsd_type is None or not getattr(xsd_type, "name", None):
        return "(anonymous type)"
    prefix = "xs:" if xsd_type.target_namespace == XS_NS else ""
    values = getattr(xsd_type, "enumeration", None)
    one_of = f" one of {'|'.join(str(v) for v in values)}" if values else ""
    return f"{prefix}{xsd_type.local_name}{one_of}"


def _filter_entries(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data, parser=SAFE_PARSER)
    entries: dict[str, str] = {}
    for query in root.iter(ac("query")):
        operators = " ".join(o.get("name", "") for o in query.iter(ac("operator")))
        entries["filter operators"] = operators
        for prop in query.iter(ac("property")):
            field = prop.get("field")
            on = f"field {field}" if field else "no record field"
            served = prop.get("served-type")
            also = f" (served as {served})" if served else ""
            entries[f"filter {prop.get('name')}"] = f"on {on}, {prop.get('type')}{also}"
    return entries

"""Records to and from the API's XML, driven only by the catalog's type model.

Output follows the schema: the ``bns`` prefix, elements in the API namespace, attributes or
child elements as each field is placed, fields in catalog order, ``xsi:type`` on polymorphic
slots. Input is read leniently, the way a JAXB service reads it: any prefix, children matched by
local name, unknown fields ignored, values checked against their types.
"""

from __future__ import annotations

from lxml import etree

from connector.sandbox.shapes import ANY_TYPE, OPEN_KEY, Record, Shapes
from connector.sandbox.values import ValueProblem, canonical
from connector.xml import API_NS, API_PREFIX, SAFE_PARSER, XSI_NS, XSI_TYPE, api, local_name

_WRAPPER_OPEN = f'<w xmlns:{API_PREFIX}="{API_NS}" xmlns:xsi="{XSI_NS}">'
_NSMAP: dict[str, str] = {API_PREFIX: API_NS, "xsi": XSI_NS}


class BodyProblem(ValueError):
    """A request body that cannot be read as the type it should be (answered 400)."""


def new_root(local: str) -> etree._Element:
    return etree.Element(api(local), nsmap=_NSMAP)


def xsi_type_value(type_name: str) -> str:
    return f"{API_PREFIX}:{type_name}"


def write_record(
    shapes: Shapes,
    type_name: str,
    record: Record,
    element: etree._Element,
) -> etree._Element:
    """Fill ``element`` (already created, in place) with ``record`` as ``type_name``."""
    for field in shapes.fields(type_name):
        value = record.get(field.name)
        if value is None:
            continue
        if shapes.is_attribute(field):
            if not isinstance(value, list | dict):
                element.set(field.name, str(value))
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            child = etree.SubElement(element, api(field.name))
            if field.type == ANY_TYPE:
                _insert_raw(child, str(item))
            elif shapes.is_simple(field):
                child.text = str(item)
            elif isinstance(item, dict):
                write_record(shapes, field.type, item, child)
    extra = record.get(OPEN_KEY)
    if isinstance(extra, dict):
        for name, text in extra.items():
            etree.SubElement(element, api(name)).text = str(text)
    return element


def _insert_raw(element: etree._Element, raw: str) -> None:
    """Put stored open XML back under ``element`` without touching its bytes."""
    wrapper = etree.fromstring(f"{_WRAPPER_OPEN}{raw}</w>".encode(), parser=SAFE_PARSER)
    element.text = wrapper.text
    element.extend(list(wrapper))


def raw_content(element: etree._Element) -> str:
    """The content of ``element`` as text: its leading text, then each child with its tail."""
    parts = [element.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return "".join(parts)


def read_record(shapes: Shapes, type_name: str, element: etree._Element, path: str = "") -> Record:
    """Read ``element`` as ``type_name``; raises :class:`BodyProblem` naming the bad field."""
    where = path or type_name
    record: Record = {}
    children: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):
            children.setdefault(local_name(child.tag), []).append(child)
    declared = set()
    for field in shapes.fields(type_name):
        declared.add(field.name)
        found = children.get(field.name, [])
        try:
            if shapes.is_attribute(field) or field.dual_placement:
                text = element.get(field.name)
                if text is None and field.dual_placement and found:
                    text = found[0].text or ""
                value = canonical(text, shapes.simple_type(field), shapes.enum(field))
                if value is not None:
                    record[field.name] = value
                continue
            values = [
                _read_child(shapes, field.type, child, f"{where}.{field.name}") for child in found
            ]
        except ValueProblem as exc:
            raise BodyProblem(f"invalid value for {where}.{field.name}: {exc}") from None
        present = [v for v in values if v is not None]
        if field.repeated:
            if present:
                record[field.name] = present
        elif present:
            record[field.name] = present[0]
    if shapes.is_open(type_name):
        extra = {
            name: nodes[0].text or "" for name, nodes in children.items() if name not in declared
        }
        if extra:
            record[OPEN_KEY] = extra
    return record


def _read_child(shapes: Shapes, type_name: str, child: etree._Element, path: str) -> object:
    if type_name == ANY_TYPE:
        return raw_content(child)
    if type_name.startswith("xs:") or type_name in shapes.catalog.enums:
        return canonical(
            child.text or "",
            type_name if type_name.startswith("xs:") else "xs:string",
            shapes.catalog.enums.get(type_name),
        )
    return read_record(shapes, type_name, child, path)


def declared_type(element: etree._Element) -> str:
    """The local name of an element's ``xsi:type`` (lenient: any prefix, or none)."""
    value = element.get(XSI_TYPE) or ""
    return value.strip().rpartition(":")[2]

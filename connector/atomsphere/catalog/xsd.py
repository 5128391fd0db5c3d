"""Write the API's XML Schema from the type model, plus the envelopes every object shares.

Design choices, each forced by how the real API behaves:

* **Element order is free.** The spec lists properties alphabetically, while the service writes
  them in its own (Java field) order, so no ``xs:sequence`` derived from the spec could accept
  real responses, even one taken from the API's own XSD (it lacks newer fields). A type whose
  child elements are all single uses ``xs:all`` (order-free, each at most once); one with a
  repeated element uses an unbounded ``xs:choice``; an extension of a base that already has
  elements also uses ``xs:choice`` (XSD 1.0 forbids ``xs:all`` there). Elements are listed in
  catalog order, the API's own where it is known (:mod:`connector.atomsphere.catalog.order`).
* **Nothing is required on the wire.** The spec's ``required`` lists are not honoured by the
  service (ExecutionRecord responses omit ``message``, which the spec requires), so every element
  and attribute is optional; ``required`` is kept in the documentation and in the catalog.
* **Both placements** are declared for the few fields the spec and the API's own XSD place
  differently (``facts.DUAL_PLACEMENT``).
* **Every type extends ``BaseType``**, so ``xsi:type`` substitution works in the polymorphic
  slots (``result``, ``Result``, ``request``), as in Boomi's own schema.
* **Error bodies** (``<error><message>``) and cancelExecution's ``<response>`` are in no
  namespace, so they live in a second, tiny schema (:func:`unqualified_schema`).
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from connector.atomsphere.catalog import facts
from connector.atomsphere.catalog.model import FieldInfo, FieldKind, TypeInfo
from connector.atomsphere.catalog.typemodel import TypeModel
from connector.xml import API_NS, XS_NS

_XS = f"{{{XS_NS}}}"
TNS = "tns"


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, _XS + tag)
    for key, value in attrs.items():
        node.set(key.rstrip("_"), value)
    return node


def _doc(parent: etree._Element, text: str) -> None:
    if text:
        annotation = etree.Element(_XS + "annotation")
        _el(annotation, "documentation").text = text
        parent.insert(0, annotation)


def _qtype(type_name: str) -> str:
    return type_name if type_name.startswith("xs:") else f"{TNS}:{type_name}"


class XsdWriter:
    """Builds the schema document; :meth:`write` returns deterministic bytes."""

    def __init__(self, model: TypeModel, header: str) -> None:
        self.model = model
        # A type extended by one that adds elements cannot use xs:all (XSD 1.0).
        self.extended_with_elements = {
            t.base
            for t in model.types.values()
            if t.base and any(f.kind is FieldKind.ELEMENT for f in t.fields)
        }
        self.root = etree.Element(_XS + "schema", nsmap={"xs": XS_NS, TNS: API_NS})
        self.root.set("targetNamespace", API_NS)
        self.root.set("elementFormDefault", "qualified")
        self.root.set("attributeFormDefault", "unqualified")
        self.root.set("version", "1.0")
        _doc(self.root, header)

    def write(self) -> bytes:
        self._envelopes()
        for name in sorted(self.model.top_level):
            _el(self.root, "element", name=name, type=_qtype(name))
        for name in sorted(self.model.types):
            self._complex_type(self.model.types[name])
        for name in sorted(self.model.enums):
            self._enum(name, self.model.enums[name])
        etree.indent(self.root, space="  ")
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8") + b"\n"

    # -- object types ---------------------------------------------------------------------------

    def _complex_type(self, info: TypeInfo) -> None:
        ct = _el(self.root, "complexType", name=info.name)
        extension = _el(
            _el(ct, "complexContent"), "extension", base=_qtype(info.base or "BaseType")
        )
        elements = [f for f in info.fields if f.kind is FieldKind.ELEMENT or f.dual_placement]
        attributes = [f for f in info.fields if f.kind is FieldKind.ATTRIBUTE or f.dual_placement]
        if info.open_content:
            seq = _el(extension, "sequence")
            _el(
                seq,
                "any",
                minOccurs="0",
                maxOccurs="unbounded",
                processContents="lax",
                namespace="##any",
            )
        else:
            order_free = not (
                self._has_elements(info.base) or info.name in self.extended_with_elements
            )
            self._content(extension, elements, all_allowed=order_free)
        for field in attributes:
            attribute = _el(extension, "attribute", name=field.name, type=_qtype(field.type))
            _doc(attribute, self._documentation(field))
        if info.open_content:
            _el(extension, "anyAttribute", processContents="lax", namespace="##any")

    def _has_elements(self, name: str | None) -> bool:
        while name is not None:
            info = self.model.types[name]
            if info.open_content or any(f.kind is FieldKind.ELEMENT for f in info.fields):
                return True
            name = info.base
        return False

    def _content(
        self, parent: etree._Element, elements: list[FieldInfo], *, all_allowed: bool
    ) -> None:
        if not elements:
            return
        if any(f.repeated for f in elements) or not all_allowed:
            group = _el(parent, "choice", minOccurs="0", maxOccurs="unbounded")
            for field in elements:
                self._element(group, field, occurs=False)
        else:
            group = _el(parent, "all")
            for field in elements:
                self._element(group, field, occurs=True)

    def _element(self, group: etree._Element, field: FieldInfo, *, occurs: bool) -> None:
        element = _el(group, "element", name=field.name, type=_qtype(field.type))
        if occurs:
            element.set("minOccurs", "0")
        _doc(element, self._documentation(field))

    @staticmethod
    def _documentation(field: FieldInfo) -> str:
        required = " Marked required in the spec." if field.required else ""
        return f"{field.documentation}{required}".strip()

    def _enum(self, name: str, values: Iterable[str]) -> None:
        restriction = _el(_el(self.root, "simpleType", name=name), "restriction", base="xs:string")
        for value in values:
            _el(restriction, "enumeration", value=value)

    # -- envelopes ------------------------------------------------------------------------------

    def _envelopes(self) -> None:
        root = self.root
        _el(_el(root, "complexType", name="BaseType"), "sequence")
        _el(root, "element", name="QueryConfig", type=f"{TNS}:QueryConfig")
        config = _el(_el(root, "complexType", name="QueryConfig"), "sequence")
        _el(config, "element", name="QueryFilter", type=f"{TNS}:QueryFilter", minOccurs="0")
        _el(config, "element", name="QuerySort", type=f"{TNS}:QuerySort", minOccurs="0")
        _el(root, "element", name="QueryFilter", type=f"{TNS}:QueryFilter")
        qf = _el(_el(root, "complexType", name="QueryFilter"), "sequence")
        _el(qf, "element", name="expression", type=f"{TNS}:Expression", minOccurs="0")
        sort = _el(_el(root, "complexType", name="QuerySort"), "sequence")
        _el(
            sort,
            "element",
            name="sortField",
            type=f"{TNS}:QuerySortField",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        field = _el(root, "complexType", name="QuerySortField")
        _el(field, "sequence")
        _el(field, "attribute", name="fieldName", type="xs:string")
        _el(field, "attribute", name="sortOrder", type="xs:string")
        expression = _el(root, "complexType", name="Expression", abstract="true")
        _el(expression, "sequence")
        _doc(expression, "A query expression: SimpleExpression or GroupingExpression (xsi:type).")
        simple = _el(
            _el(_el(root, "complexType", name="SimpleExpression"), "complexContent"),
            "extension",
            base=f"{TNS}:Expression",
        )
        _el(
            _el(simple, "sequence"),
            "element",
            name="argument",
            type="xs:string",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        _el(simple, "attribute", name="operator", type=f"{TNS}:QueryOperator", use="required")
        _el(simple, "attribute", name="property", type="xs:string", use="required")
        grouping = _el(
            _el(_el(root, "complexType", name="GroupingExpression"), "complexContent"),
            "extension",
            base=f"{TNS}:Expression",
        )
        _el(
            _el(grouping, "sequence"),
            "element",
            name="nestedExpression",
            type=f"{TNS}:Expression",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        _el(grouping, "attribute", name="operator", type=f"{TNS}:GroupingOperator", use="required")
        self._enum("QueryOperator", facts.OPERATOR_ARGUMENTS)
        self._enum("GroupingOperator", facts.GROUPING_OPERATORS)

        _el(root, "element", name="QueryResult", type=f"{TNS}:QueryResult")
        result = _el(root, "complexType", name="QueryResult")
        seq = _el(result, "sequence")
        _el(seq, "element", name="queryToken", type="xs:string", minOccurs="0")
        _el(
            seq,
            "element",
            name="result",
            type=f"{TNS}:BaseType",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        _el(result, "attribute", name="numberOfResults", type="xs:int")

        _el(root, "element", name="BulkRequest", type=f"{TNS}:BulkRequest")
        bulk = _el(root, "complexType", name="BulkRequest")
        _el(
            _el(bulk, "sequence"),
            "element",
            name="request",
            type=f"{TNS}:BaseType",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        _el(bulk, "attribute", name="type", type=f"{TNS}:BulkRequestType")
        self._enum("BulkRequestType", ("GET", "DELETE", "UPDATE", "CREATE"))
        _el(root, "element", name="BulkResult", type=f"{TNS}:BulkResult")
        _el(
            _el(_el(root, "complexType", name="BulkResult"), "sequence"),
            "element",
            name="response",
            type=f"{TNS}:BulkResponse",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        response = _el(root, "complexType", name="BulkResponse")
        _doc(response, "Result is absent when the item failed (statusCode, errorMessage, id).")
        _el(
            _el(response, "sequence"),
            "element",
            name="Result",
            type=f"{TNS}:BaseType",
            minOccurs="0",
        )
        for name, kind in (
            ("index", "xs:int"),
            ("id", "xs:string"),
            ("statusCode", "xs:int"),
            ("errorMessage", "xs:string"),
        ):
            _el(response, "attribute", name=name, type=kind)

        _el(root, "element", name=facts.ASYNC_RESULT_ROOT, type=f"{TNS}:{facts.ASYNC_RESULT_ROOT}")
        async_result = _el(root, "complexType", name=facts.ASYNC_RESULT_ROOT)
        _el(
            _el(async_result, "sequence"),
            "element",
            name="result",
            type=f"{TNS}:BaseType",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        _el(async_result, "attribute", name="numberOfResults", type="xs:int")
        _el(async_result, "attribute", name="responseStatusCode", type="xs:int")

        # ListQueues' first step and ClearQueue answer with this instead of their declared types
        # (atomsphere-api.md §9); the spec has no schema for it, the API's own XSD does.
        _el(root, "element", name="QueueMessageResponse", type=f"{TNS}:QueueMessageResponse")
        queue = _el(
            _el(_el(root, "complexType", name="QueueMessageResponse"), "complexContent"),
            "extension",
            base=f"{TNS}:BaseType",
        )
        _el(queue, "attribute", name="sessionId", type="xs:string")
        _el(queue, "attribute", name="message", type="xs:string")


def unqualified_schema() -> bytes:
    """Bodies in no namespace: ``<error><message>`` and cancelExecution's ``<response>``."""
    root = etree.Element(_XS + "schema", nsmap={"xs": XS_NS})
    _doc(root, "AtomSphere API bodies in no namespace. Generated; do not edit.")
    for name in ("error", "response"):
        element = _el(root, "element", name=name)
        seq = _el(_el(element, "complexType"), "sequence")
        _el(seq, "element", name="message", type="xs:string")
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"

"""``/api/soap/v1/{accountId}?wsdl`` and ``?xsd=1``: the schema endpoints the Import wizard
reads. The XSD is served byte for byte as generated; the WSDL imports it by URL (as Boomi's does)
and names one operation per object and action, built from the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from lxml import etree

from connector.atomsphere.catalog import WireAction, schema_bytes
from connector.sandbox.bodies import Renderer
from connector.sandbox.wire import Request, Response
from connector.xml import API_NS, XS_NS

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

WSDL_NS: Final = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS: Final = "http://schemas.xmlsoap.org/wsdl/soap/"
_XML: Final = "text/xml;charset=UTF-8"
#: Wire action → (operation verb, input element or None for an id, output element or None for
#: the object's own record type).
_OPERATIONS: Final = {
    WireAction.GET: ("get", None, None),
    WireAction.QUERY: ("query", "QueryConfig", "QueryResult"),
    WireAction.CREATE: ("create", "", None),
    WireAction.UPDATE: ("update", "", None),
}


def answer(sandbox: Sandbox, request: Request, render: Renderer) -> Response:
    params = request.query_params
    if request.method != "GET":
        return render.error(405, f"Method {request.method} is not allowed on {request.path}")
    if "xsd" in params:
        return Response(200, (("Content-Type", _XML),), schema_bytes())
    if "wsdl" in {k.lower() for k in params}:
        base = f"{request.origin}{request.path}"
        return Response(200, (("Content-Type", _XML),), build_wsdl(sandbox, base))
    return render.error(404, "Add ?wsdl for the WSDL or ?xsd=1 for the schema")


def build_wsdl(sandbox: Sandbox, soap_url: str) -> bytes:
    nsmap: dict[str, str] = {"wsdl": WSDL_NS, "soap": SOAP_NS, "xs": XS_NS, "tns": API_NS}
    root = etree.Element(f"{{{WSDL_NS}}}definitions", nsmap=nsmap)
    root.set("name", "AtomSphereAPI")
    root.set("targetNamespace", API_NS)
    types = etree.SubElement(root, f"{{{WSDL_NS}}}types")
    schema = etree.SubElement(types, f"{{{XS_NS}}}schema")
    schema.set("targetNamespace", API_NS)
    imported = etree.SubElement(schema, f"{{{XS_NS}}}import")
    imported.set("namespace", API_NS)
    imported.set("schemaLocation", f"{soap_url}?xsd=1")
    port_type = etree.Element(f"{{{WSDL_NS}}}portType", name="AtomSphereAPIPortType")
    binding = etree.Element(f"{{{WSDL_NS}}}binding", name="AtomSphereAPIBinding")
    binding.set("type", "tns:AtomSphereAPIPortType")
    soap_binding = etree.SubElement(binding, f"{{{SOAP_NS}}}binding")
    soap_binding.set("style", "document")
    soap_binding.set("transport", "http://schemas.xmlsoap.org/soap/http")
    for info in sandbox.catalog:
        record = info.record_type
        for action, (verb, request_element, response_element) in _OPERATIONS.items():
            if info.endpoint(action) is None or record is None:
                continue
            name = f"{verb}{info.name}"
            _message(root, f"{name}Request", request_element, record)
            _message(root, f"{name}Response", response_element or record, record)
            operation = etree.SubElement(port_type, f"{{{WSDL_NS}}}operation", name=name)
            etree.SubElement(operation, f"{{{WSDL_NS}}}input", message=f"tns:{name}Request")
            etree.SubElement(operation, f"{{{WSDL_NS}}}output", message=f"tns:{name}Response")
            bound = etree.SubElement(binding, f"{{{WSDL_NS}}}operation", name=name)
            etree.SubElement(bound, f"{{{SOAP_NS}}}operation", soapAction=name)
            for direction in ("input", "output"):
                body = etree.SubElement(bound, f"{{{WSDL_NS}}}{direction}")
                etree.SubElement(body, f"{{{SOAP_NS}}}body", use="literal")
    root.append(port_type)
    root.append(binding)
    service = etree.SubElement(root, f"{{{WSDL_NS}}}service", name="AtomSphereAPIService")
    port = etree.SubElement(service, f"{{{WSDL_NS}}}port", name="AtomSphereAPIPort")
    port.set("binding", "tns:AtomSphereAPIBinding")
    etree.SubElement(port, f"{{{SOAP_NS}}}address", location=soap_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _message(root: etree._Element, name: str, element: str | None, record: str) -> None:
    message = etree.SubElement(root, f"{{{WSDL_NS}}}message", name=name)
    part = etree.SubElement(message, f"{{{WSDL_NS}}}part", name="parameters")
    if element is None:
        part.set("type", "xs:string")
    else:
        part.set("element", f"tns:{element or record}")

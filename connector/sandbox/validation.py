"""Every XML response checked against the generated schema (``validate_responses=True``).

Tests turn this on so no response of the suite can drift from the XSD unnoticed; an invalid
response is a bug of the sandbox, raised as a ContractError naming the call.
"""

from __future__ import annotations

from lxml import etree

from connector.atomsphere.catalog import unqualified_schema, xml_schema
from connector.errors import ContractError
from connector.sandbox.wire import XML_TYPE, Response
from connector.xml import SAFE_PARSER


def check_response(response: Response, what: str) -> None:
    if response.content_type != XML_TYPE or not response.body:
        return
    root = etree.fromstring(response.body, parser=SAFE_PARSER)
    schema = xml_schema() if etree.QName(root).namespace else unqualified_schema()
    if not schema.validate(root):
        first = str(schema.error_log).splitlines()[0]
        raise ContractError(f"{what}: invalid XML response: {first}")

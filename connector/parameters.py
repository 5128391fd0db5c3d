"""Parameter values bound at run time, as Boomi's connector steps bind them.

A parameter names where a value comes from: a static value, a document property, an XPath into
the document, a process property, the process's last successful run date, or the current date.
The operation engine uses parameters for ids and filter arguments; the host uses the same
parameters for tracked fields and cache keys, so both resolve values one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from lxml import etree

from connector.contract import ExecutionContext
from connector.documents import Document
from connector.errors import ConfigError, XMLInputError
from connector.xml import API_NS, parse_xml


class Source(StrEnum):
    STATIC = "static"
    DOCUMENT_PROPERTY = "document_property"
    XPATH = "xpath"
    PROCESS_PROPERTY = "process_property"
    LAST_RUN_DATE = "last_run_date"
    CURRENT_DATE = "current_date"


#: Prefixes usable in XPath parameters without declaring them.
DEFAULT_NAMESPACES: Mapping[str, str] = MappingProxyType({"bns": API_NS, "api": API_NS})

DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_date(value: datetime) -> str:
    """Boomi's wire form of a date-time: ``2016-01-31T15:32:00Z`` in UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime(DATE_FORMAT)


class ParameterError(XMLInputError):
    """A parameter could not be resolved for a document (answered on that document)."""


@dataclass(frozen=True)
class Parameter:
    """Where one named value comes from."""

    name: str
    source: Source
    value: str | None = None
    key: str | None = None
    xpath: str | None = None
    namespaces: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None

    @classmethod
    def from_config(cls, name: str, raw: Mapping[str, Any]) -> Parameter:
        """Build from the YAML form (already checked against the JSON Schema)."""
        source = Source(raw["from"])
        parameter = cls(
            name=name,
            source=source,
            value=_text(raw.get("value")),
            key=raw.get("name"),
            xpath=raw.get("xpath"),
            namespaces=MappingProxyType({**DEFAULT_NAMESPACES, **raw.get("namespaces", {})}),
            default=_text(raw.get("default")),
        )
        if source is Source.XPATH:
            parameter.compiled  # noqa: B018 - compile now so a bad XPath fails at load time
        return parameter

    @cached_property
    def compiled(self) -> etree.XPath:
        try:
            return etree.XPath(self.xpath or "", namespaces=dict(self.namespaces))
        except etree.XPathSyntaxError as exc:
            # No "parameter NAME:" here: every loader already locates it (``parameters.NAME:``).
            raise ConfigError(f"invalid XPath {self.xpath!r}: {exc}") from None

    def resolve(self, document: Document | None, context: ExecutionContext) -> str | None:
        """The value for one document; None when the source has no value and no default."""
        if self.source is Source.STATIC:
            return self.value
        if self.source is Source.DOCUMENT_PROPERTY:
            found = document.properties.get(self.key or "") if document else None
            return found if found is not None else self.default
        if self.source is Source.PROCESS_PROPERTY:
            raw = context.process_properties.get(self.key or "")
            return _text(raw) if raw is not None else self.default
        if self.source is Source.LAST_RUN_DATE:
            if context.last_run_date is None:
                return self.default
            return format_date(context.last_run_date)
        if self.source is Source.CURRENT_DATE:
            return format_date(datetime.now(UTC))
        return self._from_xpath(document)

    def _from_xpath(self, document: Document | None) -> str | None:
        if document is None or not document.data.strip():
            return self.default
        root = parse_xml(document.data, source=f"parameter {self.name}")
        try:
            result = self.compiled(root)
        except etree.XPathEvalError as exc:
            raise ParameterError(f"parameter {self.name}: XPath failed: {exc}") from None
        if isinstance(result, list):
            if not result:
                return self.default
            first = result[0]
            if isinstance(first, etree._Element):
                return "".join(str(t) for t in first.itertext())
            return str(first)
        if isinstance(result, bool):
            return "true" if result else "false"
        if isinstance(result, float) and result.is_integer():
            return str(int(result))
        return str(result) if result != "" else self.default


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

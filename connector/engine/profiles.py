"""Request profiles: the XML Schema a request document must match before it is sent.

A profile is a self-contained XSD the Import wizard wrote (``profiles/*.xsd``), compiled by libxml2
once per file version and shared by every operation that names it. An operation without a request
profile is checked against the API's own schema, rooted at the element the endpoint takes (an
``Environment`` for a Create of Environment), so a misspelt attribute or a wrong root never costs
a request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Final, cast

from lxml import etree

from connector.atomsphere.catalog import load_catalog, xml_schema
from connector.atomsphere.lenient import canonical_copy
from connector.errors import ConfigError, Problem, XMLInputError
from connector.xml import API_NS, XS_NS, local_name, namespace_of, parse_xml

_SCHEMA: Final = f"{{{XS_NS}}}schema"

#: How many schema errors one answer lists before "and N more".
MAX_LISTED: Final = 3

_compiled: dict[tuple[str, int, int], etree.XMLSchema] = {}
_compiled_lock = threading.Lock()
#: libxml2 keeps a schema's error log on the shared object: validate one document at a time.
_validate_lock = threading.Lock()


@dataclass(frozen=True)
class RequestValidator:
    """Checks one request document against a compiled schema (and, optionally, its root)."""

    schema: etree.XMLSchema
    description: str
    root: str | None = None

    def check(self, root: etree._Element) -> None:
        """Raise :class:`XMLInputError` naming the first problems, with their lines."""
        if self.root is not None and root.tag != self.root:
            raise XMLInputError(
                f"the request document is <{_show(root.tag)}>, but {self.description} expects "
                f"<{_show(self.root)}>"
            )
        candidate = canonical_copy(root, frozenset(load_catalog().types))
        with _validate_lock:
            valid = self.schema.validate(candidate)
            log = self.schema.error_log
            # (lxml-stubs lacks _ErrorLog.__iter__)
            errors = [(e.line, e.message) for e in log] if not valid else []  # type: ignore[attr-defined]
        if valid:
            return
        listed = "; ".join(f"line {line}: {message}" for line, message in errors[:MAX_LISTED])
        more = f" (and {len(errors) - MAX_LISTED} more)" if len(errors) > MAX_LISTED else ""
        raise XMLInputError(
            f"the request document does not match {self.description}: {listed}{more}"
        )


def api_validator(request_type: str) -> RequestValidator:
    """The API's own schema, rooted at ``request_type``."""
    return RequestValidator(xml_schema(), "the API schema", f"{{{API_NS}}}{request_type}")


def profile_validator(path: Path, *, field: str = "profiles.request") -> RequestValidator:
    """A validator for the profile at ``path``; ConfigError if it is missing or does not compile."""
    return RequestValidator(compile_profile(path, field=field), f"profile {path.name}")


def compile_profile(path: Path, *, field: str = "") -> etree.XMLSchema:
    """The compiled XSD at ``path``, cached by path, modification time and size."""
    source = str(path)

    def refused(message: str, line: int | None = None) -> ConfigError:
        return ConfigError([Problem(message, source, line, field)])

    try:
        stat = path.stat()
    except FileNotFoundError:
        raise refused("profile not found") from None
    except OSError as exc:
        raise refused(f"cannot read profile: {exc.strerror}") from None
    if S_ISDIR(stat.st_mode):
        raise refused("is a directory, not a profile (an .xsd file)")
    if not S_ISREG(stat.st_mode):
        # (a FIFO or a device would block the load or never end)
        raise refused("is not a regular file, so it cannot be a profile (an .xsd file)")
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _compiled_lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refused(f"cannot read profile: {exc.strerror}") from None
    try:
        document = parse_xml(raw, source=source)
    except XMLInputError as exc:
        # (parse_xml names the file first; the problem already does)
        raise refused(str(exc).removeprefix(f"{source}: ")) from None
    if document.tag != _SCHEMA:
        raise refused(
            f"not an XML Schema: the root element is <{_show(str(document.tag))}>, not xs:schema",
            cast("int | None", document.sourceline),
        )
    _refuse_references(document, source, field)
    try:
        schema = etree.XMLSchema(document)
    except etree.XMLSchemaParseError as exc:
        raise refused(f"not a usable XML Schema: {exc}") from None
    with _compiled_lock:
        _compiled[key] = schema
    return schema


#: Schema elements that make libxml2 read another document, from disk or the network.
_REFERENCES: Final = tuple(
    f"{{{XS_NS}}}{name}" for name in ("include", "import", "redefine", "override")
)


def _refuse_references(document: etree._Element, source: str, field: str) -> None:
    """A profile is self-contained: one that names another schema document is refused unread."""
    for element in document.iter(*_REFERENCES):
        message = (
            f"xs:{local_name(element.tag)} is not allowed: a profile must be self-contained "
            "(the connector reads no other schema document, from disk or the network)"
        )
        # (lxml-stubs types sourceline oddly; it is the element's line, or None)
        line = cast("int | None", element.sourceline)
        raise ConfigError([Problem(message, source, line, field)])


def _show(tag: str) -> str:
    namespace = namespace_of(tag)
    name = local_name(tag)
    if namespace == API_NS:
        return f"bns:{name}"
    return f"{{{namespace}}}{name}" if namespace else name

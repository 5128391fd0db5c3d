"""Running ``atomsphere import`` in-process with an injected transport, and checking profiles."""

from __future__ import annotations

from pathlib import Path

import httpx
import xmlschema
from lxml import etree

from connector.cli import build_parser, dispatch
from connector.wizard import Prompter
from connector.xml import SAFE_PARSER


def run_import(
    *argv: str, transport: httpx.BaseTransport | None = None, prompter: Prompter | None = None
) -> int:
    """``atomsphere import ARGV`` as the console script runs it, errors mapped to exit codes."""
    args = build_parser().parse_args(["import", *argv])
    args.transport, args.prompter = transport, prompter
    return dispatch(args)


def profile_problems(path: Path) -> list[str]:
    """Why ``path`` is not a valid XSD for libxml2 and for xmlschema (empty when it is)."""
    problems = []
    data = path.read_bytes()
    try:
        etree.XMLSchema(etree.fromstring(data, parser=SAFE_PARSER))
    except etree.XMLSchemaParseError as exc:
        problems.append(f"{path.name}: lxml: {exc}")
    try:
        xmlschema.XMLSchema10(data, allow="none", defuse="always")
    except xmlschema.XMLSchemaException as exc:
        problems.append(f"{path.name}: xmlschema: {str(exc).splitlines()[0]}")
    return problems


def files(folder: Path, pattern: str = "*.xsd") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern))}

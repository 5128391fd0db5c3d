"""``atomsphere schema``: print a published JSON Schema (for editors to validate and complete)."""

from __future__ import annotations

import argparse
from importlib import resources

from connector.cli.output import ExitCode, print_json
from connector.yamlfiles import packaged_schema

HELP_ORDER = 70
SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    """Every schema shipped in ``connector/schemas`` (``operation``, ``connection``, …)."""
    folder = resources.files("connector.schemas")
    return sorted(p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a configuration file (operation, connection, ...)",
        description=(
            "Print a JSON Schema, e.g. `atomsphere schema operation > operation.schema.json`, "
            "for editors that validate and complete YAML (yaml-language-server: $schema=...)."
        ),
    )
    parser.add_argument(
        "name", choices=schema_names(), metavar="NAME", help=", ".join(schema_names())
    )
    parser.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    print_json(dict(packaged_schema(args.name)))
    return ExitCode.OK

"""``atomsphere schema``: print a published JSON Schema (for editors to validate and complete)."""

from __future__ import annotations

import argparse
import json
from importlib import resources

from connector.cli.output import ExitCode, print_json
from connector.yamlfiles import packaged_schema

HELP_ORDER = 70
SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    """Every schema shipped in ``connector/schemas`` (``operation``, ``connection``, …)."""
    folder = resources.files("connector.schemas")
    return sorted(p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX))


def _title(name: str) -> str:
    """The schema's title, read without validating it: every command's parser is built at start."""
    text = resources.files("connector.schemas").joinpath(f"{name}{SUFFIX}").read_text("utf-8")
    return str(json.loads(text).get("title", ""))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    names = schema_names()
    parser = subparsers.add_parser(
        "schema",
        help=f"print the JSON Schema of a configuration file ({', '.join(names)})",
        description=(
            "Print a JSON Schema, e.g. `atomsphere schema operation > operation.schema.json`,\n"
            "for editors that validate and complete YAML (yaml-language-server: $schema=...)."
        ),
        epilog="schemas:\n" + "\n".join(f"  {name:<12}{_title(name)}" for name in names),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=names, metavar="NAME", help=", ".join(names))
    parser.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    print_json(dict(packaged_schema(args.name)))
    return ExitCode.OK

"""``atomsphere about``: the connector describes itself from ``plugin.yaml`` and the catalog.

Like a Singer tap's ``--about``: settings with their types, defaults, help and environment
variables, the actions, the operation fields, the filter operators, the document properties, and
the objects with their actions. Everything comes from the descriptor a host reads and the catalog
the engine runs on, so this page cannot drift from either.
"""

from __future__ import annotations

import argparse
import shutil
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from connector.atomsphere.catalog import Catalog, load_catalog
from connector.cli.output import ExitCode, print_json
from connector.descriptor import FieldSpec, PluginDescriptor, Scalar, bundled_descriptor

HELP_ORDER = 5
#: The narrowest a table's last column may be beside its row (else the table is
#: printed one record a row).
_MIN_LAST_COLUMN = 40
#: The indent of a record's lines under its first cell.
_BELOW = "    "


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "about",
        help="describe the connector: settings, actions, operation fields, objects",
        description=(
            "Describe the connector from its descriptor (plugin.yaml) and catalog: connection "
            "settings and environment variables, actions, operation fields, query operators, "
            "document properties and the objects with their actions."
        ),
    )
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="default: text"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    descriptor, catalog = bundled_descriptor(), load_catalog()
    if args.format == "json":
        print_json(about_data(descriptor, catalog))
    elif args.format == "markdown":
        print(markdown(descriptor, catalog), end="")
    else:
        print(text(descriptor, catalog), end="")
    return ExitCode.OK


def about_data(descriptor: PluginDescriptor, catalog: Catalog) -> dict[str, Any]:
    """The descriptor as JSON, plus the catalog's objects and their actions."""
    return {
        **descriptor.to_dict(),
        "objects": [
            {
                "name": o.name,
                "label": o.label,
                "actions": [a.value for a in o.actions],
                "deprecated": o.deprecated,
            }
            for o in catalog.objects
        ],
    }


def _value(value: Scalar | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _type(spec: FieldSpec) -> str:
    if spec.choices:
        return f"{spec.type} ({', '.join(c.value for c in spec.choices)})"
    return spec.type


def _default(spec: FieldSpec) -> str:
    by_action = getattr(spec, "default_by_action", {})
    if by_action:
        groups: dict[str, list[str]] = defaultdict(list)
        for action, value in by_action.items():
            groups[_value(value)].append(action.value)
        return "; ".join(f"{v} for {', '.join(actions)}" for v, actions in groups.items())
    return _value(spec.default)


def _shown_for(spec: FieldSpec) -> str:
    condition = spec.visible_when
    if condition is None:
        return "all"
    values = ", ".join(_value(v) for v in condition.values)
    return values if condition.field == "action" else f"{condition.field} = {values}"


def _sections(
    descriptor: PluginDescriptor, catalog: Catalog
) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(title, introduction, headers, rows) of each part of the description."""
    grammar = descriptor.query_filter
    overrideable = ", ".join(f"`{f.id}`" for f in descriptor.overrideable_fields) or "none"
    by_actions: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for obj in catalog.objects:
        by_actions[tuple(a.value for a in obj.actions)].append(obj.name)
    counts = ", ".join(
        f"{a.id.value} {sum(a.id in o.actions for o in catalog.objects)}"
        for a in descriptor.actions
    )
    return [
        (
            "Connection settings",
            "Set in a connection file (`kind: AtomSphereConnection`) or, where named, from the "
            "environment. Password fields are secrets: never logged, reported or stored.",
            ["setting", "type", "default", "required", "environment", "help"],
            [
                [f.id, _type(f), _default(f), "yes" if f.required else "no", f.env or "-", f.help]
                for f in descriptor.connection_fields
            ],
        ),
        (
            "Actions",
            "",
            ["action", "label", "what it does"],
            [[a.id.value, a.label, a.description] for a in descriptor.actions],
        ),
        (
            "Operation fields",
            f"Keys of `operations/NAME.yaml`. A document may override {overrideable} through its "
            "dynamic operation properties (the document's value first, the operation's as the "
            "fallback).",
            ["field", "path", "type", "default", "actions", "help"],
            [
                [
                    f.id + (" (overrideable)" if f.overrideable else ""),
                    f.path,
                    _type(f),
                    _default(f),
                    _shown_for(f),
                    f.help,
                ]
                for f in descriptor.operation_fields
            ],
        ),
        (
            "Query filter operators",
            f"Grouping: {grammar.grouping if grammar else '-'} (and/or, nested freely); sorting: "
            f"{grammar.sorting if grammar else '-'}.",
            ["operator", "label", "arguments", "property types"],
            [
                [o.id, o.label, str(o.arguments), ", ".join(o.types) or "all"]
                for o in (grammar.operators if grammar else ())
            ],
        ),
        (
            "Document properties",
            "Set by the connector on every output document.",
            ["property", "label", "tracked", "help"],
            [
                [p.id, p.label, "yes" if p.tracked else "no", p.help]
                for p in descriptor.document_properties
            ],
        ),
        (
            "Objects",
            f"{len(catalog.objects)} object types ({counts}); `atomsphere catalog show OBJECT` "
            "describes one.",
            ["actions", "objects"],
            [
                [", ".join(actions), ", ".join(names)]
                for actions, names in sorted(
                    by_actions.items(), key=lambda kv: (-len(kv[1]), kv[0])
                )
            ],
        ),
    ]


def _cell(value: str) -> str:
    return " ".join(value.split()).replace("|", "\\|") or "-"


def _markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def markdown(descriptor: PluginDescriptor, catalog: Catalog) -> str:
    """The description as Markdown (the README carries it between its ``about`` markers)."""
    lines = [
        f"**{descriptor.name}** {descriptor.version} (`{descriptor.id}`): "
        + " ".join(descriptor.description.split()),
        "",
    ]
    for title, intro, headers, rows in _sections(descriptor, catalog):
        lines += [f"#### {title}", ""]
        if intro:
            lines += [intro, ""]
        lines += [*_markdown_table(headers, rows), ""]
    return "\n".join(lines)


def text(descriptor: PluginDescriptor, catalog: Catalog, width: int | None = None) -> str:
    """The description as plain text for a terminal ``width`` columns wide (default: the
    terminal's, else 100): paragraphs wrapped, each table's last column wrapped with a hanging
    indent, Markdown's backticks left out."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    lines = [
        f"{descriptor.name} {descriptor.version} ({descriptor.id})",
        *_wrapped(descriptor.description, width),
    ]
    for title, intro, headers, rows in _sections(descriptor, catalog):
        lines += ["", title.upper(), *_wrapped(intro, width)]
        lines += _text_table(headers, rows, width)
    return "\n".join(lines) + "\n"


def _plain(value: str) -> str:
    """A cell or paragraph as one line of plain text: no Markdown code marks."""
    return " ".join(value.replace("`", "").split())


def _wrapped(value: str, width: int) -> list[str]:
    return _wrap(_plain(value), width)


def _text_table(headers: Sequence[str], rows: Iterable[Sequence[str]], width: int) -> list[str]:
    """Left-aligned columns; the last one wraps at ``width``, its lines aligned under it. When
    the columns before it leave it too little room, one record a row instead."""
    cells = [[_plain(c) or "-" for c in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    indent = sum(widths[:-1]) + 2 * (len(widths) - 1)
    if width - indent < _MIN_LAST_COLUMN:
        return _records(headers, cells, width)
    widths[-1] = min(widths[-1], width - indent)

    def line(values: Sequence[str]) -> list[str]:
        padded = [v.ljust(w) for v, w in zip(values[:-1], widths, strict=False)]
        last = _wrap(values[-1], widths[-1]) or [""]
        first = "  ".join([*padded, last[0]]).rstrip()
        return [first, *(" " * indent + more for more in last[1:])]

    lines = [*line(headers), *line(["-" * w for w in widths])]
    for row in cells:
        lines += line(row)
    return lines


def _records(headers: Sequence[str], cells: list[list[str]], width: int) -> list[str]:
    """A table too wide for the terminal, one record a row: its first cell, then the others
    as ``header: value`` and the last one as a paragraph, indented under it."""
    lines: list[str] = []
    for row in cells:
        pairs = "; ".join(f"{h}: {v}" for h, v in zip(headers[1:-1], row[1:-1], strict=True))
        lines.append(row[0])
        for paragraph in (pairs, "" if row[-1] == "-" else row[-1]):
            lines += [_BELOW + more for more in _wrap(paragraph, width - len(_BELOW))]
    return lines


def _wrap(value: str, width: int) -> list[str]:
    return textwrap.wrap(value, width, break_long_words=False, break_on_hyphens=False)

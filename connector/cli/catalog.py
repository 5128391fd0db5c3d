"""``atomsphere catalog``: browse the generated catalog, or regenerate it from a spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from connector.atomsphere.catalog import FieldKind, ObjectInfo, data_dir, load_catalog
from connector.atomsphere.catalog.generate import iter_artefacts, write_artefacts
from connector.atomsphere.catalog.model import catalog_to_json
from connector.atomsphere.catalog.openapi import load_openapi
from connector.atomsphere.catalog.order import load_element_order
from connector.cli.output import ExitCode, print_json, print_table
from connector.contract import Action

HELP_ORDER = 80


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "catalog",
        help="browse the AtomSphere objects, actions and fields, or regenerate the catalog",
        description="Browse the catalog generated from Boomi's OpenAPI spec, or regenerate it.",
    )
    sub = parser.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")
    sub.required = True

    objects = sub.add_parser(
        "objects",
        help="list every object and its actions",
        description="List every object of the API with the connector actions it supports.",
    )
    objects.add_argument("--json", action="store_true", help="print JSON instead of a table")
    objects.add_argument(
        "--action",
        type=str.upper,
        choices=[a.value for a in Action],
        help="only objects that support this connector action",
    )
    objects.set_defaults(handler=_objects)

    show = sub.add_parser(
        "show",
        help="show one object: endpoints, fields, filterable fields",
        description="Show one object's endpoints, fields, and filterable fields with operators.",
    )
    show.add_argument("object", metavar="OBJECT", help="object name, e.g. ExecutionRecord")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(handler=_show)

    generate = sub.add_parser(
        "generate",
        help="regenerate the catalog and XSD from an OpenAPI spec",
        description=(
            "Regenerate catalog.json, atomsphere.xsd and atomsphere-unqualified.xsd from Boomi's "
            "OpenAPI spec (a file, or a URL such as "
            "https://api.boomi.com/api/rest/v1/ACCOUNT/openapi.json; for a URL, credentials come "
            "from ATOMSPHERE_USERNAME with ATOMSPHERE_API_TOKEN or ATOMSPHERE_PASSWORD), each "
            "type's child elements in the order of an XSD of the API (--element-order: a file, "
            "or a URL such as https://api.boomi.com/api/soap/v1/ACCOUNT?xsd=1, read the same way)."
        ),
    )
    generate.add_argument("--spec", required=True, metavar="PATH_OR_URL", help="the OpenAPI spec")
    generate.add_argument(
        "--element-order",
        metavar="XSD_PATH_OR_URL",
        default=None,
        help="an XML Schema of the API (its ?xsd=1) whose xs:sequence order the types' elements "
        "follow; without it, or for types it lacks, fields are alphabetical. The committed "
        "catalog uses Boomi's 2021 XSD",
    )
    generate.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write (default: the package's own data folder)",
    )
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files in --out differ from what the spec generates",
    )
    generate.add_argument(
        "--include-descriptions",
        action="store_true",
        help="copy the spec's description prose into the artefacts (for private use only: "
        "Boomi's text is not ours to redistribute)",
    )
    generate.set_defaults(handler=_generate)


def _objects(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    objects = list(catalog.objects_for(Action(args.action)) if args.action else catalog.objects)
    if args.json:
        print_json([_object_summary(o) for o in objects])
        return ExitCode.OK
    print_table(
        ("OBJECT", "ACTIONS", "WIRE", "NOTE"),
        (
            (
                o.name,
                ",".join(a.value for a in o.actions) or "-",
                ",".join(w.value for w in o.wire_actions),
                "deprecated" if o.deprecated else "",
            )
            for o in objects
        ),
    )
    print(f"\n{len(objects)} objects", file=sys.stderr)
    return ExitCode.OK


def _object_summary(o: ObjectInfo) -> dict[str, Any]:
    return {
        "name": o.name,
        "label": o.label,
        "group": o.group,
        "deprecated": o.deprecated,
        "actions": [a.value for a in o.actions],
        "wire_actions": [w.value for w in o.wire_actions],
        "id_field": o.id_field,
        "record_type": o.record_type,
        "bulk_limit": o.bulk_limit(),
    }


def _show(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    obj = catalog.object(args.object)
    fields = catalog.all_fields(obj.record_type) if obj.record_type else ()
    if args.json:
        data = catalog_to_json(catalog)
        entry = next(o for o in data["objects"] if o["name"] == obj.name)
        entry["fields"] = [
            {"name": f.name, "kind": f.kind.value, "type": f.type, "repeated": f.repeated}
            for f in fields
        ]
        print_json(entry)
        return ExitCode.OK
    deprecated = "  (deprecated by Boomi)" if obj.deprecated else ""
    print(f"{obj.name}{deprecated}")
    print(
        f"  group: {obj.group or '-'}   record type: {obj.record_type or '-'}   "
        f"id field: {obj.id_field or '-'}"
    )
    print(f"  connector actions: {', '.join(a.value for a in obj.actions) or '-'}\n")
    print_table(
        ("WIRE ACTION", "METHOD", "PATH", "BODY"),
        (
            (
                e.wire_action.value,
                e.method,
                e.path,
                _body(e.request_type, e.response_type, e.bulk_limits),
            )
            for e in obj.endpoints
        ),
    )
    if fields:
        print()
        print_table(
            ("FIELD", "PLACEMENT", "TYPE"),
            (
                (
                    f.name,
                    ("repeated " if f.repeated else "")
                    + f.kind.value
                    + (
                        " or " + ("element" if f.kind is FieldKind.ATTRIBUTE else "attribute")
                        if f.dual_placement
                        else ""
                    ),
                    f.type,
                )
                for f in fields
            ),
        )
    if obj.query is not None:
        print()
        print("Query operators: " + " ".join(obj.query.operators))
        if obj.query.properties:
            print_table(
                ("FILTER PROPERTY", "TYPE"), ((p.name, p.type) for p in obj.query.properties)
            )
        else:
            print("The spec lists no filterable properties for this object.")
    return ExitCode.OK


def _body(request: str | None, response: str | None, limits: tuple[tuple[str, int], ...]) -> str:
    text = f"{request or '-'} -> {response or '-'}"
    if limits:
        text += "  (max " + ", ".join(f"{n} per {t}" for t, n in limits) + ")"
    return text


def _generate(args: argparse.Namespace) -> int:
    doc = load_openapi(args.spec)
    order = load_element_order(args.element_order) if args.element_order else None
    descriptions: bool = args.include_descriptions
    out: Path = args.out or data_dir()
    if args.check:
        stale = [
            a.name
            for a in iter_artefacts(doc, include_descriptions=descriptions, element_order=order)
            if not (out / a.name).is_file() or (out / a.name).read_bytes() != a.content
        ]
        if stale:
            print(f"out of date in {out}: {', '.join(stale)}", file=sys.stderr)
            return ExitCode.FAILURE
        print(f"up to date: {out}", file=sys.stderr)
        return ExitCode.OK
    written = write_artefacts(doc, out, include_descriptions=descriptions, element_order=order)
    for path in written:
        print(path)
    ordered = f" in the element order of {args.element_order}" if order else ""
    print(f"generated {len(written)} files from {args.spec}{ordered}", file=sys.stderr)
    return ExitCode.OK

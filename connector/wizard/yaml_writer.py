"""Writing ``operations/NAME.yaml``: a new operation, or the refresh of one the user has edited.

The wizard owns two parts of an operation file: the ``profiles`` mapping and, for a Query, the
commented filter template between its two marker lines. A re-import rewrites those two parts in
the text and leaves every other line alone, comments included (:func:`edit_blocks`, which the
designer's save uses too); it then reads the result back and checks that it holds what it
should. Only the lines the wizard writes count as the template: anything else found between the
markers (a filter uncommented in place, a note) is the user's, moved below the end marker and
reported (:func:`replace_template`). If the text cannot be edited that safely (an unusual layout),
the file is written afresh from its data and the caller is told the comments were lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from connector.atomsphere.catalog import QueryInfo, load_catalog
from connector.atomsphere.catalog.operators import filter_type, usable_operators
from connector.contract import Action, ProfileRole
from connector.wizard.browse import ImportPlan
from connector.wizard.header import operation_header
from connector.yamlfiles import (
    LoadedYaml,
    load_yaml_text,
    packaged_schema,
    plain_is_text,
    validate,
)

TEMPLATE_BEGIN: Final = "# >>> filter template"
TEMPLATE_END: Final = "# <<< filter template"
_KIND = "(?:string|enum|number|datetime|boolean)"  # what filter_type() answers
#: The template's lines whose content depends on the schema, so an older schema wrote them
#: differently; any other line between the markers is kept unless the fresh template has it.
_TEMPLATE_LINE: Final = re.compile(
    "|".join(
        (
            r"# The API declares no filterable properties for \S+\.",
            r"# \S+'s operators by property type \(arguments each takes\):",
            rf"#   (?:{_KIND}(?:, {_KIND})*:)? +(?:none|[A-Z_]+\(\d+\)(?: [A-Z_]+\(\d+\))*)",
            r"# Filterable properties \(type; property type\):",
            rf"#   \S+ {{2,}}\S+ {{2,}}{_KIND}(?:  \((?:record field \S+|not a record field)\))?"
            rf"(?:  \(the served schema says [^,]+, a {_KIND}\))?",
            r"# Example \(uncomment; .*\):",
        )
    )
)
_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_ ./()'-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

ProfilePaths = Mapping[ProfileRole, str | None]


@dataclass(frozen=True)
class KeptLine:
    """A line the user wrote between the template markers, moved below them on re-import."""

    number: int  # in the file as it was
    text: str


@dataclass(frozen=True)
class Refreshed:
    """The text of a re-imported operation file, whether its comments survived, and the lines
    found between the template markers that were not the wizard's (kept, below the template)."""

    text: str
    comments_kept: bool
    kept: tuple[KeptLine, ...] = ()


def new_operation(plan: ImportPlan, name: str, paths: ProfilePaths) -> str:
    """The text of a new operation file with the wizard's defaults."""
    action = plan.action
    data: dict[str, Any] = {
        "kind": "AtomSphereOperation",
        "version": 1,
        "name": name,
        "description": f"{action.value.title()} {plan.label}.",
        "action": action.value,
        "object": plan.object,
        "tracking": {"direction": "output" if action.inbound else "input"},
        "return_application_errors": False,
        "profiles": _profiles(paths),
    }
    header = operation_header(plan, data)  # may add the `id:` an id-less object needs
    text = "\n".join(header) + "\n" + dump(data)
    if action is Action.QUERY:
        text += "\n".join(filter_template(plan)) + "\n"
    _check(text, "new operation")
    return text


def refresh_operation(
    loaded: LoadedYaml, text: str, plan: ImportPlan, paths: ProfilePaths
) -> Refreshed:
    """``text`` (the file ``loaded`` was read from) with fresh profiles and filter template.

    Every value of the file survives: the result is read back and compared with what it should
    hold, and when the text cannot be edited so, the file is written afresh from its data.
    """
    newline = "\r\n" if "\r\n" in text else "\n"  # the file's line endings are kept
    refreshed = _refresh(loaded, text.replace("\r\n", "\n"), plan, paths)
    if newline == "\n":
        return refreshed
    return replace(refreshed, text=refreshed.text.replace("\n", newline))


def _refresh(loaded: LoadedYaml, text: str, plan: ImportPlan, paths: ProfilePaths) -> Refreshed:
    expected = {**loaded.data, "profiles": _profiles(paths)}
    kept: tuple[KeptLine, ...] = ()
    if plan.action is Action.QUERY:
        moved, kept = replace_template(text, filter_template(plan))
        reloaded = _reloaded(moved, loaded)
        edited = edit_blocks(moved, reloaded, expected) if reloaded is not None else None
    else:
        edited = edit_blocks(text, loaded, expected)
    if edited is not None:
        _check(edited, loaded.source)
        return Refreshed(edited, comments_kept=True, kept=kept)
    fresh = dump(expected)
    if plan.action is Action.QUERY:
        fresh += "\n".join(filter_template(plan)) + "\n"
    _check(fresh, loaded.source)
    return Refreshed(fresh, comments_kept=False)


def edit_blocks(text: str, loaded: LoadedYaml, data: Mapping[str, Any]) -> str | None:
    """``text`` (the file ``loaded`` was read from) changed to hold ``data``, touching only the
    top-level entries whose value changed: each is written again in place, an entry gone is
    removed, a new one goes after the last; every other line, comments included, stays.

    None when the result does not read back as ``data`` (an unusual layout, e.g. flow style at
    the top level): the caller then writes the file afresh.
    """
    if not isinstance(loaded.data, Mapping):
        return None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts: dict[str, int] = {}
    for key in loaded.data:
        line = loaded.lines.get((key,))
        if not isinstance(key, str) or line is None or not lines[line - 1].startswith(f"{key}:"):
            return None
        starts[key] = line
    added = [key for key in data if key not in starts]
    if added:
        at = _block_end(lines, max(starts.values()) - 1) if starts else len(lines)
        lines[at:at] = _block({key: data[key] for key in added})
    for key, line in sorted(starts.items(), key=lambda item: -item[1]):  # bottom up
        if key in data and data[key] == loaded.data[key]:
            continue
        end = _block_end(lines, line - 1)
        fresh = _block({key: data[key]}) if key in data else []
        lines[line - 1 : end] = _keep_comments(lines[line - 1 : end], fresh)
    edited = "".join(lines)
    try:
        same = load_yaml_text(edited, loaded.source, packaged_schema("operation")).data == dict(
            data
        )
    except ValueError:
        same = False
    return edited if same else None


def _block(data: Mapping[str, Any]) -> list[str]:
    return [line + "\n" for line in dump(data).splitlines()]


_BLOCK_SCALAR: Final = re.compile(r":\s*[|>][-+0-9]*\s*(#.*)?$")


def _keep_comments(old: list[str], fresh: list[str]) -> list[str]:
    """``fresh`` (an entry written again) with the user's comments of ``old`` (the entry it
    replaces): the key line's end-of-line comment stays on the new key line, every other comment
    goes, in order, as a comment line above the entry; none is lost."""
    if any(_BLOCK_SCALAR.search(line) for line in old):
        old = old[:1]  # in a literal or folded block, '#' is text, not a comment
    comments = [(i, c) for i, line in enumerate(old) if (c := _comment_of(line)) is not None]
    if not comments or not fresh:
        return fresh
    above = [f"{comment}\n" for i, comment in comments if i > 0]
    head = fresh[0].rstrip("\n")
    if comments[0][0] == 0:  # the key line's own comment
        head += f"  {comments[0][1]}"
    return [*above, head + "\n", *fresh[1:]]


def _comment_of(line: str) -> str | None:
    """The comment of a YAML line (``# ...``), outside quotes; None when it has none."""
    quote: str | None = None
    previous, escaped = " ", False
    for i, char in enumerate(line):
        if quote == '"' and escaped:
            escaped = False
        elif quote == '"' and char == "\\":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"" and previous in " \t:[{,-":  # a quoted scalar starts here
            quote = char
        elif char == "#" and previous in " \t":
            return line[i:].rstrip("\r\n")
        previous = char
    return None


def filter_template(plan: ImportPlan) -> list[str]:
    """The commented filter template of a Query: every filterable property and its operators.

    Operators are listed per property type, as exactly those the loader accepts on it
    (:func:`~connector.atomsphere.catalog.operators.usable_operators`): a line copied from the
    template loads.
    """
    query = plan.query
    lines = [f"{TEMPLATE_BEGIN} (written by `atomsphere import`, refreshed on re-import)"]
    if query is None or not query.properties:
        lines.append(f"# The API declares no filterable properties for {plan.object}.")
        lines.append(TEMPLATE_END)
        return lines
    catalog = load_catalog()
    kinds = {p.name: filter_type(p.type, catalog) for p in query.properties}
    disagreeing = {d.property: d for d in plan.type_disagreements}
    usable = {p.name: usable_operators(query.operators, p.type, catalog) for p in query.properties}
    groups: dict[tuple[str, ...], list[str]] = {}  # operators -> the property types they serve
    for prop in query.properties:
        served = groups.setdefault(usable[prop.name], [])
        if kinds[prop.name] not in served:
            served.append(kinds[prop.name])
    labels = {ops: ", ".join(served) + ":" for ops, served in groups.items()}
    label_width = max(len(label) for label in labels.values())
    lines.append(f"# {plan.object}'s operators by property type (arguments each takes):")
    for ops, label in labels.items():
        words = [f"{op}({_arguments(op)})" for op in ops] or ["none"]
        lines.extend(
            _wrap(words, f"#   {label.ljust(label_width)} ", "#   " + " " * (label_width + 1))
        )
    lines.append("# Filterable properties (type; property type):")
    width = max(len(p.name) for p in query.properties)
    types = max(len(p.type) for p in query.properties)
    for prop in query.properties:
        note = "" if prop.field in (None, prop.name) else f"  (record field {prop.field})"
        if prop.field is None:
            note = "  (not a record field)"
        if prop.name in disagreeing:
            found = disagreeing[prop.name].served
            note += f"  (the served schema says {found.type}, a {found.kind})"
        kind = kinds[prop.name]
        lines.append(f"#   {prop.name.ljust(width)}  {prop.type.ljust(types)}  {kind}{note}")
    example = _example(query, usable)
    if example is not None:
        prop_name, operator = example
        lines += [
            "# Example (uncomment; arguments are literals or {param: NAME} defined in "
            "`parameters`):",
            "# filter:",
            "#   and:",
            f"#     - property: {prop_name}",
            f"#       operator: {operator}",
            f"#       arguments: [{{param: {prop_name}}}]",
            "# parameters:",
            f"#   {prop_name}: {{from: document_property, name: {prop_name}}}",
        ]
    lines.append(TEMPLATE_END)
    return lines


def _example(query: QueryInfo, usable: Mapping[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """The first property taking a one-argument operator, with EQUALS when it may."""
    for prop in query.properties:
        single = [op for op in usable[prop.name] if _arguments(op) == 1]
        if single:
            return prop.name, "EQUALS" if "EQUALS" in single else single[0]
    return None


# -- helpers ------------------------------------------------------------------------------------


def _profiles(paths: ProfilePaths) -> dict[str, str | None]:
    return {role.value: paths.get(role) for role in (ProfileRole.REQUEST, ProfileRole.RESPONSE)}


def _block_end(lines: list[str], index: int) -> int:
    """The line after the top-level key at ``index`` and its indented continuation."""
    end = index + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    while end > index + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def replace_template(text: str, template: list[str]) -> tuple[str, tuple[KeptLine, ...]]:
    """``text`` with ``template`` between the markers, and the lines kept from the old one.

    A line between the markers is the wizard's when the fresh template has it or it has the shape
    of a schema-dependent template line (:data:`_TEMPLATE_LINE`); every other line (YAML the user
    uncommented in place, a note of theirs) moves, in order, below the end marker. Only comment
    lines are dropped, so the YAML's data is unchanged (the caller reads it back to be sure).
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    begin = next((i for i, line in enumerate(lines) if line.startswith(TEMPLATE_BEGIN)), None)
    if begin is None:
        return text, ()  # the user removed it: their call
    end = next((i for i in range(begin, len(lines)) if lines[i].startswith(TEMPLATE_END)), begin)
    fresh = set(template)
    ours = [
        not line.strip()
        or line.rstrip("\r\n") in fresh
        or _TEMPLATE_LINE.fullmatch(line.rstrip("\r\n")) is not None
        for line in lines[begin + 1 : end]
    ]
    theirs = [i for i, owned in enumerate(ours) if not owned]
    kept = (
        tuple(
            KeptLine(begin + 2 + i, lines[begin + 1 + i].rstrip("\r\n"))
            for i in range(theirs[0], theirs[-1] + 1)
            if not ours[i] or not lines[begin + 1 + i].strip()
        )
        if theirs
        else ()
    )
    lines[begin : end + 1] = [line + "\n" for line in template] + [k.text + "\n" for k in kept]
    return "".join(lines), kept


def _reloaded(text: str, loaded: LoadedYaml) -> LoadedYaml | None:
    """``text`` read again, when it holds exactly ``loaded``'s data (else None)."""
    try:
        again = load_yaml_text(text, loaded.source, packaged_schema("operation"))
    except ValueError:
        return None
    return again if again.data == loaded.data else None


def _check(text: str, source: str) -> None:
    schema = packaged_schema("operation")
    validate(load_yaml_text(text, source, schema), schema)


def _wrap(words: list[str], prefix: str, indent: str, width: int = 98) -> list[str]:
    """``words`` in comment lines of at most ``width``; lines after the first start ``indent``."""
    out: list[str] = []
    line, fresh = prefix, True
    for word in words:
        if len(line) + len(word) + 1 > width and not fresh:
            out.append(line.rstrip())
            line = indent
        line += word + " "
        fresh = False
    out.append(line.rstrip())
    return out


def _arguments(operator: str) -> int:
    try:
        return load_catalog().operator(operator).arguments
    except LookupError:
        return 1


def dump(data: Mapping[str, Any], indent: int = 0) -> str:
    """Block-style YAML for plain data (what operation files hold), keys in the given order."""
    pad = " " * indent
    out = []
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.append(f"{pad}{key}:\n{dump(value, indent + 2)}")
        elif isinstance(value, list) and value:
            out.append(f"{pad}{key}:\n{_dump_list(value, indent + 2)}")
        else:
            out.append(f"{pad}{key}: {scalar(value)}\n")
    return "".join(out)


def _dump_list(items: list[Any], indent: int) -> str:
    pad = " " * indent
    out = []
    for item in items:
        if isinstance(item, Mapping) and item:
            body = dump(item, indent + 2)
            out.append(f"{pad}- {body[indent + 2 :]}")
        elif isinstance(item, list) and item:
            out.append(f"{pad}-\n{_dump_list(item, indent + 2)}")
        else:
            out.append(f"{pad}- {scalar(item)}\n")
    return "".join(out)


def scalar(value: Any) -> str:
    """A YAML scalar: plain when unambiguous, else JSON's double-quoted form (valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, Mapping | list):
        return "{}" if isinstance(value, Mapping) else "[]"
    text = str(value)
    plain = _PLAIN.match(text) and text == text.strip() and not text.endswith(":")
    if (
        plain
        and plain_is_text(text)
        and text.lower() not in _RESERVED
        and ": " not in text
        and " #" not in text
    ):
        return text
    return json.dumps(text, ensure_ascii=False)

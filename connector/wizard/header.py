"""The header comment of an operation file: what it is, and where the id of each call comes from.

The wizard writes it once, with a new file; it describes the file's own ``id:`` when it has one
(the wizard's, or one a user added), and what the engine's ``object_id()`` does when it has not.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any, Final

from connector.atomsphere.catalog import load_catalog
from connector.contract import Action
from connector.errors import UnknownNameError
from connector.wizard.browse import ImportPlan

#: Columns of the comment's text (after ``# ``).
_WIDTH: Final = 88
#: What a path's bare ``{id}`` is, where the object's name does not say.
_PATH_ID_OF: Final = {"AtomDiskSpace": "atom", "ListQueues": "atom", "ClearQueue": "atom"}
_OVERRIDE: Final = "A document's dynamic operation property `id` overrides it."


def operation_header(plan: ImportPlan, data: dict[str, Any]) -> list[str]:
    """The header lines for an operation file holding ``data``. For an object whose requests
    need an id no document carries, ``data`` gets the ``id: {param: NAME}`` that reads it."""
    action = plan.action
    header = [
        f"# {action.value} {plan.object}, written by `atomsphere import`. Edit freely: a re-import",
        "# refreshes only `profiles` (and the filter template) and keeps everything else.",
    ]
    if action in (Action.GET, Action.UPDATE, Action.DELETE) and plan.id_field:
        if "id" in data:
            return header + _stated_id(data)
        # What the engine's object_id() does, true whether or not the user adds an `id:` later.
        header += [
            "# The id: the operation's `id:` when set (a literal, or `{param: NAME}` with NAME",
            f"# defined under `parameters`), else each input document's {plan.id_field} (an "
            "attribute",
            "# or element of its root). A document's dynamic operation property `id` overrides "
            "both.",
        ]
    return header + _id_template(plan, data)


def _stated_id(data: Mapping[str, Any]) -> list[str]:
    """The file's own ``id:``: where its value comes from, and how to give one."""
    stated = data["id"]
    if not (isinstance(stated, Mapping) and isinstance(stated.get("param"), str)):
        text = f"The id: this file's `id:`, {stated!r}, the same for every document. {_OVERRIDE}"
        return _comment(text)
    name = stated["param"]
    parameters = data.get("parameters")
    raw = parameters.get(name) if isinstance(parameters, Mapping) else None
    where = _source(raw) if isinstance(raw, Mapping) else "as `parameters` defines it"
    text = (
        f"The id: this file's `id:`, {{param: {name}}}. The parameter must have a value for "
        f"each document: {where}, or `--param {name}=VALUE` (the same for every document). "
        f"{_OVERRIDE}"
    )
    return _comment(text)


def _source(raw: Mapping[str, Any]) -> str:
    """Where a parameter's value comes from, in words."""
    source = raw.get("from")
    if source == "document_property":
        said = f"each input document's property {raw.get('name')}"
    elif source == "xpath":
        said = f"the XPath {raw.get('xpath')} in each input document"
    elif source == "process_property":
        said = f"the process property {raw.get('name')}"
    elif source == "static":
        said = f"the value {raw.get('value')!r}"
    else:
        said = f"the {str(source).replace('_', ' ')}"
    if "default" in raw:
        said += f" (default {raw['default']!r})"
    return said


def _comment(text: str) -> list[str]:
    """``text`` as comment lines; a `code span` is never split across two lines."""
    kept = re.sub(r"`[^`]*`", lambda span: span.group().replace(" ", "\xa0"), text)
    lines = textwrap.wrap(kept, _WIDTH - 2, break_on_hyphens=False)
    return [f"# {line}".replace("\xa0", " ") for line in lines]


def _id_template(plan: ImportPlan, data: dict[str, Any]) -> list[str]:
    """For an action whose path takes an id no document can give (the object has no id field):
    ``id: {param: NAME}`` read from a document property, and the header lines that say so."""
    try:
        obj = load_catalog().object(plan.object)
    except UnknownNameError:
        return []
    endpoint = obj.id_only_from_operation(plan.action)
    if endpoint is None or endpoint.path_parameter is None:
        return []
    name = endpoint.path_parameter
    if name == "id":
        name = _PATH_ID_OF.get(plan.object, plan.object[:1].lower() + plan.object[1:]) + "Id"
    what = name.removesuffix("Id")
    data["id"] = {"param": name}
    data["parameters"] = {name: {"from": "document_property", "name": name}}
    return [
        f"# The id: {plan.object} has no id field, so no input document carries one, and the",
        f"# request ({endpoint.method} {endpoint.path}) needs the {what}'s id: `id:` must be set",
        "# (a literal, or `{param: NAME}`). As written, it is each input document's property",
        f"# `{name}`. A document's dynamic operation property `id` overrides it.",
    ]

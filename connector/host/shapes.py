"""Precise messages for the places of a process file where one key decides the shape.

JSON Schema's answer to "this step has no known kind" or "this parameter lacks ``xpath``" is a
guess among alternatives ("'operation' is a required property", "'value' is a required
property"). These checks run first and say what is really wrong; schema problems at the paths
they flagged are dropped, so the user sees one accurate line per mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import jsonschema

from connector.errors import Problem
from connector.yamlfiles import FieldPath, LoadedYaml, format_path, iter_schema_problems

STEP_KINDS: Final = (
    "operation",
    "route",
    "branch",
    "write",
    "lookup",
    "set_properties",
    "end",
)
START_KINDS: Final = ("documents", "operation")
DOCUMENT_SOURCES: Final = ("file", "files", "data")


def checked_problems(loaded: LoadedYaml, schema: Mapping[str, Any]) -> list[Problem]:
    """Shape problems first, then schema problems not already explained by one of them."""
    shape = list(_iter_shape_problems(loaded, schema))
    flagged = [path for path, _ in shape]
    problems = [problem for _, problem in shape]
    for problem in iter_schema_problems(loaded, schema):
        if not any(_within(problem.field, format_path(path)) for path in flagged):
            problems.append(problem)
    return problems


def _within(field: str, prefix: str) -> bool:
    return field == prefix or field.startswith((f"{prefix}.", f"{prefix}["))


ShapeProblem = tuple[FieldPath, Problem]


def _iter_shape_problems(loaded: LoadedYaml, schema: Mapping[str, Any]) -> Iterator[ShapeProblem]:
    data = loaded.data
    if not isinstance(data, dict):
        return
    parameter = schema["$defs"]["parameter"]
    start = data.get("start")
    if isinstance(start, str) and start != "no_data":
        yield _at(
            loaded,
            ("start",),
            f"{start!r}: write `start: no_data`, or a mapping with `documents` or `operation`",
        )
    elif isinstance(start, dict):
        problem = _one_kind(loaded, ("start",), start, START_KINDS, "a start step")
        if problem:
            yield problem
        for i, doc in enumerate(_list(start.get("documents"))):
            if isinstance(doc, dict):
                found = [k for k in DOCUMENT_SOURCES if k in doc]
                if len(found) > 1:
                    path: FieldPath = ("start", "documents", i)
                    yield _at(loaded, path, f"give one of file, files, data (found {_and(found)})")
        yield from _step_params(loaded, ("start",), start, parameter)
    for name, connection in _items(data.get("connections")):
        if isinstance(connection, dict) and ("file" in connection) == ("fields" in connection):
            yield _at(loaded, ("connections", name), "give either `file` or `fields`")
    yield from _steps(loaded, ("steps",), data.get("steps"), parameter)


def _steps(
    loaded: LoadedYaml, path: FieldPath, steps: Any, parameter: Mapping[str, Any]
) -> Iterator[ShapeProblem]:
    for i, step in enumerate(_list(steps)):
        here = (*path, i)
        if not isinstance(step, dict):
            continue
        problem = _one_kind(loaded, here, step, STEP_KINDS, "a step")
        if problem:
            yield problem
            continue
        yield from _step_params(loaded, here, step, parameter)
        for status, branch in _items(step.get("route")):
            yield from _steps(loaded, (*here, "route", status), branch, parameter)
        for j, branch in enumerate(_list(step.get("branch"))):
            yield from _steps(loaded, (*here, "branch", j), branch, parameter)


def _step_params(
    loaded: LoadedYaml, path: FieldPath, step: Mapping[str, Any], parameter: Mapping[str, Any]
) -> Iterator[ShapeProblem]:
    write, lookup = step.get("write"), step.get("lookup")
    if isinstance(write, dict) and "file_name" in write:
        yield from _parameter(loaded, (*path, "write", "file_name"), write["file_name"], parameter)
    if isinstance(lookup, dict):
        if "key" in lookup:
            yield from _parameter(loaded, (*path, "lookup", "key"), lookup["key"], parameter)
        for name, raw in _items(lookup.get("properties")):
            yield from _parameter(loaded, (*path, "lookup", "properties", name), raw, parameter)
    for key in ("set_properties", "dynamic_operation_properties"):
        for name, raw in _items(step.get(key)):
            yield from _parameter(loaded, (*path, key, name), raw, parameter)
    if step.get("set_properties") == {} and "dynamic_operation_properties" not in step:
        yield _at(
            loaded,
            (*path, "set_properties"),
            "this step sets nothing: name document properties here, "
            "or operation fields under `dynamic_operation_properties`",
            flag=path,
        )


def _parameter(
    loaded: LoadedYaml, path: FieldPath, raw: Any, parameter: Mapping[str, Any]
) -> Iterator[ShapeProblem]:
    """Check a parameter against the one alternative its ``from`` names."""
    branches = {b["properties"]["from"]["const"]: b for b in parameter["oneOf"]}
    if not isinstance(raw, dict):
        return
    source = raw.get("from")
    if source not in branches:
        yield _at(loaded, path, f"`from` must be one of: {', '.join(branches)}")
        return
    validator = jsonschema.Draft202012Validator(branches[source])
    for error in validator.iter_errors(raw):
        message = error.message.replace(
            "Additional properties are not allowed", f"unknown field(s) for from: {source}"
        )
        yield _at(loaded, (*path, *error.absolute_path), message, flag=path)


def _one_kind(
    loaded: LoadedYaml, path: FieldPath, value: Mapping[str, Any], kinds: Sequence[str], what: str
) -> ShapeProblem | None:
    found = [k for k in kinds if k in value]
    if len(found) == 1:
        return None
    if found:
        return _at(
            loaded, path, f"{what} does one thing: give one of {_or(kinds)}, not {_and(found)}"
        )
    unknown = [k for k in value if k not in kinds and k != "name"]
    hint = f" (unknown: {', '.join(map(str, unknown))})" if unknown else ""
    return _at(loaded, path, f"{what} needs one of {_or(kinds)}{hint}")


def _at(
    loaded: LoadedYaml, path: FieldPath, message: str, flag: FieldPath | None = None
) -> ShapeProblem:
    return (flag if flag is not None else path, loaded.problem(path, message))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _items(value: Any) -> Iterable[tuple[str, Any]]:
    return value.items() if isinstance(value, dict) else ()


def _or(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]


def _and(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]

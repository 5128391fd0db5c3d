"""JSON Schema errors phrased for the person who wrote the file.

A ``oneOf``/``anyOf`` that no alternative matches is where a validator's own answer misleads: it
reports whichever alternative it tried last or found "most relevant" (``'and' is a required
property`` for a misspelt operator). Here the alternative the user meant is picked the way a
reader would: by the key that discriminates the alternatives (``from: xpath``), else by the value's
type and the keys it carries; then what is wrong inside that one alternative is reported, down to
the offending field. A YAML 1.1 boolean (``yes``, ``off``) where a boolean is wanted is told to
be ``true`` or ``false``. A schema may word the message itself: ``errorMessage`` (the keyword of
ajv-errors, which JSON Schema validators ignore) replaces every error of the subschema it is on.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import jsonschema
from jsonschema.exceptions import ValidationError

FieldPath = tuple[str | int, ...]
Explained = tuple[FieldPath, str]

_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER


def explain(error: ValidationError, root: Mapping[str, Any]) -> list[Explained]:
    """Where ``error`` really is and what to say about it (one or more located messages).

    ``root`` is the schema validated against (for ``$ref``).
    """
    path = tuple(error.absolute_path)
    custom = error.schema.get("errorMessage") if isinstance(error.schema, Mapping) else None
    if isinstance(custom, str):
        return [(path, custom)]
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _alternatives(error, root)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        located = _unknown_keys(path, error.instance, error.schema)
        if located:
            return located
    return [(path, _message(error))]


def _unknown_keys(path: FieldPath, instance: Mapping[str, Any], schema: Any) -> list[Explained]:
    """One problem per unknown key, at the key's own line, with the close known name if any."""
    if not isinstance(schema, Mapping):
        return []
    known = [str(k) for k in schema.get("properties", {})]
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    located: list[Explained] = []
    for key in instance:
        if key in known or any(p.search(str(key)) for p in patterns):
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        located.append(((*path, key), f"unknown field{hint}"))
    return located


class _Fit(NamedTuple):
    """How well a value fits one alternative; tuples compare best-last."""

    type_ok: bool
    #: Every required key is present.
    complete: bool
    required_present: int
    #: No ``const`` property contradicts the value.
    consts_ok: bool
    #: Minus the keys the alternative does not know.
    unknown: int


def _alternatives(error: ValidationError, root: Mapping[str, Any]) -> list[Explained]:
    path = tuple(error.absolute_path)
    instance = error.instance
    branches: list[Any] = [_resolve(root, b) for b in error.validator_value]  # type: ignore[union-attr]
    failures: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        failures.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    candidates = list(range(len(branches)))
    if isinstance(instance, dict):
        key = _discriminator(branches)
        if key is not None:
            allowed = [b["properties"][key]["const"] for b in branches]
            if key not in instance:
                shown = ", ".join(str(v) for v in allowed)
                message = (
                    f"{key!r} is required, one of: {shown}{_unknown(root, branches, instance)}"
                )
                return [(path, message)]
            candidates = [i for i in candidates if allowed[i] == instance[key]]
            if not candidates:
                return [((*path, key), _not_one_of(instance[key], allowed))]
    fits = {i: _fit(root, branches[i], instance) for i in candidates}
    best = max(fits.values())
    if not best.type_ok:
        types = sorted({t for b in branches for t in _types(root, b)}, key=_TYPE_ORDER.index)
        return [(path, _wrong_type(instance, types))]
    top = [i for i in candidates if fits[i] == best]
    if isinstance(instance, dict) and not best.complete and len(top) > 1:
        shapes = [_shape(root, branches[i]) for i in top]
        needs = ", or ".join(s for s in shapes if s)
        return [(path, f"needs {needs}{_unknown(root, branches, instance)}")]
    explained = [e for sub in failures.get(top[0], ()) for e in explain(sub, root)]
    return explained or [(path, error.message)]


def _message(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field(s)")
    if error.validator == "enum":
        return _not_one_of(error.instance, error.validator_value)  # type: ignore[arg-type]
    if error.validator == "type":
        types: Any = error.validator_value
        return _wrong_type(error.instance, [types] if isinstance(types, str) else types)
    return error.message


def _not_one_of(value: Any, allowed: Sequence[Any]) -> str:
    names = [str(v) for v in allowed]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{value!r} is not one of: {', '.join(names)}{hint}"


#: What YAML 1.1 read as booleans and YAML 1.2 (this project's YAML) reads as text.
_YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _wrong_type(value: Any, types: Sequence[str]) -> str:
    if "boolean" in types and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return f"{value!r} is not a boolean: write true or false"
    return f"{value!r} is not of type {', '.join(repr(t) for t in types)}"


def _resolve(root: Mapping[str, Any], schema: Any) -> Any:
    """``schema`` with a local ``$ref`` (``#/$defs/name``) followed; anything else as it is."""
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 32:
        ref: str = schema["$ref"]
        if not ref.startswith("#"):
            return schema
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                return schema
            target = target[part]
        schema, seen = target, seen + 1
    return schema


def _leaves(root: Mapping[str, Any], schema: Any) -> Iterator[Any]:
    """The plain alternatives of ``schema``, nested ``oneOf``/``anyOf`` flattened."""
    schema = _resolve(root, schema)
    alternatives = (
        (schema.get("oneOf") or schema.get("anyOf")) if isinstance(schema, Mapping) else None
    )
    if alternatives:
        for alternative in alternatives:
            yield from _leaves(root, alternative)
    else:
        yield schema


def _fit(root: Mapping[str, Any], schema: Any, instance: Any) -> _Fit:
    return max(_leaf_fit(leaf, instance) for leaf in _leaves(root, schema))


def _leaf_fit(schema: Any, instance: Any) -> _Fit:
    if not isinstance(schema, Mapping):
        return _Fit(bool(schema), True, 0, True, 0)
    types = schema.get("type")
    if types is not None:
        type_ok = any(
            _TYPES.is_type(instance, t) for t in ([types] if isinstance(types, str) else types)
        )
    else:
        type_ok = True
    if not isinstance(instance, dict):
        return _Fit(type_ok, True, 0, "const" not in schema or schema["const"] == instance, 0)
    properties: Mapping[str, Any] = schema.get("properties", {})
    required: Sequence[str] = schema.get("required", ())
    present = sum(k in instance for k in required)
    consts_ok = all(
        instance[k] == p["const"]
        for k, p in properties.items()
        if isinstance(p, Mapping) and "const" in p and k in instance
    )
    closed = schema.get("additionalProperties") is False
    unknown = sum(k not in properties for k in instance) if closed else 0
    return _Fit(type_ok, present == len(required), present, consts_ok, -unknown)


def _discriminator(branches: Sequence[Any]) -> str | None:
    """A key every alternative pins to its own constant (``from`` of a parameter), if any."""
    if len(branches) < 2 or not all(isinstance(b, Mapping) for b in branches):
        return None
    first: Mapping[str, Any] = branches[0].get("properties", {})
    for key in first:
        values = [b.get("properties", {}).get(key) for b in branches]
        if all(isinstance(v, Mapping) and "const" in v for v in values):
            return str(key)
    return None


def _shape(root: Mapping[str, Any], schema: Any) -> str:
    """What an alternative needs, in a few words: its discriminator, else its required keys."""
    leaves = list(_leaves(root, schema))
    key = _discriminator(leaves)
    if key is not None:
        return repr(key)
    leaf = leaves[0]
    required = leaf.get("required", ()) if isinstance(leaf, Mapping) else ()
    return " and ".join(repr(k) for k in required)


_TYPE_ORDER = ["string", "number", "integer", "boolean", "object", "array", "null"]


def _types(root: Mapping[str, Any], schema: Any) -> Iterator[str]:
    for leaf in _leaves(root, schema):
        types = leaf.get("type", ()) if isinstance(leaf, Mapping) else ()
        yield from [types] if isinstance(types, str) else types


def _unknown(root: Mapping[str, Any], branches: Sequence[Any], instance: Mapping[str, Any]) -> str:
    """``; unknown field(s): ...`` for keys no alternative knows (when every one is closed)."""
    leaves = [leaf for b in branches for leaf in _leaves(root, b)]
    if not all(isinstance(x, Mapping) and x.get("additionalProperties") is False for x in leaves):
        return ""
    known = {k for leaf in leaves for k in leaf.get("properties", {})}
    unknown = [repr(k) for k in instance if k not in known]
    return f"; unknown field(s): {', '.join(unknown)}" if unknown else ""

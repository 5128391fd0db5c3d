"""Scalars typed as the schema declares them, not as YAML guessed.

YAML types a plain scalar by its looks: ``0123`` is an integer, ``1e3`` a float, ``true`` a
boolean. A field the schema declares as text must get the text as written (``account_id: 0123``
is the account ``"0123"``, a filter value ``1e3`` is ``"1e3"``, not ``"1000.0"``). The loader
keeps the text of every plain scalar it typed; here, a value is replaced by its text where the
schema wants a string there and the typed value is refused for it, and wherever the schema marks
the value ``"x-text": true`` (a value that is text at run time although the schema also lets an
editor write a number or a boolean there: filter arguments, static values, document properties).
A replacement is kept only when it leaves no more problems, so a value meant for another
alternative of a ``oneOf`` is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import jsonschema
from jsonschema.exceptions import ValidationError

FieldPath = tuple[str | int, ...]

#: The keyword that marks a value as text whatever it looks like (validators ignore it).
TEXT_KEYWORD: Final = "x-text"


def _text_marker(
    validator: Any, marked: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # None is left alone: where null is allowed it means "not set", not the text "".
    if marked is True and isinstance(instance, bool | int | float):
        yield ValidationError("a scalar here is text")


_Marking = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {TEXT_KEYWORD: _text_marker}
)


def typed_as_declared(data: Any, texts: Mapping[FieldPath, str], schema: Mapping[str, Any]) -> Any:
    """``data`` with the values the schema wants as text replaced by the text written."""
    if not texts:
        return data
    validator = _Marking(schema)
    score = _score(validator.iter_errors(data))
    tried: set[FieldPath] = set()
    while True:
        candidates = [
            path
            for path in _wanting_text(validator.iter_errors(data))
            if path in texts and path not in tried
        ]
        if not candidates:
            return data
        # All at once first: one validation however many values (a process with thousands of
        # start documents); one by one only when the batch leaves more problems.
        tried.update(candidates)
        batch = _replaced_all(data, {path: texts[path] for path in candidates})
        batch_score = _score(validator.iter_errors(batch))
        if batch_score <= score:
            data, score = batch, batch_score
            continue
        for path in sorted(set(candidates), key=str):
            tried.add(path)
            attempt = _replaced(data, path, texts[path])
            attempt_score = _score(validator.iter_errors(attempt))
            if attempt_score <= score:
                data, score = attempt, attempt_score


def _wanting_text(errors: Iterable[ValidationError]) -> Iterator[FieldPath]:
    """Paths where a scalar failed because text was wanted, alternatives included."""
    for error in errors:
        wanted = error.validator_value
        if error.validator == TEXT_KEYWORD or (
            error.validator == "type"
            and (wanted == "string" or (isinstance(wanted, list) and "string" in wanted))
        ):
            yield tuple(error.absolute_path)
        if error.context:
            yield from _wanting_text(error.context)


def _score(errors: Iterable[ValidationError]) -> tuple[int, int]:
    """(errors, errors counting those inside alternatives): fewer is better."""
    top = list(errors)
    return len(top), sum(_leaves(e) for e in top)


def _leaves(error: ValidationError) -> int:
    return 1 + sum(_leaves(e) for e in error.context or ())


def _replaced(data: Any, path: FieldPath, value: str) -> Any:
    """A copy of ``data`` with the value at ``path`` replaced (the rest shared)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replaced(data[head], rest, value)}
    copy = list(data)
    copy[int(head)] = _replaced(copy[int(head)], rest, value)
    return copy


def _replaced_all(data: Any, values: Mapping[FieldPath, str]) -> Any:
    """A copy of ``data`` with every value of ``values`` replaced, in one walk."""
    if () in values:
        return values[()]
    heads: dict[str | int, dict[FieldPath, str]] = {}
    for path, value in values.items():
        heads.setdefault(path[0], {})[path[1:]] = value
    if isinstance(data, dict):
        return {k: _replaced_all(v, heads[k]) if k in heads else v for k, v in data.items()}
    return [_replaced_all(v, heads[i]) if i in heads else v for i, v in enumerate(data)]

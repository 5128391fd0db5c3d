"""Per-document overrides of an operation's settings: Boomi's dynamic operation properties.

``plugin.yaml`` marks the operation fields a document may override (``overrideable: true``); a
document carries its overrides in :attr:`Document.dynamic_operation_properties`, by field id, as
text. The document's value wins and the operation's is the fallback. A value that does not fit
the field (its type, bounds or choices), or a property no field declares overrideable, is a
problem with that document: it is answered "not sent", never silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Final

from connector.descriptor import FieldSpec, OperationFieldSpec, Scalar, bundled_descriptor
from connector.engine.config import OperationOptions
from connector.parameters import ParameterError

#: The override of the operation's ``id``: the object id itself.
OBJECT_ID: Final = "id"
_OPTION_NAMES: Final = frozenset(f.name for f in fields(OperationOptions))


@dataclass(frozen=True)
class Overrides:
    """What one document overrides: the object id (None: not overridden) and the options."""

    object_id: str | None
    options: OperationOptions


def overrideable_fields() -> Mapping[str, OperationFieldSpec]:
    """The overrideable operation fields the descriptor declares, by id."""
    return {f.id: f for f in bundled_descriptor().overrideable_fields}


def document_overrides(options: OperationOptions, properties: Mapping[str, str]) -> Overrides:
    """The operation's ``options`` with the document's overrides applied."""
    if not properties:
        return Overrides(None, options)
    declared = overrideable_fields()
    object_id: str | None = None
    changes: dict[str, Scalar] = {}
    for name, text in sorted(properties.items()):
        spec = declared.get(name)
        if spec is None:
            allowed = ", ".join(sorted(declared)) or "none"
            raise ParameterError(
                f"dynamic operation property {name!r} overrides nothing (overrideable: {allowed})"
            )
        value = parse_value(spec, text)
        if spec.path == OBJECT_ID:
            object_id = str(value).strip() or None
            if object_id is None:
                raise ParameterError("dynamic operation property 'id' is empty")
            continue
        option = spec.path_parts[-1]
        if spec.path_parts[0] != "options" or option not in _OPTION_NAMES:
            raise ParameterError(f"dynamic operation property {name!r} cannot be applied")
        changes[option] = value
    return Overrides(object_id, replace(options, **changes) if changes else options)  # type: ignore[arg-type]


def parse_value(spec: FieldSpec, text: str) -> Scalar:
    """``text`` as a value of the field, checked against its type, bounds and choices."""
    where = f"dynamic operation property {spec.id!r}"
    value: Scalar
    if spec.type == "integer":
        try:
            value = int(text.strip())
        except ValueError:
            raise ParameterError(f"{where}: {text!r} is not a whole number") from None
    elif spec.type == "number":
        try:
            value = float(text.strip())
        except ValueError:
            raise ParameterError(f"{where}: {text!r} is not a number") from None
    elif spec.type == "boolean":
        if text.strip().lower() not in ("true", "false"):
            raise ParameterError(f"{where}: {text!r} is not true or false")
        value = text.strip().lower() == "true"
    else:
        value = text
    if spec.choices and value not in {c.value for c in spec.choices}:
        allowed = ", ".join(c.value for c in spec.choices)
        raise ParameterError(f"{where}: {text!r} is not one of {allowed}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ParameterError(f"{where}: {text!r} is not a finite number")
        if spec.minimum is not None and value < spec.minimum:
            raise ParameterError(f"{where}: {text!r} is below {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise ParameterError(f"{where}: {text!r} is above {spec.maximum:g}")
        if spec.exclusive_minimum is not None and value <= spec.exclusive_minimum:
            raise ParameterError(f"{where}: {text!r} must be above {spec.exclusive_minimum:g}")
    return value

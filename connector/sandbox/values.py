"""Simple values as the schema types them: one canonical text form in, typed JSON out.

Records keep every simple value as its canonical XML lexical form (``"42"``, ``"true"``,
``"2016-01-31T15:32:00Z"``); both codecs read through :func:`canonical` and JSON output goes
through :func:`json_value`, so XML and JSON of one record cannot disagree.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

INTEGER_TYPES: Final = frozenset({"xs:int", "xs:long", "xs:short", "xs:integer", "xs:byte"})
DECIMAL_TYPES: Final = frozenset({"xs:double", "xs:float", "xs:decimal"})
DATE_TYPES: Final = frozenset({"xs:dateTime", "xs:date"})

_DATE_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


class ValueProblem(ValueError):
    """A value that does not fit its field's type (the request is answered 400)."""


def canonical(value: Any, xs_type: str, enum: Sequence[str] | None = None) -> str | None:
    """The canonical text of ``value`` for a field of ``xs_type``; None when it is empty.

    Accepts what real clients send: numbers and booleans as strings, Java's ``["Long", n]``
    pairs, dates with milliseconds or offsets.
    """
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        value = value[1]  # ["Long", 3832]
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise ValueProblem(f"expected a simple value, got {type(value).__name__}")
    text = _text(value)
    if text == "" and xs_type != "xs:string":
        return None
    if enum is not None:
        return _enum_value(text, enum)
    if xs_type == "xs:boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return "true"
        if lowered in ("false", "0"):
            return "false"
        raise ValueProblem(f"{text!r} is not a boolean")
    if xs_type in INTEGER_TYPES:
        return str(_integer(text))
    if xs_type in DECIMAL_TYPES:
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a number") from None
        if math.isnan(number) or math.isinf(number):
            raise ValueProblem(f"{text!r} is not a finite number")
        return repr(number)
    if xs_type == "xs:dateTime":
        return format_datetime(parse_datetime(text))
    if xs_type == "xs:date":
        return parse_datetime(text).date().isoformat()
    if xs_type == "xs:base64Binary":
        return _base64(text)
    return text


def _base64(text: str) -> str:
    """Base64 text as sent (line breaks dropped), or a problem: the API decodes it to bytes."""
    joined = "".join(text.split())
    try:
        base64.b64decode(joined, validate=True)
    except binascii.Error:
        raise ValueProblem(f"{text[:40]!r} is not base64") from None
    return joined


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not an integer") from None
    if not number.is_integer():
        raise ValueProblem(f"{text!r} is not an integer")
    return int(number)


def _enum_value(text: str, enum: Sequence[str]) -> str:
    if text in enum:
        return text
    folded = {value.lower(): value for value in enum}
    found = folded.get(text.lower())
    if found is None:
        raise ValueProblem(f"{text!r} is not one of {', '.join(enum)}")
    return found


def json_value(text: str, xs_type: str) -> Any:
    """The JSON form of a canonical value: numbers as numbers, booleans as booleans."""
    if xs_type == "xs:boolean":
        return text == "true"
    if xs_type in INTEGER_TYPES:
        return int(text)
    if xs_type in DECIMAL_TYPES:
        return float(text)
    return text


def looks_like_date(text: str) -> bool:
    return bool(_DATE_LIKE.match(text.strip()))


def parse_datetime(text: str) -> datetime:
    """Parse the date forms the API and its clients use; naive times are UTC."""
    raw = text.strip()
    if not looks_like_date(raw):
        raise ValueProblem(f"{text!r} is not a date (yyyy-MM-ddTHH:mm:ssZ)")
    try:
        if len(raw) == 10:
            parsed = datetime.combine(date.fromisoformat(raw), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(raw.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        raise ValueProblem(f"{text!r} is not a valid date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    """``2016-01-31T15:32:00Z``: the API's date-time form (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_timestamp(seconds: float) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, tz=UTC))

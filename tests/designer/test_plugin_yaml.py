"""plugin.yaml validates, and a broken descriptor is reported with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.descriptor import bundled_descriptor, load_descriptor
from connector.errors import ConfigError
from tests.conftest import ROOT

GOOD = (ROOT / "plugin.yaml").read_text("utf-8")


def _line(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_bundled_descriptor_validates_and_ships_its_icon() -> None:
    descriptor = load_descriptor(ROOT / "plugin.yaml")
    assert descriptor == bundled_descriptor()
    assert descriptor.icon is not None
    assert descriptor.icon.read_bytes().startswith(b"<svg")
    assert descriptor.palette is not None and descriptor.palette.category
    assert {f.id for f in descriptor.overrideable_fields} <= {
        f.id for f in descriptor.operation_fields
    }
    json.dumps(descriptor.to_dict())  # hosts read it as JSON


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "{id: STARTS_WITH, label: Starts With, arguments: 1, types: [string, enum]}",
            "{id: STARTS_WITH, label: Starts With, arguments: 1, types: [text]}",
            "query_filter.operators[3].types[0]",
            "'text' is not one of",
        ),
        (
            "{id: BETWEEN, label: Between, arguments: 2,",
            "{id: BETWEEN, label: Between, arguments: 3,",
            "query_filter.operators[6].arguments",
            "3 is greater than the maximum of 2",
        ),
        (
            "{id: CONTAINS, label: Contains,",
            "{id: LIKE, label: Contains,",
            "query_filter.operators[11]",
            "duplicate operator 'LIKE'",
        ),
        (
            "path: static/atomsphere.svg}",
            "path: static/missing.svg}",
            "icon",
            "no file 'static/missing.svg' in package 'connector.designer'",
        ),
        (
            "      visible_when: {field: archiving_enabled, equals: true}\n",
            "      visible_when: {field: archive_on, equals: true}\n",
            "operation.fields[23].visible_when.field",
            "names no field: 'archive_on'",
        ),
        (
            "      path: options.max_pages\n",
            "      path: options.max_results\n",
            "operation.fields[14]",
            "duplicate field path 'options.max_results'",
        ),
        (
            "      path: options.max_pages\n      label: Maximum Pages\n      type: integer\n"
            "      default: 0\n",
            "      path: options.max_pages\n      label: Maximum Pages\n      type: integer\n"
            "      default: none\n",
            "operation.fields[13].default",
            "default does not fit type integer",
        ),
        (
            "      type: filter\n",
            "      type: filter\n      default: all\n",
            "operation.fields[10].default",
            "a field of type filter takes no default",
        ),
        (
            "DELETE: input,\n",
            "REMOVE: input,\n",
            "operation.fields[4].default_by_action",
            "'REMOVE' is not one of",
        ),
        (
            "      overrideable: true\n      visible_when: {field: action, equals: GET}\n",
            "      overrideable: yes please\n      visible_when: {field: action, equals: GET}\n",
            "operation.fields[19].overrideable",
            "is not of type 'boolean'",
        ),
    ],
)
def test_a_broken_descriptor_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    assert GOOD.count(old) == 1, old
    text = GOOD.replace(old, new)
    path = tmp_path / "plugin.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_descriptor(path)
    shown = str(info.value)
    at = {
        "operation.fields[14]": "    - id: max_results",
        "operation.fields[13].default": "default: none",
        "operation.fields[10].default": "default: all",
    }
    line = _line(text, at.get(field, new))
    assert f"{path}:{line}: {field}: " in shown and message in shown, shown

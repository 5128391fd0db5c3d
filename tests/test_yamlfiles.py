"""Safe YAML with positions: every problem says file, line and field."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest
from jsonschema.exceptions import ValidationError

from connector import schema_typing
from connector.errors import ConfigError
from connector.yamlfiles import (
    MAX_NODES,
    iter_schema_problems,
    load_yaml_file,
    load_yaml_text,
)

SCHEMA = {
    "type": "object",
    "required": ["name", "items"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "items": {"type": "array", "items": {"type": "integer"}},
        "mode": {"enum": ["a", "b"]},
    },
}


def test_positions_are_recorded() -> None:
    loaded = load_yaml_text("name: x\nitems:\n  - 1\n  - 2\n", "f.yaml")
    assert loaded.line_of(("items", 1)) == 4
    assert loaded.line_of(("items", 9, "deep")) == 2


def test_schema_problems_name_file_line_and_field() -> None:
    loaded = load_yaml_text("name: 3\nitems:\n  - 1\n  - two\nmode: c\nextra: 1\n", "op.yaml")
    problems = [str(p) for p in iter_schema_problems(loaded, SCHEMA)]
    assert "op.yaml:1: name: 3 is not of type 'string'" in problems
    assert "op.yaml:4: items[1]: 'two' is not of type 'integer'" in problems
    assert "op.yaml:5: mode: 'c' is not one of: a, b" in problems
    assert any(p.startswith("op.yaml:6: extra: unknown field (known: ") for p in problems)


def test_aliases_are_refused() -> None:
    text = "a: &x [1, 2]\nb: *x\n"
    with pytest.raises(ConfigError, match="aliases"):
        load_yaml_text(text, "bomb.yaml")


def test_a_file_of_too_many_values_is_refused_before_it_is_built() -> None:
    """600,000 empty documents in 1.8 MB: refused at the 50,001st value, the rest never read."""
    text = "kind: Process\nstart:\n  documents: [" + ",".join(["{}"] * 600_000) + "]\n"
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as info:
            load_yaml_text(text, "p.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (
        str(info.value)
        == f"p.yaml:3: more than {MAX_NODES} values (lists, mappings and scalars) in one file"
    )
    assert peak < 100 * 1024 * 1024  # unbounded, it took ~680 MB


def test_a_file_of_many_values_under_the_limit_loads() -> None:
    entries = ",".join(["{data: x}"] * ((MAX_NODES - 10) // 3))
    loaded = load_yaml_text(f"documents: [{entries}]\n", "p.yaml")
    assert len(loaded.data["documents"]) == (MAX_NODES - 10) // 3


def test_arbitrary_tags_are_refused() -> None:
    with pytest.raises(ConfigError, match="line 1|:1:"):
        load_yaml_text("a: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")


def test_duplicate_keys_are_reported() -> None:
    with pytest.raises(ConfigError, match="dup.yaml:2: a: duplicate key"):
        load_yaml_text("a: 1\na: 2\n", "dup.yaml")
    with pytest.raises(ConfigError, match=r"dup.yaml:3: options.b: duplicate key"):
        load_yaml_text("options:\n  b: 1\n  b: 2\n", "dup.yaml")


def test_syntax_error_has_a_line() -> None:
    with pytest.raises(ConfigError, match="bad.yaml:2: invalid YAML"):
        load_yaml_text("a: [1, 2\nb: 3\n", "bad.yaml")


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml_file(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"a: 1\nname: caf\xe9\n")
    with pytest.raises(ConfigError, match="latin1.yaml:2: not valid UTF-8"):
        load_yaml_file(bad)


def test_empty_file() -> None:
    with pytest.raises(ConfigError, match="empty"):
        load_yaml_text("", "empty.yaml")


#: Alternatives as a schema offers them: a discriminated oneOf (kind) under $ref, an undiscriminated
#: anyOf told apart by keys, and a scalar-or-mapping choice.
ALTERNATIVES = {
    "type": "object",
    "properties": {
        "shape": {"$ref": "#/$defs/shape"},
        "size": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["width", "height"],
                    "additionalProperties": False,
                    "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}},
                },
                {
                    "type": "object",
                    "required": ["area"],
                    "additionalProperties": False,
                    "properties": {"area": {"type": "integer"}},
                },
            ]
        },
        "when": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["at"]}]},
    },
    "$defs": {
        "shape": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["kind", "radius"],
                    "additionalProperties": False,
                    "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
                },
                {
                    "type": "object",
                    "required": ["kind", "side"],
                    "additionalProperties": False,
                    "properties": {"kind": {"const": "square"}, "side": {"type": "number"}},
                },
            ]
        }
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shape: {kind: square, side: big}", "f.yaml:1: shape.side: 'big' is not of type 'number'"),
        ("shape: {kind: square}", "f.yaml:1: shape: 'side' is a required property"),
        (
            "shape: {kind: sqare, side: 1}",
            "f.yaml:1: shape.kind: 'sqare' is not one of: circle, square (did you mean square?)",
        ),
        (
            "shape: {side: 1, colour: red}",
            "f.yaml:1: shape: 'kind' is required, one of: circle, square; "
            "unknown field(s): 'colour'",
        ),
        ("size: {width: 1, height: x}", "f.yaml:1: size.height: 'x' is not of type 'integer'"),
        ("size: {area: 2, width: 1}", "f.yaml:1: size.width: unknown field (known: area)"),
        ("size: {}", "f.yaml:1: size: needs 'width' and 'height', or 'area'"),
        ("when: [1]", "f.yaml:1: when: [1] is not of type 'string', 'object'"),
        ("when: {}", "f.yaml:1: when: 'at' is a required property"),
    ],
)
def test_a_failed_alternative_is_told_inside_the_one_meant(text: str, expected: str) -> None:
    loaded = load_yaml_text(text + "\n", "f.yaml")
    assert [str(p) for p in iter_schema_problems(loaded, ALTERNATIVES)] == [expected]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ("2026-01-01", "2026-01-01"),
        ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        (".inf", float("inf")),
        ("-.INF", float("-inf")),
        ("~", None),
        ("null", None),
        ("", None),
        ("=", "="),
        ("0b101", "0b101"),
        ("'0123'", "0123"),
    ],
)
def test_scalars_are_typed_by_the_yaml_1_2_core_schema(written: str, value: object) -> None:
    assert load_yaml_text(f"a: {written}\n", "f.yaml").data == {"a": value}


def test_nan_keys_and_merge_keys_follow_yaml_1_2() -> None:
    data = load_yaml_text("a: .nan\n200: x\nyes: y\n<<: {b: 1}\n", "f.yaml").data
    assert data["a"] != data["a"]
    assert data == {"a": data["a"], "200": "x", "yes": "y", "<<": {"b": 1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!binary aGk=\n", "f.yaml:1: invalid YAML: could not determine a constructor"),
        ("a: !!timestamp 2026-01-01\n", "f.yaml:1: invalid YAML: could not determine"),
        ("a: !!set {x}\n", "f.yaml:1: invalid YAML: could not determine a constructor"),
        ("a: !!int abc\n", "f.yaml:1: invalid YAML: not an integer"),
        ("a: !!bool yes\n", "f.yaml:1: invalid YAML: not a boolean (write true or false)"),
        ("a: 1\n? [b]\n: 2\n", "f.yaml:2: invalid YAML: a key must be a name"),
        ("a: " + "9" * 5000 + "\n", "f.yaml:1: invalid YAML: not an integer (or an integer too"),
    ],
)
def test_tags_outside_the_core_schema_and_odd_keys_are_one_located_line(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_yaml_text(text, "f.yaml")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


TEXT_SCHEMA = {
    "type": "object",
    "properties": {
        "account_id": {"type": "string"},
        "count": {"type": "integer"},
        "flag": {"type": "boolean"},
        "argument": {"type": ["string", "number", "boolean"], "x-text": True},
        "maybe": {"type": ["string", "null"], "x-text": True},
        "either": {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^x"}]},
        "list": {"type": "array", "items": {"type": "string"}},
    },
}


def test_a_value_the_schema_declares_as_text_is_the_text_written() -> None:
    text = (
        "account_id: 0123\ncount: 0123\nflag: true\nargument: 1e3\nmaybe:\n"
        "either: 0x10\nlist: [1.50, true, ~, 'q', 0o7]\n"
    )
    loaded = load_yaml_text(text, "f.yaml", TEXT_SCHEMA)
    assert loaded.data == {
        "account_id": "0123",
        "count": 123,
        "flag": True,
        "argument": "1e3",
        "maybe": None,
        "either": 16,
        "list": ["1.50", "true", "~", "q", "0o7"],
    }
    assert load_yaml_text(text, "f.yaml").data["account_id"] == 123  # without the schema


def test_a_yaml_1_1_boolean_is_told_to_be_true_or_false() -> None:
    schema = {"type": "object", "properties": {"flag": {"type": "boolean"}}}
    loaded = load_yaml_text("flag: yes\n", "f.yaml", schema)
    problems = [str(p) for p in iter_schema_problems(loaded, schema)]
    assert problems == ["f.yaml:1: flag: 'yes' is not a boolean: write true or false"]


def test_thousands_of_values_wanting_text_cost_a_few_validations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replacing them one validation each made a process with 2,000 start documents take
    minutes to load; all at once is one validation."""
    calls: list[int] = []
    original = schema_typing._score

    def counted(errors: Iterable[ValidationError]) -> tuple[int, int]:
        calls.append(1)
        return original(errors)

    monkeypatch.setattr(schema_typing, "_score", counted)
    text = "list: [" + ", ".join(str(i) for i in range(3000)) + "]\nargument: 1e3\n"
    loaded = load_yaml_text(text, "f.yaml", TEXT_SCHEMA)
    assert loaded.data == {"list": [str(i) for i in range(3000)], "argument": "1e3"}
    assert len(calls) <= 3

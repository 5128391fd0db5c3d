"""Loading YAML files users write, with line numbers, and validating them against a JSON Schema.

YAML enters the project only here, through ``yaml.SafeLoader`` (no arbitrary tags). Aliases are
refused: configuration never needs them and they are how "billion laughs" bombs are built.
Every problem is reported with file, line and field, all at once, so a user fixes a file in one
pass instead of one error per run.

Scalars are typed by the YAML 1.2 core schema, not PyYAML's YAML 1.1 one: booleans are only
``true``/``false`` (``True``, ``TRUE``...), integers decimal, ``0o`` or ``0x``, floats include
``.inf`` and ``.nan``, null is ``~``, ``null`` or nothing, and everything else is a string
(``yes``, ``on``, ``0777`` as octal, ``1_000``, ``12:30``, ``2026-01-01`` are 1.1's guesses, not
ours). Mapping keys are always the text written. Given the schema a file is checked against, a
value the schema declares as text keeps the text written (see :mod:`connector.schema_typing`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Final

import jsonschema
import yaml

from connector.errors import ConfigError, Problem
from connector.schema_errors import explain
from connector.schema_typing import typed_as_declared

#: Configuration files are small; anything bigger is a mistake or an attack.
MAX_CONFIG_BYTES: Final = 4 * 1024 * 1024
#: Nesting deeper than this is refused: PyYAML composes recursively, and ``[[[[...]]]]`` a few
#: hundred levels deep would otherwise end in a RecursionError instead of a message.
MAX_DEPTH: Final = 64
#: More values (scalars, lists and mappings, keys included, counted as they are composed) than
#: this are refused before the document is built: ``[{},{},...]`` fits 600,000 values in under
#: 2 MB, and each costs hundreds of bytes and microseconds once composed, constructed, indexed and
#: validated. The largest file shipped (plugin.yaml) has about 1,000; many documents enter a
#: process through ``files: GLOB``, not one by one.
MAX_NODES: Final = 50_000

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document plus where each value came from."""

    data: Any
    source: str
    lines: Mapping[FieldPath, int]
    #: The text written for each plain scalar YAML typed as something other than a string
    #: (``0123``, ``1e3``, ``true``, an empty value), for fields that want it as text.
    texts: Mapping[FieldPath, str] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of the value at ``path``, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: FieldPath, message: str) -> Problem:
        return Problem(message, self.source, self.line_of(path), format_path(path))


def format_path(path: FieldPath) -> str:
    """``('filter', 'and', 0, 'property')`` → ``filter.and[0].property``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_STR: Final = "tag:yaml.org,2002:str"
#: The YAML 1.2 core schema's implicit types: tag → (pattern, the characters it may start with).
_CORE: Final = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    "tag:yaml.org,2002:int": (r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
}


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema, that refuses aliases, tags other than the core
    ones (``!!binary``, ``!!timestamp``, ``!!set``...), nesting deeper than :data:`MAX_DEPTH`
    and more than :data:`MAX_NODES` values."""

    depth = 0
    nodes = 0
    # Fresh registries, filled below: none of YAML 1.1's resolvers or constructors is inherited.
    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012
    yaml_constructors: ClassVar[dict[Any, Any]] = {}

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        """Keys are the text written (``200:``, ``yes:`` and ``0123:`` included)."""
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, "expected a mapping", node.start_mark
            )
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a name, not a list or a mapping", key_node.start_mark
                )
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        try:
            if text.startswith(("0o", "0x")):
                return int(text[2:], 8 if text[1] == "o" else 16)
            return int(text)
        except ValueError:  # not digits (``!!int abc``), or more digits than Python converts
            raise yaml.constructor.ConstructorError(
                None, None, "not an integer (or an integer too long)", node.start_mark
            ) from None

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        try:
            return float(text.replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, "not a number", node.start_mark
            ) from None

    def construct_core_bool(self, node: yaml.ScalarNode) -> bool:
        text = str(self.construct_scalar(node)).lower()
        if text not in ("true", "false"):
            raise yaml.constructor.ConstructorError(
                None, None, "not a boolean (write true or false)", node.start_mark
            )
        return text == "true"

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("YAML aliases (*name) are not allowed in configuration", self._line())
        if self.depth >= MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", self._line())
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(
                f"more than {MAX_NODES} values (lists, mappings and scalars) in one file",
                self._line(),
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _line(self) -> int | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return mark.line + 1 if mark else None


for _core_tag, (_pattern, _first) in _CORE.items():
    _Loader.add_implicit_resolver(_core_tag, re.compile(_pattern), _first)
_CONSTRUCTORS: dict[str | None, Any] = {
    _STR: yaml.SafeLoader.construct_yaml_str,
    "tag:yaml.org,2002:null": yaml.SafeLoader.construct_yaml_null,
    "tag:yaml.org,2002:bool": _Loader.construct_core_bool,
    "tag:yaml.org,2002:int": _Loader.construct_core_int,
    "tag:yaml.org,2002:float": _Loader.construct_core_float,
    "tag:yaml.org,2002:seq": yaml.SafeLoader.construct_yaml_seq,
    "tag:yaml.org,2002:map": yaml.SafeLoader.construct_yaml_map,
    None: yaml.SafeLoader.construct_undefined,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    _Loader.add_constructor(_tag, _constructor)


_CORE_PATTERNS: Final = [re.compile(pattern) for pattern, _ in _CORE.values()]


def plain_is_text(text: str) -> bool:
    """Whether ``text`` written as a plain (unquoted) scalar is read back as a string."""
    return not any(pattern.match(text) for pattern in _CORE_PATTERNS)


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        self.message = message
        self.line = line


def load_yaml_text(text: str, source: str, schema: Mapping[str, Any] | None = None) -> LoadedYaml:
    """Parse YAML text (one document) with positions; raise ConfigError on any problem.

    With the ``schema`` the file is checked against, the values it declares as text are the
    text written (``account_id: 0123`` → ``"0123"``); the file is not validated here."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigError([Problem(f"file is larger than {MAX_CONFIG_BYTES} bytes", source)])
    try:
        # (the reader refuses unprintable characters as soon as it is built)
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        problem = f"invalid YAML: unacceptable character #x{exc.character:04x}"
        at = text[: exc.position].count("\n") + 1
        raise ConfigError([Problem(problem, source, at)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([Problem("the file is empty", source, 1)])
        data = loader.construct_document(node)
    except _Refused as exc:
        raise ConfigError([Problem(exc.message, source, exc.line)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([Problem(f"invalid YAML: {what}", source, line)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(f"invalid YAML: {exc}", source)]) from None
    finally:
        loader.dispose()
    index = _Index(source)
    index.visit(node, ())
    if index.problems:
        raise ConfigError(index.problems)
    if schema is not None:
        data = typed_as_declared(data, index.texts, schema)
    return LoadedYaml(data, source, index.lines, index.texts)


def load_yaml_file(path: Path, schema: Mapping[str, Any] | None = None) -> LoadedYaml:
    """Read and parse a YAML file; a missing or undecodable file is a ConfigError too. See
    :func:`load_yaml_text` for ``schema``."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem("file not found", source)]) from None
    except IsADirectoryError:
        raise ConfigError([Problem("is a directory, not a file", source)]) from None
    except OSError as exc:
        raise ConfigError([Problem(f"cannot read: {exc.strerror}", source)]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([Problem(f"file is larger than {MAX_CONFIG_BYTES} bytes", source)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem("not valid UTF-8", source, line)]) from None
    return load_yaml_text(text, source, schema)


class _Index:
    """Where each value of a composed document is, and what is wrong with its keys."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[FieldPath, int] = {}
        self.texts: dict[FieldPath, str] = {}
        self.problems: list[Problem] = []

    def visit(self, node: yaml.Node, path: FieldPath, line: int | None = None) -> None:
        # A mapping value is located at its key: "items:" is where a user looks for "items".
        self.lines[path] = line or node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[object] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                if key in seen:
                    self.problems.append(
                        Problem(
                            "duplicate key: it is already set above in the same mapping",
                            self.source,
                            key_node.start_mark.line + 1,
                            format_path((*path, str(key))),
                        )
                    )
                seen.add(key)
                key_line = key_node.start_mark.line + 1
                self.visit(value_node, (*path, str(key)), key_line)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.visit(item, (*path, i))
        elif isinstance(node, yaml.ScalarNode) and node.tag != _STR and node.style is None:
            self.texts[path] = str(node.value)


# -- JSON Schema ---------------------------------------------------------------------------------


@cache
def packaged_schema(name: str) -> Mapping[str, Any]:
    """A JSON Schema shipped in ``connector/schemas/`` (e.g. ``"operation"``)."""
    text = resources.files("connector.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def iter_schema_problems(loaded: LoadedYaml, schema: Mapping[str, Any]) -> Iterator[Problem]:
    """Every way ``loaded.data`` breaks ``schema``, in document order.

    Where the schema offers alternatives (``oneOf``), the problem is told inside the alternative
    the file meant (see :mod:`connector.schema_errors`), not as the validator's guess.
    """
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        loaded.problem(path, message)
        for error in validator.iter_errors(loaded.data)
        for path, message in explain(error, schema)
    ]
    yield from sorted(problems, key=lambda p: (p.line or 0, p.message))


def validate(loaded: LoadedYaml, schema: Mapping[str, Any]) -> None:
    """Raise ConfigError listing every schema problem of ``loaded``."""
    problems = list(iter_schema_problems(loaded, schema))
    if problems:
        raise ConfigError(problems)

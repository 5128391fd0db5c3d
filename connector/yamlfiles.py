"""Loading YAML files users write, with line numbers, and validating them against a JSON Schema.

YAML enters the project only here, through ``yaml.SafeLoader`` (no arbitrary tags). Aliases are
refused: configuration never needs them and they are how "billion laughs" bombs are built.
Every problem is reported with file, line and field, all at once, so a user fixes a file in one
pass instead of one error per run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from connector.errors import ConfigError, Problem
from connector.schema_errors import explain

#: Configuration files are small; anything bigger is a mistake or an attack.
MAX_CONFIG_BYTES: Final = 4 * 1024 * 1024
#: Nesting deeper than this is refused: PyYAML composes recursively, and ``[[[[...]]]]`` a few
#: hundred levels deep would otherwise end in a RecursionError instead of a message.
MAX_DEPTH: Final = 64

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document plus where each value came from."""

    data: Any
    source: str
    lines: Mapping[FieldPath, int]
    #: The text of each value YAML read as a date or time (``2024-01-01``), as written, so a
    #: message can show the user what to quote.
    timestamps: Mapping[FieldPath, str] = field(default_factory=dict)

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


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and nesting deeper than :data:`MAX_DEPTH`."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("YAML aliases (*name) are not allowed in configuration", self._line())
        if self.depth >= MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", self._line())
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _line(self) -> int | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return mark.line + 1 if mark else None


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        self.message = message
        self.line = line


def load_yaml_text(text: str, source: str) -> LoadedYaml:
    """Parse YAML text (one document) with positions; raise ConfigError on any problem."""
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
    return LoadedYaml(data, source, index.lines, index.timestamps)


def load_yaml_file(path: Path) -> LoadedYaml:
    """Read and parse a YAML file; a missing or undecodable file is a ConfigError too."""
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
    return load_yaml_text(text, source)


_TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"


class _Index:
    """Where each value of a composed document is, and what is wrong with its keys."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[FieldPath, int] = {}
        self.timestamps: dict[FieldPath, str] = {}
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
        elif node.tag == _TIMESTAMP:
            self.timestamps[path] = str(node.value)


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
        for path, message in explain(error, schema, loaded.timestamps)
    ]
    yield from sorted(problems, key=lambda p: (p.line or 0, p.message))


def validate(loaded: LoadedYaml, schema: Mapping[str, Any]) -> None:
    """Raise ConfigError listing every schema problem of ``loaded``."""
    problems = list(iter_schema_problems(loaded, schema))
    if problems:
        raise ConfigError(problems)

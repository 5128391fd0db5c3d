"""Hostile YAML in every file users write (operations, connections, processes, plugin.yaml) is
refused with the file and line, never constructed and never a traceback.

(The loader's basics, one alias, one python tag, a duplicate key, are in
``tests/test_yamlfiles.py``; here the bombs meet every kind of file and the CLI.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.atomsphere.connection import load_connection_file
from connector.cli import main
from connector.descriptor import load_descriptor
from connector.engine import load_operation
from connector.errors import ConfigError
from connector.host import load_process
from connector.plugins import get_plugin_manager
from connector.yamlfiles import MAX_CONFIG_BYTES, MAX_DEPTH
from tests.security.hostile import one_line_error

#: Each file kind's first lines; the hostile part follows on the next line.
HEADERS = {
    "operation": "kind: AtomSphereOperation\nversion: 1\nname: x\naction: GET\nobject: Account\n",
    "connection": "kind: AtomSphereConnection\naccount_id: a\nusername: u\n",
    "process": "kind: Process\nversion: 1\nname: p\n",
    "plugin": "kind: ConnectorPlugin\n",
}


def _laughs() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: (hostile text after the header, the line the error names relative to it, what it says).
HOSTILE: dict[str, tuple[bytes, int | None, str]] = {
    "python-object": (
        b"x: !!python/object/apply:os.system ['touch PWNED']\n",
        1,
        "could not determine a constructor",
    ),
    "python-name": (b"x: !!python/name:os.system\n", 1, "could not determine a constructor"),
    "custom-tag": (
        b"x: !evil {a: 1}\n",
        1,
        "could not determine a constructor for the tag '!evil'",
    ),
    "billion-laughs": (_laughs().encode(), 2, "aliases (*name) are not allowed"),
    "merge-alias": (b"base: &b {k: 1}\nx: {<<: *b}\n", 2, "aliases (*name) are not allowed"),
    "deep-flow": (b"x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", 1, "nested more than"),
    "deep-mapping": (b"x: " + b"{k: " * 10_000 + b"1" + b"}" * 10_000 + b"\n", 1, "nested more"),
    "deep-block": (
        "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 5)).encode(),
        MAX_DEPTH,
        "nested more than",
    ),
    "wide-flow": (b"x: [" + b",".join([b"{}"] * 600_000) + b"]\n", 1, "more than 50000 values"),
    "duplicate-key": (b"kind: Other\n", 1, "duplicate key"),
    "non-utf8": (b"x: caf\xe9\n", 1, "not valid UTF-8"),
    "nul-character": (b'x: "a\x00b"\n', 1, "unacceptable character #x0000"),
    "huge": (b"x: " + b"y" * (MAX_CONFIG_BYTES + 1) + b"\n", None, "larger than"),
}
LOADERS = {
    "operation": load_operation,
    "connection": lambda path: load_connection_file(path, env={}),
    "process": lambda path: load_process(path, get_plugin_manager()),
    "plugin": load_descriptor,
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("file_kind", sorted(HEADERS))
def test_hostile_yaml_is_refused_naming_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_kind: str, kind: str
) -> None:
    monkeypatch.chdir(tmp_path)
    header = HEADERS[file_kind]
    data, line, fragment = HOSTILE[kind]
    path = tmp_path / f"{file_kind}.yaml"
    path.write_bytes(header.encode() + data)
    with pytest.raises(ConfigError) as info:
        LOADERS[file_kind](path)
    message = str(info.value)
    assert "\n" not in message and fragment in message, message
    where = f"{path}:{header.count(chr(10)) + line}:" if line is not None else f"{path}:"
    assert message.startswith(where), message
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("kind", ["python-object", "billion-laughs", "deep-flow", "non-utf8"])
@pytest.mark.parametrize(
    ("file_kind", "argv"),
    [
        ("operation", ["run", "{path}"]),
        ("connection", ["test-connection", "--connection", "{path}"]),
        ("process", ["process", "run", "{path}", "--db", "{db}"]),
    ],
)
def test_the_cli_answers_hostile_yaml_with_one_error_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file_kind: str,
    argv: list[str],
    kind: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f"{file_kind}.yaml"
    path.write_bytes(HEADERS[file_kind].encode() + HOSTILE[kind][0])
    before = sorted(tmp_path.iterdir())
    args = [a.format(path=path, db=tmp_path / "r.db") for a in argv]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert str(path) in one_line_error(captured.err)
    assert captured.out == ""
    assert sorted(tmp_path.iterdir()) == before, "nothing is written for a refused file"

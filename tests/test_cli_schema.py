"""``atomsphere schema NAME``: every published schema prints, and is documented where users look."""

from __future__ import annotations

import json
import re

import pytest

from connector.cli import main
from connector.cli.schema import schema_names
from connector.yamlfiles import packaged_schema
from tests.conftest import ROOT


@pytest.mark.parametrize("name", schema_names())
def test_schema_name_prints_the_published_schema(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == dict(packaged_schema(name))


def test_every_schema_is_documented_with_its_title_and_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = schema_names()
    assert "process" in names and len(names) >= 4
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    help_text = capsys.readouterr().out
    docs = (ROOT / "docs" / "operations.md").read_text("utf-8")
    section = docs[docs.index("### `atomsphere schema NAME`") :].split("\n## ")[0]
    for name in names:
        title = str(packaged_schema(name)["title"])
        assert f"  {name:<12}{title}" in help_text
        documented = re.search(rf"^\| `{name}` \| .*\(`([^`]+)`\)", section, re.MULTILINE)
        assert documented is not None, name
        assert f"({documented.group(1)})" in title  # the same file as the schema's title

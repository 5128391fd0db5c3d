"""``atomsphere about`` describes the connector from plugin.yaml and the catalog, and the README
and docs carry its Markdown verbatim."""

from __future__ import annotations

import json
import re

import pytest

from connector.atomsphere.catalog import load_catalog
from connector.cli import main
from connector.cli.about import text
from connector.descriptor import bundled_descriptor
from tests.conftest import ROOT

START, END = "<!-- about:start -->", "<!-- about:end -->"


def _about(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["about", *args]) == 0
    return capsys.readouterr().out


def test_json_is_the_descriptor_plus_the_catalogs_objects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(_about(capsys, "--format", "json"))
    descriptor = bundled_descriptor()
    assert {k: v for k, v in data.items() if k != "objects"} == json.loads(
        json.dumps(descriptor.to_dict())
    )
    catalog = load_catalog()
    assert [(o["name"], o["actions"]) for o in data["objects"]] == [
        (o.name, [a.value for a in o.actions]) for o in catalog.objects
    ]


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_every_setting_action_field_operator_property_and_object_is_described(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = _about(capsys, "--format", fmt)
    descriptor = bundled_descriptor()
    grammar = descriptor.query_filter
    assert grammar is not None
    expected = [
        *(f.id for f in descriptor.connection_fields),
        *(f.env for f in descriptor.connection_fields if f.env),
        *(a.id.value for a in descriptor.actions),
        *(f.path for f in descriptor.operation_fields),
        *(f"{f.id} (overrideable)" for f in descriptor.overrideable_fields),
        *(o.id for o in grammar.operators),
        *(p.id for p in descriptor.document_properties),
        *(o.name for o in load_catalog().objects),
    ]
    missing = [w for w in expected if not re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", out)]
    assert missing == []
    flat = " ".join(out.split()) if fmt == "text" else out  # text is wrapped
    for spec in descriptor.connection_fields:
        help_text = " ".join(spec.help.split())
        assert (help_text.replace("`", "") if fmt == "text" else help_text) in flat


@pytest.mark.parametrize("width", [60, 100, 160])
def test_text_fits_the_terminal_and_has_no_markdown_marks(width: int) -> None:
    out = text(bundled_descriptor(), load_catalog(), width)
    assert "`" not in out
    too_long = [line for line in out.splitlines() if len(line) > width and " " in line.strip()]
    assert too_long == []


def test_text_takes_the_terminal_width_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert max(len(line) for line in _about(capsys).splitlines()) <= 72


def test_markdown_tables_have_one_cell_per_header(capsys: pytest.CaptureFixture[str]) -> None:
    out = _about(capsys, "--format", "markdown")
    table: int | None = None
    for line in out.splitlines():
        if not line.startswith("|"):
            table = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line)) - 1
        table = cells if table is None else table
        assert cells == table, line


def _block(text: str, source: str) -> str:
    assert text.count(START) == 1 and text.count(END) == 1, f"{source}: one pair of markers"
    inside = text.split(START, 1)[1].split(END, 1)[0]
    return inside.strip("\n") + "\n"


def test_docs_carry_the_markdown_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    docs = (ROOT / "docs" / "designer.md").read_text("utf-8")
    assert _block(docs, "docs/designer.md") == _about(capsys, "--format", "markdown")


def test_the_readme_carries_the_markdown_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert _block(readme, "README.md") == _about(capsys, "--format", "markdown")

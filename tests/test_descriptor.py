"""plugin.yaml is loaded and validated by the code, and agrees with the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from connector import __version__
from connector.descriptor import bundled_descriptor, load_descriptor
from connector.errors import ConfigError
from tests.conftest import ROOT


def test_bundled_descriptor_is_valid_and_matches_the_package() -> None:
    descriptor = bundled_descriptor()
    assert descriptor.id == "atomsphere"
    assert descriptor.version == __version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    entry_points = pyproject["project"]["entry-points"][descriptor.entry_point.group]
    assert entry_points[descriptor.entry_point.name] == descriptor.entry_point.module
    assert [a.id.value for a in descriptor.actions] == [
        "GET",
        "QUERY",
        "CREATE",
        "UPDATE",
        "DELETE",
        "EXECUTE",
    ]
    assert {"password", "api_token"} <= descriptor.secret_fields


def test_connection_fields_document_their_environment_variables() -> None:
    envs = {f.env for f in bundled_descriptor().connection_fields if f.env}
    assert {
        "ATOMSPHERE_BASE_URL",
        "ATOMSPHERE_ACCOUNT_ID",
        "ATOMSPHERE_USERNAME",
        "ATOMSPHERE_PASSWORD",
        "ATOMSPHERE_API_TOKEN",
    } <= envs


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plugin.yaml"
    path.write_text(text)
    return path


def test_invalid_descriptor_reports_every_problem_with_lines(tmp_path: Path) -> None:
    good = (ROOT / "plugin.yaml").read_text("utf-8")
    bad = good.replace("id: atomsphere\n", "id: Atom Sphere\n").replace(
        "      type: number\n", "      type: num\n"
    )
    with pytest.raises(ConfigError) as info:
        load_descriptor(_write(tmp_path, bad))
    text = str(info.value)
    assert "plugin.yaml:5: id:" in text
    assert "connection.fields[" in text and ".type: 'num' is not one of" in text


def test_visible_when_must_name_a_field(tmp_path: Path) -> None:
    good = (ROOT / "plugin.yaml").read_text("utf-8")
    bad = good.replace("{field: auth_type, equals: token}", "{field: auth_kind, equals: token}")
    with pytest.raises(ConfigError, match="names no field: 'auth_kind'"):
        load_descriptor(_write(tmp_path, bad))


def test_default_must_fit_the_type(tmp_path: Path) -> None:
    good = (ROOT / "plugin.yaml").read_text("utf-8")
    bad = good.replace("      default: 60\n", "      default: true\n")
    with pytest.raises(ConfigError, match=r"fields\[8\].default: default does not fit type number"):
        load_descriptor(_write(tmp_path, bad))


def test_plugin_yaml_text_fields_keep_the_text_written(tmp_path: Path) -> None:
    good = (ROOT / "plugin.yaml").read_text("utf-8")
    descriptor = load_descriptor(
        _write(tmp_path, good.replace("\nname: Boomi AtomSphere API\n", "\nname: 1.10\n"))
    )
    assert descriptor.name == "1.10"
    with pytest.raises(ConfigError, match=r"plugin.yaml:7: version: '1.10' does not match"):
        load_descriptor(_write(tmp_path, good.replace("version: 0.1.0", "version: 1.10")))

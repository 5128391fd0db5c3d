"""``atomsphere import --all``: a valid profile for every object and action of the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.atomsphere.catalog import load_catalog
from connector.contract import Action
from connector.wizard.browse import catalog_plan
from connector.wizard.definitions import profile_specs
from tests.wizard.conftest import serving
from tests.wizard.helpers import files, profile_problems, run_import


@pytest.fixture(scope="module")
def offline_profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("offline") / "profiles"
    assert run_import("--all", "--offline", "--profiles-dir", str(folder)) == 0
    return folder


def expected_files() -> set[str]:
    """Every profile the catalog's action table calls for."""
    names = set()
    for info in load_catalog().objects:
        for action in info.actions:
            names.update(s.file_name for s in profile_specs(catalog_plan(info, action)) if s)
    return names


def test_offline_all_writes_a_profile_for_every_object_and_action(offline_profiles: Path) -> None:
    assert set(files(offline_profiles)) == expected_files()


def test_every_offline_profile_loads_in_lxml_and_xmlschema(offline_profiles: Path) -> None:
    problems = [
        p for path in sorted(offline_profiles.glob("*.xsd")) for p in profile_problems(path)
    ]
    assert problems == []


def test_every_action_has_profiles_for_its_documents(offline_profiles: Path) -> None:
    names = set(files(offline_profiles))
    assert "ExecutionRecord.query.response.xsd" in names
    assert "ExecutionRecord.query.request.xsd" not in names  # a Query takes filter values
    assert "Environment.get.response.xsd" in names and "Environment.get.request.xsd" not in names
    assert {"Environment.create.request.xsd", "Environment.create.response.xsd"} <= names
    assert not any(".delete." in n for n in names)  # a Delete takes an id, returns nothing
    assert "AtomLog.execute.request.xsd" in names and "AtomLog.execute.response.xsd" in names
    assert "cancelExecution.execute.request.xsd" not in names  # no body either way


def test_all_against_a_connection_serving_the_bundled_schema_matches_offline(
    offline_profiles: Path, bundled_bytes: bytes, connection_file: Path, tmp_path: Path
) -> None:
    seen: list[str] = []
    folder = tmp_path / "live"
    code = run_import(
        "--all",
        "--connection",
        str(connection_file),
        "--profiles-dir",
        str(folder),
        transport=serving(bundled_bytes, seen=seen),
    )
    assert code == 0
    assert seen == ["https://api.test.example/api/soap/v1/acct-1?xsd=1"]
    assert files(folder) == files(offline_profiles)  # same definitions, same bytes


def test_all_is_deterministic_and_leaves_unchanged_files_alone(
    offline_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in offline_profiles.glob("*.xsd")}
    assert run_import("--all", "--offline", "--profiles-dir", str(offline_profiles)) == 0
    assert f"{len(before)} unchanged" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in offline_profiles.glob("*.xsd")} == before


@pytest.mark.parametrize("action", list(Action))
def test_offline_browse_matches_the_catalog(action: Action) -> None:
    from connector.wizard import browse, bundled_schema

    found = browse(bundled_schema(), action)
    assert [p.object for p in found.plans] == sorted(
        (o.name for o in load_catalog().objects_for(action)), key=str.lower
    )
    assert found.missing == () and found.unknown == ()

"""Every operation file in the repository validates against the published schema."""

from __future__ import annotations

import pytest

from connector.yamlfiles import load_yaml_file, packaged_schema, validate
from tests.conftest import ROOT

FILES = sorted((ROOT / "operations").glob("*.yaml"))


def test_there_are_example_operations_for_every_action() -> None:
    actions = {load_yaml_file(path).data["action"] for path in FILES}
    assert actions == {"GET", "QUERY", "CREATE", "UPDATE", "DELETE", "EXECUTE"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_operation_file_matches_the_schema(path) -> None:  # type: ignore[no-untyped-def]
    validate(load_yaml_file(path), packaged_schema("operation"))

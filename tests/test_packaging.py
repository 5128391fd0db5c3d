"""A wheel carries what the demo needs, so it works outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_carries_descriptor_catalog_and_examples(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "connector/plugin.yaml",
        "connector/py.typed",
        "connector/atomsphere/catalog/data/catalog.json",
        "connector/atomsphere/catalog/data/atomsphere.xsd",
        "connector/schemas/operation.schema.json",
        "connector/_examples/operations/get-account.yaml",
    ):
        assert required in names, required
    assert any(n.startswith("connector/_examples/processes/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)  # license = "MIT"

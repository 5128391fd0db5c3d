"""A broken installed plugin is one PluginError naming its entry point and distribution, and
every command that loads plugins prints that one line and exits 2."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from connector import PluginError
from connector.cli import main
from connector.errors import ConnectorError
from connector.plugins import get_plugin_manager, hookimpl
from tests.conftest import ROOT


def install_fake_distribution(
    tmp_path: Path, module: str, module_source: str, entry_point: str = ""
) -> None:
    """A real (if tiny) installed distribution whose entry point ``fake`` names ``module``."""
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(module_source))
    dist = tmp_path / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    target = entry_point or module
    (dist / "entry_points.txt").write_text(f"[atomsphere_connector]\nfake = {target}\n")


BROKEN = {
    "misspelt": (
        """
        from connector import hookimpl

        @hookimpl
        def connector_browse_object_type(connector_id, connection, action):
            return []
        """,
        "",
        "unknown hook 'connector_browse_object_type'",
    ),
    "wrong_arguments": (
        """
        from connector import hookimpl

        @hookimpl
        def connector_browse_object_types(connector_id, connection, action, colour):
            return []
        """,
        "",
        "colour",
    ),
    "import_fails": (
        "import no_such_module_anywhere\n",
        "",
        "failed to load: ModuleNotFoundError: No module named 'no_such_module_anywhere'",
    ),
    "raises_on_load": (
        "raise RuntimeError('the licence server\\nis down')\n",
        "",
        "failed to load: RuntimeError: the licence server is down",
    ),
    "exits_on_load": ("import sys\nsys.exit(3)\n", "", "failed to load: SystemExit: 3"),
    "missing_attribute": (
        "x = 1\n",
        "broken_missing_attribute:plugin",
        "failed to load: AttributeError",
    ),
}


@pytest.fixture(params=sorted(BROKEN))
def broken(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    source, entry_point, cause = BROKEN[request.param]
    module = f"broken_{request.param}"
    install_fake_distribution(tmp_path, module, source, entry_point)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    return cause


def test_a_broken_plugin_is_a_plugin_error_naming_entry_point_and_distribution(
    broken: str,
) -> None:
    with pytest.raises(PluginError) as info:
        get_plugin_manager()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("plugin entry point 'fake' (")
    assert "of distribution broken_" in message and " 0.1: " in message
    assert broken in message
    assert isinstance(info.value, ConnectorError)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_plugin_registered_by_the_host_is_named_by_its_own_name() -> None:
    class Misspelt:
        @hookimpl
        def connector_execute_typo(self) -> None: ...

    with pytest.raises(
        PluginError,
        match=r"^a plugin passed to get_plugin_manager: unknown hook 'connector_execute_typo'",
    ):
        get_plugin_manager(load_entrypoints=False, plugins=[Misspelt()])


@pytest.mark.parametrize(
    "argv",
    [
        ["process", "check", str(ROOT / "processes" / "process-lookup.yaml")],
        ["process", "run", str(ROOT / "processes" / "process-lookup.yaml")],
        ["demo"],
        ["designer", "--port", "0", "--workdir", "WORKDIR"],
    ],
)
def test_every_command_that_loads_plugins_prints_one_line_and_exits_2(
    broken: str,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATOMSPHERE_REPORTING_DB", str(tmp_path / "r.db"))
    for var in ("BASE_URL", "ACCOUNT_ID", "USERNAME", "PASSWORD", "API_TOKEN"):
        monkeypatch.delenv(f"ATOMSPHERE_{var}", raising=False)
    assert main([str(tmp_path) if a == "WORKDIR" else a for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: plugin entry point 'fake' ("), err
    assert broken in err

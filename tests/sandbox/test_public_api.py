"""The sandbox's public surface stays small, sorted and documented."""

from __future__ import annotations

import dataclasses

import pytest

import connector.sandbox as sandbox_module
from connector.errors import ConfigError
from connector.sandbox import SandboxConfig
from tests.conftest import ROOT


def test_all_is_sorted_and_exported() -> None:
    names = sandbox_module.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(sandbox_module, name), name


def test_config_defaults_are_the_documented_constants() -> None:
    config = SandboxConfig()
    assert (config.account_id, config.username) == ("sandbox-A1B2C3", "sandbox@example.com")
    assert (config.password, config.api_token) == ("sandbox-password", "sandbox-token")
    assert (config.rate_limit, config.seed, config.page_size) == (10.0, 1, 100)
    assert dataclasses.is_dataclass(config)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 2  # type: ignore[misc]
    assert "sandbox-password" not in repr(config) and "sandbox-token" not in repr(config)


@pytest.mark.parametrize(
    "bad", [{"rate_limit": -1}, {"page_size": 0}, {"records": -5}, {"account_id": "a/b"}]
)
def test_config_refuses_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        SandboxConfig(**bad)  # type: ignore[arg-type]


def test_every_public_name_is_documented() -> None:
    text = (ROOT / "docs" / "sandbox.md").read_text("utf-8")
    for name in sandbox_module.__all__:
        assert f"`{name}" in text, name
    for field in dataclasses.fields(SandboxConfig):
        assert f"`{field.name}`" in text, field.name

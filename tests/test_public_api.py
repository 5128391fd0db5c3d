"""The public surface is small, sorted and honest."""

from __future__ import annotations

import connector


def test_all_is_sorted_and_importable() -> None:
    assert connector.__all__ == sorted(connector.__all__)
    for name in connector.__all__:
        assert hasattr(connector, name), name


def test_public_members_are_exported() -> None:
    public = {n for n in dir(connector) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(connector.__all__)

"""The plugin manager: one project name for the markers, the manager and the entry-point group.

Connectors, the AtomSphere one included, are found through the ``atomsphere_connector``
entry-point group only; nothing here imports a connector by name. A plugin that cannot be loaded
(its import fails, it raises while loading, or it implements a hook that does not exist) is a
:class:`~connector.errors.PluginError` naming its entry point and distribution, never a bare
traceback from somebody else's package.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass

import pluggy

from connector import hookspecs
from connector.errors import PluginError
from connector.hookspecs import PROJECT_NAME

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Mark a function as an implementation of one of the hooks in :mod:`connector.hookspecs`."""


@dataclass(frozen=True)
class _EntryPoint:
    """Where an installed plugin comes from, for messages."""

    name: str
    value: str
    distribution: str

    def __str__(self) -> str:
        return (
            f"plugin entry point {self.name!r} ({self.value}) of distribution {self.distribution}"
        )


def get_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Iterable[object] = ()
) -> pluggy.PluginManager:
    """A fresh plugin manager with the hookspecs added and the entry-point group loaded.

    ``plugins`` are registered first (tests and embedding hosts use it). Every implementation is
    checked against the specs. Raises :class:`~connector.errors.PluginError` when an installed
    plugin fails to import, raises while loading, or implements a hook that does not exist (a
    misspelt hook name is refused here rather than silently ignored).
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    origins: dict[int, _EntryPoint] = {}
    try:
        for plugin in plugins:
            pm.register(plugin)
        if load_entrypoints:
            origins = _load_each(pm)
            pm.load_setuptools_entrypoints(PROJECT_NAME)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        origin = origins.get(id(exc.plugin))
        where = str(origin) if origin else "a plugin passed to get_plugin_manager"
        raise PluginError(f"{where}: {_one_line(str(exc))}") from None
    return pm


def _load_each(pm: pluggy.PluginManager) -> dict[int, _EntryPoint]:
    """Import every entry point of the group pluggy is about to load, so that a failure is told
    with its entry point and distribution; returns where each loaded object came from."""
    origins: dict[int, _EntryPoint] = {}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != PROJECT_NAME or pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            meta = dist.metadata
            version = meta["Version"] if meta and meta["Version"] else ""
            origin = _EntryPoint(ep.name, ep.value, f"{meta['Name'] if meta else '?'} {version}")
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as exc:
                what = type(exc).__name__
                cause = _one_line(str(exc))
                raise PluginError(
                    f"{origin}: failed to load: {what}{': ' + cause if cause else ''}"
                ) from None
            origins.setdefault(id(plugin), origin)
    return origins


def _one_line(text: str) -> str:
    return " ".join(text.split())

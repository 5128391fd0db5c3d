"""The plugin manager: one project name for the markers, the manager and the entry-point group.

Connectors, the AtomSphere one included, are found through the ``atomsphere_connector``
entry-point group only; nothing here imports a connector by name.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from connector import hookspecs
from connector.hookspecs import PROJECT_NAME

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Mark a function as an implementation of one of the hooks in :mod:`connector.hookspecs`."""


def get_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Iterable[object] = ()
) -> pluggy.PluginManager:
    """A fresh plugin manager with the hookspecs added and the entry-point group loaded.

    ``plugins`` are registered first (tests and embedding hosts use it). Every implementation is
    checked against the specs: a misspelt hook name raises
    :class:`pluggy.PluginValidationError` here rather than being silently ignored.
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(PROJECT_NAME)
    pm.check_pending()
    return pm

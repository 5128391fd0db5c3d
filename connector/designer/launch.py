"""Starting the designer: its connection (the sandbox when none is configured) and its server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pluggy

from connector.atomsphere.connection import Connection, connection_from_mapping
from connector.designer.server import DesignerServer
from connector.designer.workspace import DesignerWorkspace, Target
from connector.errors import ConfigError
from connector.host.reporting import connect
from connector.plugins import get_plugin_manager
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)


@contextmanager
def serve_designer(
    workdir: Path,
    *,
    connection: Connection | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    database: Path | None = None,
    pm: pluggy.PluginManager | None = None,
    sandbox_config: SandboxConfig | None = None,
) -> Iterator[DesignerServer]:
    """Serve the designer for ``workdir`` until the block ends.

    Without a connection a sandbox is started in this process, on a free loopback port, and
    the designer browses, imports and runs against it: nothing leaves the machine. A work folder
    or reporting database that cannot be used is refused (:class:`ConfigError`) before anything
    is served. The port is taken first, so a port in use (:class:`OSError`) leaves no folder or
    database behind.
    """
    with ExitStack() as stack:
        server = DesignerServer(host, port)
        stack.callback(server.server_close)
        prepare_workdir(workdir)
        pm = pm or get_plugin_manager()  # a broken plugin is refused before anything starts
        if database is None:
            database = workdir.resolve() / "reporting.db"
        database = check_database(database)
        if connection is None:
            sandbox = stack.enter_context(Sandbox(sandbox_config or SandboxConfig()))
            url = stack.enter_context(sandbox.serve("127.0.0.1", 0))
            connection = connection_from_mapping(
                {
                    "base_url": url,
                    "account_id": DEFAULT_ACCOUNT_ID,
                    "username": DEFAULT_USERNAME,
                    "password": DEFAULT_PASSWORD,
                },
                source="sandbox",
            )
            target = Target("sandbox", connection.target)
        else:
            target = Target("connection", connection.target)
        workspace = DesignerWorkspace(workdir, connection, target, pm, database=database)
        server.start(workspace)
        stack.callback(server.stop)
        yield server


def prepare_workdir(workdir: Path) -> Path:
    """The work folder, created when missing; one that cannot be is a :class:`ConfigError`."""
    if workdir.exists() and not workdir.is_dir():
        raise ConfigError(f"work folder {workdir}: a file, not a folder")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"work folder {workdir}: {exc.strerror or exc}") from None
    return workdir


def check_database(path: Path) -> Path:
    """``path``, once opened the way the designer will use it: so a folder, a place that cannot
    be written, or a file that is no reporting database stops the start, not the first run.

    A new database is created as the host creates it for a run; an existing file is opened as
    the reading commands open it, since the designer reads each run back from it.
    """
    if path.is_dir():
        raise ConfigError(f"{path}: a folder; the process reporting database is a file")
    blocking = next((p for p in path.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise ConfigError(f"{path}: cannot be created, {blocking} is a file, not a folder")
    connect(path, create=not path.exists()).close()
    return path

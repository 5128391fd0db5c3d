"""Starting the designer: its connection (the sandbox when none is configured) and its server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pluggy

from connector.atomsphere.connection import Connection, connection_from_mapping
from connector.designer.server import DesignerServer
from connector.designer.workspace import DesignerWorkspace, Target
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
    the designer browses, imports and runs against it: nothing leaves the machine.
    """
    with ExitStack() as stack:
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
        workdir.mkdir(parents=True, exist_ok=True)
        workspace = DesignerWorkspace(
            workdir, connection, target, pm or get_plugin_manager(), database=database
        )
        server = DesignerServer(workspace, host, port)
        server.start()
        stack.callback(server.stop)
        yield server

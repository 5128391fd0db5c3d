"""The sandbox: a local emulator of Boomi's AtomSphere Platform API.

Built from the catalog and the generated schema only (never from the connector's client), so
the two cannot agree on a mistake. One application, ``Sandbox.handle(request) -> response``,
served in-process (:meth:`Sandbox.transport`, an httpx transport) or over loopback
(:meth:`Sandbox.serve`, or ``atomsphere sandbox``). See docs/sandbox.md.
"""

from __future__ import annotations

from connector.sandbox.app import Sandbox
from connector.sandbox.config import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_TOKEN,
    DEFAULT_HOST,
    DEFAULT_PASSWORD,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RECORDS,
    DEFAULT_SEED,
    DEFAULT_UNPRIVILEGED_USERNAME,
    DEFAULT_USERNAME,
    SandboxConfig,
)
from connector.sandbox.faults import FaultKind, FaultRule, Faults, parse_fault_spec
from connector.sandbox.seed import fixtures
from connector.sandbox.wire import Request, Response

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_API_TOKEN",
    "DEFAULT_HOST",
    "DEFAULT_PASSWORD",
    "DEFAULT_PORT",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RECORDS",
    "DEFAULT_SEED",
    "DEFAULT_UNPRIVILEGED_USERNAME",
    "DEFAULT_USERNAME",
    "FaultKind",
    "FaultRule",
    "Faults",
    "Request",
    "Response",
    "Sandbox",
    "SandboxConfig",
    "fixtures",
    "parse_fault_spec",
]

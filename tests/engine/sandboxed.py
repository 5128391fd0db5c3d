"""The engine against the real sandbox, in-process, on one fake clock shared by both sides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection, connection_from_mapping
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy
from connector.contract import ExecutionContext
from connector.documents import Document, OperationResponse, Result
from connector.engine import OperationConfig, load_operation, run_operation
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)
from tests.client.fakeapi import FakeClock
from tests.conftest import ROOT

BASE = "http://sandbox.invalid"
OPERATIONS = ROOT / "operations"


def sandbox_connection(base_url: str = BASE, **extra: Any) -> Connection:
    return connection_from_mapping(
        {
            "base_url": base_url,
            "account_id": DEFAULT_ACCOUNT_ID,
            "username": DEFAULT_USERNAME,
            "password": DEFAULT_PASSWORD,
            **extra,
        }
    )


class Sandboxed:
    """A fresh sandbox and a client for it; the rate limiters and retries share a fake clock."""

    def __init__(self, *, client_rate: float = 0, **config: Any) -> None:
        self.clock = FakeClock()
        settings = {"rate_limit": 0, "validate_responses": True, **config}
        self.sandbox = Sandbox(
            SandboxConfig(**settings),
            clock=self.clock,
            wall_clock=lambda: 1_750_000_000.0 + self.clock(),
            sleep=self.clock.sleep,
        )
        self.client = AtomSphereClient(
            sandbox_connection(),
            transport=self.sandbox.transport(),
            limiter=RateLimiter(client_rate, clock=self.clock, sleep=self.clock.sleep),
            retry=RetryPolicy(jitter=lambda: 0.0),
            clock=self.clock,
            sleep=self.clock.sleep,
        )

    def run(
        self,
        operation: OperationConfig | str,
        documents: Sequence[Document],
        context: ExecutionContext | None = None,
    ) -> list[Result]:
        if isinstance(operation, str):
            operation = load_operation(OPERATIONS / f"{operation}.yaml")
        response = OperationResponse(documents)
        run_operation(operation, self.client, documents, response, context)
        return list(response.results)

    def calls(self, label: str) -> int:
        """How many requests the sandbox saw for a route, e.g. ``POST /Process/bulk``."""
        return int(self.sandbox.stats.requests.get(label, 0))


def load(folder: Path, text: str) -> OperationConfig:
    from tests.engine.helpers import write_operation

    return load_operation(write_operation(folder, text))

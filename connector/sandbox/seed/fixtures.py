"""Records every sandbox holds whatever its seed, with stable ids other tests may rely on.

Listed in docs/sandbox.md. The ids look like Boomi's (lower-case UUIDs, base64 folder ids) but
were chosen by hand, so they never collide with generated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class AtomFixture:
    id: str
    name: str
    type: str
    status: str
    environment_id: str


@dataclass(frozen=True)
class EnvironmentFixture:
    id: str
    name: str
    classification: str


@dataclass(frozen=True)
class ProcessFixture:
    id: str
    name: str
    description: str


PRODUCTION = EnvironmentFixture("4b1f6a0e-2c3d-4e5f-8a9b-0c1d2e3f4a01", "Production", "PROD")
TEST = EnvironmentFixture("4b1f6a0e-2c3d-4e5f-8a9b-0c1d2e3f4a02", "Test", "TEST")
DEVELOPMENT = EnvironmentFixture("4b1f6a0e-2c3d-4e5f-8a9b-0c1d2e3f4a03", "Development", "TEST")
ENVIRONMENTS: Final = (PRODUCTION, TEST, DEVELOPMENT)

PRODUCTION_ATOM = AtomFixture(
    "7c2e9d41-5a6b-4c8d-9e0f-1a2b3c4d5e01", "Production Atom", "ATOM", "ONLINE", PRODUCTION.id
)
TEST_MOLECULE = AtomFixture(
    "7c2e9d41-5a6b-4c8d-9e0f-1a2b3c4d5e02", "Test Molecule", "MOLECULE", "ONLINE", TEST.id
)
DEV_ATOM = AtomFixture(
    "7c2e9d41-5a6b-4c8d-9e0f-1a2b3c4d5e03",
    "Developer Laptop Atom",
    "ATOM",
    "OFFLINE",
    DEVELOPMENT.id,
)
ATOMS: Final = (PRODUCTION_ATOM, TEST_MOLECULE, DEV_ATOM)

ORDER_INTAKE = ProcessFixture(
    "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c01", "Order Intake", "Receives web shop orders."
)
INVOICE_SYNC = ProcessFixture(
    "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c02", "Invoice Sync", "Copies invoices to the ledger."
)
CUSTOMER_MASTER = ProcessFixture(
    "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c03", "Customer Master Data", "Publishes customer changes."
)
INVENTORY_EXPORT = ProcessFixture(
    "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c04", "Nightly Inventory Export", "Exports stock levels."
)
#: Every execution of this process ends in ERROR (seeded records and ExecutionRequests alike).
FAILING_PROCESS = ProcessFixture(
    "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c05", "Failing Order Sync", "Always fails: for tests."
)
PROCESSES: Final = (ORDER_INTAKE, INVOICE_SYNC, CUSTOMER_MASTER, INVENTORY_EXPORT, FAILING_PROCESS)

#: The root folder of the account (``F:1000``) and the folder the fixture processes live in.
ROOT_FOLDER_ID: Final = "RjoxMDAw"
INTEGRATIONS_FOLDER_ID: Final = "RjoxMDAx"
#: The account's main branch (``B:100``).
MAIN_BRANCH_ID: Final = "QjoxMDA"

#: A moment all seeded dates lead up to, so data never depends on the wall clock.
SEED_EPOCH: Final = "2025-06-30T12:00:00Z"

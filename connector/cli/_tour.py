"""The demo's tour as a process for the reference host.

One start document, the environment to create, goes down three branches in turn: it is
created, updated and deleted; its document properties (the account id, a process id that exists
nowhere) feed the Get of the account; and the Get of the missing process, whose error comes back
as a document and feeds the Query of failed executions since the tour last ran. The process
file is written to a temporary folder because its start document carries a fresh environment
name, and its connection file holds no secret: secrets are ``${VAR}`` references answered at
load time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final
from xml.sax.saxutils import quoteattr

from connector.atomsphere.connection import Connection
from connector.host.connections import atomsphere_fields
from connector.xml import API_NS

#: A process id no account has: the tour's application error.
MISSING_PROCESS_ID: Final = "00000000-0000-0000-0000-000000000000"
SECRET_VAR: Final = "ATOMSPHERE_TOUR_SECRET"
OTP_VAR: Final = "ATOMSPHERE_TOUR_OTP"

#: The tour's branches: (step name, operation file, tracking override) in order.
BRANCHES: Final = (
    (
        ("Create an environment", "create-environment", "output"),
        ("Update the environment", "update-environment", ""),
        ("Delete the environment", "delete-environment", ""),
    ),
    (("Get the account", "get-account", ""),),
    (
        ("Read a process that does not exist", "get-process-errors-returned", ""),
        ("Query execution records with a filter", "query-failed-executions", ""),
    ),
)
CREATE: Final = BRANCHES[0][0][0]
DELETE: Final = BRANCHES[0][2][0]


def write_tour(
    folder: Path, name: str, operations: Path, connection: Connection, environment: str
) -> tuple[Path, dict[str, str]]:
    """Write the tour process into ``folder``; returns its path and the ``env`` to load it with."""
    fields = atomsphere_fields(connection)
    env = {SECRET_VAR: connection.secret.reveal()}
    fields["api_token" if connection.auth_type == "token" else "password"] = f"${{{SECRET_VAR}}}"
    if connection.otp:
        fields["otp"] = f"${{{OTP_VAR}}}"
        env[OTP_VAR] = connection.otp.reveal()
    (folder / "connection.yaml").write_text(
        "".join(f"{key}: {json.dumps(value)}\n" for key, value in fields.items()), "utf-8"
    )
    (folder / "environment.xml").write_text(
        f"<bns:Environment xmlns:bns={quoteattr(API_NS)} name={quoteattr(environment)} "
        'classification="TEST"/>',
        "utf-8",
    )
    properties = {"accountId": connection.account_id, "processId": MISSING_PROCESS_ID}
    branches = "".join(
        "".join(
            ("      - - " if i == 0 else "        - ")
            + f"name: {title}\n"
            + f"          operation: {json.dumps(str(operations / f'{file}.yaml'))}\n"
            + (f"          tracking: {tracking}\n" if tracking else "")
            for i, (title, file, tracking) in enumerate(steps)
        )
        for steps in BRANCHES
    )
    process = folder / "tour.yaml"
    process.write_text(
        f"kind: Process\nversion: 1\nname: {name}\n"
        "description: The demo's tour of the example operations.\n"
        "connections:\n  atomsphere: {file: connection.yaml}\n"
        "start:\n  name: Environment to create\n  documents:\n"
        f"    - file: environment.xml\n      properties: {json.dumps(properties)}\n"
        "steps:\n  - name: The tour\n    branch:\n"
        f"{branches}",
        "utf-8",
    )
    return process, env


def created_environment(tracked: bytes | None) -> str | None:
    """The id of the environment a tracked Create output describes."""
    match = re.search(rb'\bid="([^"]+)"', tracked or b"")
    return match.group(1).decode() if match else None


def write_cleanup(folder: Path, name: str, operations: Path, created: bytes) -> Path:
    """A one-step process deleting the environment the tour created and could not delete."""
    (folder / "created.xml").write_bytes(created)
    process = folder / "cleanup.yaml"
    process.write_text(
        f"kind: Process\nversion: 1\nname: {name}-cleanup\n"
        "connections:\n  atomsphere: {file: connection.yaml}\n"
        "start:\n  documents: [{file: created.xml}]\n"
        "steps:\n  - name: Delete the environment\n"
        f"    operation: {json.dumps(str(operations / 'delete-environment.yaml'))}\n",
        "utf-8",
    )
    return process

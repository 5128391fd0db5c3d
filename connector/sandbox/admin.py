"""The admin API under ``/__sandbox/``, for tests that drive a server from another process.

Answered only to loopback clients. ``GET /__sandbox/stats`` (requests per route, statuses,
503s sent, faults fired; ``DELETE`` resets them), ``GET /__sandbox/faults`` (the faults in
force), ``POST /__sandbox/faults`` (body: fault specs, one per line, see
:mod:`connector.sandbox.faults`), ``DELETE /__sandbox/faults`` (clear them all).
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any, Final

from connector.errors import ConfigError
from connector.sandbox.wire import JSON_TYPE, Request, Response

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

PREFIX: Final = "/__sandbox/"


def _json(status: int, value: Any) -> Response:
    body = json.dumps(value, indent=2, sort_keys=True).encode()
    return Response(status, (("Content-Type", JSON_TYPE),), body)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address in ("localhost", "")


def handle(sandbox: Sandbox, request: Request) -> Response:
    if not _loopback(request.client):
        return _json(403, {"message": "the admin API answers loopback clients only"})
    what = request.path[len(PREFIX) :].strip("/")
    if what == "stats":
        if request.method == "GET":
            return _json(200, sandbox.stats.snapshot())
        if request.method == "DELETE":
            sandbox.stats.reset()
            return _json(200, sandbox.stats.snapshot())
    elif what == "faults":
        if request.method == "GET":
            return _json(200, {"faults": sandbox.faults.report()})
        if request.method == "POST":
            specs = request.body.decode("utf-8", "replace").splitlines()
            try:
                sandbox.faults.add(*(s for s in specs if s.strip()))
            except ConfigError as exc:
                return _json(400, {"message": str(exc)})
            return _json(200, {"faults": sandbox.faults.report()})
        if request.method == "DELETE":
            sandbox.faults.clear()
            return _json(200, {"faults": []})
    else:
        return _json(404, {"message": f"no admin resource {what!r} (stats, faults)"})
    return _json(405, {"message": f"{request.method} is not allowed on {request.path}"})

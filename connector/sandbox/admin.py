"""The admin API under ``/__sandbox/``, for tests that drive a server from another process.

Answered only to loopback clients, for a ``Host`` that names the server and from no other
site's page (:mod:`connector.loopback`, as the designer): a page in the user's browser could
otherwise switch faults on. ``GET /__sandbox/stats`` (requests per route, statuses, 503s sent,
faults fired; ``DELETE`` resets them), ``GET /__sandbox/faults`` (the faults in force),
``POST /__sandbox/faults`` (a JSON body ``{"faults": [SPEC, ...]}``, see
:mod:`connector.sandbox.faults`; no other type, so no form can send it), ``DELETE
/__sandbox/faults`` (clear them all).
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any, Final

from connector.errors import ConfigError
from connector.loopback import cross_origin
from connector.sandbox.wire import JSON_TYPE, Request, Response

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

PREFIX: Final = "/__sandbox/"
FAULTS_BODY: Final = 'send JSON (application/json): {"faults": ["SPEC", ...]}'


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
    refused = _refused(request)
    if refused is not None:
        return refused
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
            specs = _specs(request)
            if isinstance(specs, Response):
                return specs
            try:
                sandbox.faults.add(*specs)
            except ConfigError as exc:
                return _json(400, {"message": str(exc)})
            return _json(200, {"faults": sandbox.faults.report()})
        if request.method == "DELETE":
            sandbox.faults.clear()
            return _json(200, {"faults": []})
    else:
        return _json(404, {"message": f"no admin resource {what!r} (stats, faults)"})
    return _json(405, {"message": f"{request.method} is not allowed on {request.path}"})


def _refused(request: Request) -> Response | None:
    """Another name for the server (DNS rebinding), or another site's page."""
    if not request.host_served:
        host = request.header("host").lower()
        return _json(421, {"message": f"not served for host {host!r}"})
    origin = next((value for name, value in request.headers if name == "origin"), None)
    if cross_origin(origin, request.origin):
        return _json(403, {"message": "cross-origin requests are refused"})
    return None


def _specs(request: Request) -> list[str] | Response:
    if request.content_type != JSON_TYPE:
        return _json(415, {"message": FAULTS_BODY})
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return _json(400, {"message": f"the body is not JSON; {FAULTS_BODY}"})
    specs = body.get("faults") if isinstance(body, dict) and len(body) == 1 else None
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        return _json(400, {"message": FAULTS_BODY})
    return specs

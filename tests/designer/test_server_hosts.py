"""Which ``Host`` the designer answers: strict on loopback, the machine's addresses when the user
binds every interface, and never a name an attacker's page could rebind."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.designer.launch import serve_designer
from connector.designer.server import DesignerServer
from connector.sandbox import SandboxConfig
from tests.designer.helpers import ok, refused


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture(
    params=[
        "0.0.0.0",
        pytest.param("::", marks=pytest.mark.skipif(not _ipv6(), reason="no IPv6 here")),
    ]
)
def everywhere(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DesignerServer]:
    config = SandboxConfig(rate_limit=0)
    with serve_designer(tmp_path / "work", host=request.param, sandbox_config=config) as server:
        yield server


def _get(server: DesignerServer, host: str) -> httpx.Response:
    """``GET /api/connection`` over loopback, as a browser that reached ``host`` sends it."""
    url = f"http://127.0.0.1:{server.port}/api/connection"
    return httpx.get(url, headers={"Host": host}, timeout=60)


def test_bound_to_every_interface_it_answers_the_machines_addresses_and_loopback_names(
    everywhere: DesignerServer,
) -> None:
    port = everywhere.port
    for host in (
        f"192.168.1.5:{port}",  # the LAN address a colleague's browser uses
        f"10.0.0.7:{port}",
        f"[fe80::1]:{port}",
        f"[2001:db8::5]:{port}",
        f"localhost:{port}",
        f"127.0.0.1:{port}",
        f"[::1]:{port}",
        f"0.0.0.0:{port}",
        f"{socket.gethostname().upper()}:{port}",
    ):
        assert ok(_get(everywhere, host))["kind"] == "sandbox", host
    # The address it prints opens in a browser (0.0.0.0 does not, in all of them).
    assert everywhere.url in (f"http://127.0.0.1:{port}/", f"http://[::1]:{port}/")
    assert httpx.get(everywhere.url, timeout=60).status_code == 200


def test_bound_to_every_interface_it_still_refuses_names_and_other_ports(
    everywhere: DesignerServer,
) -> None:
    port = everywhere.port
    for host in (
        f"evil.example:{port}",  # DNS rebinding: the attacker's name, resolved to this machine
        f"192.168.1.5.nip.io:{port}",
        f"192.168.1.5:{port + 1}",
        "192.168.1.5",
        f"::1:{port}",  # an IPv6 address only in brackets
        f"[evil]:{port}",
        "",
    ):
        refused(_get(everywhere, host), 421, "not served for host")


def test_bound_to_every_interface_a_post_must_come_from_the_page_of_the_same_address(
    everywhere: DesignerServer,
) -> None:
    url = f"http://127.0.0.1:{everywhere.port}/api/run"
    here = f"192.168.1.5:{everywhere.port}"
    body = {"name": "p", "shapes": [{"kind": "start"}, {"kind": "end"}]}
    same = {"Host": here, "Origin": f"http://{here}"}
    assert ok(httpx.post(url, json=body, headers=same, timeout=60))["status"] == "COMPLETE"
    for origin in (f"http://192.168.1.6:{everywhere.port}", "http://evil.example", "null"):
        other = {"Host": here, "Origin": origin}
        refused(httpx.post(url, json=body, headers=other, timeout=60), 403, "cross-origin")


def test_bound_to_loopback_only_loopback_names_are_answered(server: DesignerServer) -> None:
    port = server.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert ok(_get(server, host))["kind"] == "sandbox", host
    machine = socket.gethostname().lower()
    for host in (
        f"192.168.1.5:{port}",
        f"0.0.0.0:{port}",
        f"[fe80::1]:{port}",
        *([f"{machine}:{port}"] if machine != "localhost" else []),
        f"evil.example:{port}",
        f"localhost:{port + 1}",
    ):
        refused(_get(server, host), 421, "not served for host")

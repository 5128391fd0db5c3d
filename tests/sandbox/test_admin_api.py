"""The admin API answers the user's own tools only: no other site's page in their browser (a
simple cross-site ``POST``), no other name for the server (DNS rebinding), JSON writes only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox, SandboxConfig, fixtures

AUTH = (DEFAULT_USERNAME, DEFAULT_PASSWORD)


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    with sandbox.serve() as url:
        yield sandbox, url.split("/api/")[0]


def _atom_status(sandbox: Sandbox, root: str) -> int:
    atom = f"{root}{sandbox.rest_path}/Atom/{fixtures.PRODUCTION_ATOM.id}"
    return httpx.get(atom, auth=AUTH).status_code


def test_a_cross_site_simple_post_switches_no_fault_on(served: tuple[Sandbox, str]) -> None:
    sandbox, root = served
    for headers in (
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "null", "Content-Type": "text/plain"},
        {"Origin": "http://evil.example", "Content-Type": "application/json"},
    ):
        body = '{"faults": ["503:path=*"]}' if "json" in headers["Content-Type"] else "503:path=*"
        answer = httpx.post(f"{root}/__sandbox/faults", content=body, headers=headers)
        assert answer.status_code == 403
        assert answer.json() == {"message": "cross-origin requests are refused"}
    assert sandbox.faults.report() == []
    assert _atom_status(sandbox, root) == 200


def test_a_write_that_is_not_json_is_refused(served: tuple[Sandbox, str]) -> None:
    sandbox, root = served
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        answer = httpx.post(
            f"{root}/__sandbox/faults", content="503:path=*", headers={"Content-Type": content_type}
        )
        assert answer.status_code == 415
        assert answer.json()["message"] == (
            'send JSON (application/json): {"faults": ["SPEC", ...]}'
        )
    for body in ("503:path=*", '["503:path=*"]', '{"faults": "503:path=*"}', '{"faults": [1]}'):
        answer = httpx.post(
            f"{root}/__sandbox/faults", content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400, body
    assert sandbox.faults.report() == []


def test_another_name_for_the_server_is_refused(served: tuple[Sandbox, str]) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: 421, reads and writes alike."""
    sandbox, root = served
    port = root.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", ""):
        for method, url in (("GET", "stats"), ("POST", "faults"), ("DELETE", "faults")):
            answer = httpx.request(
                method,
                f"{root}/__sandbox/{url}",
                json={"faults": ["503:path=*"]} if method == "POST" else None,
                headers={"Host": host},
            )
            assert answer.status_code == 421, (host, method)
            assert answer.json() == {"message": f"not served for host {host!r}"}
    assert sandbox.faults.report() == []
    assert _atom_status(sandbox, root) == 200


def test_the_users_own_tools_are_answered_by_any_loopback_name(
    served: tuple[Sandbox, str],
) -> None:
    _sandbox, root = served
    port = root.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        same_origin = {"Host": host, "Origin": f"http://{host}"}
        for headers in ({"Host": host}, same_origin):
            added = httpx.post(
                f"{root}/__sandbox/faults", json={"faults": ["latency:seconds=0"]}, headers=headers
            )
            assert added.status_code == 200, (host, headers)
            assert httpx.delete(f"{root}/__sandbox/faults", headers=headers).status_code == 200
    assert httpx.get(f"{root}/__sandbox/stats").status_code == 200


def test_in_process_the_origin_is_checked_too() -> None:
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.test") as client:
        evil = {"Origin": "http://evil.example"}
        refused = client.post("/__sandbox/faults", json={"faults": ["503"]}, headers=evil)
        assert refused.status_code == 403
        ours = {"Origin": "http://sandbox.test"}
        added = client.post("/__sandbox/faults", json={"faults": ["503"]}, headers=ours)
        assert added.status_code == 200 and added.json()["faults"][0]["spec"] == "503:path=*"

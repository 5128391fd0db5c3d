"""The loopback server refuses bad credentials, other accounts, oversized bodies and absurd
headers with Boomi's error bodies, and a well-behaved client beside it keeps its answers."""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_TOKEN,
    DEFAULT_UNPRIVILEGED_USERNAME,
    fixtures,
)
from connector.sandbox import auth as sandbox_auth
from connector.sandbox.auth import FORBIDDEN_MESSAGE, UNAUTHORIZED_MESSAGE, authenticate
from connector.sandbox.config import SandboxConfig
from connector.sandbox.stats import REFUSED_LABEL
from connector.xml import SAFE_PARSER
from tests.sandbox.hostile import (
    AUTH,
    GUARD,
    Served,
    answer,
    basic,
    connect,
    good_calls,
    head,
    hung_up,
    serve,
)

LIMIT = 64 * 1024
USER, PASSWORD = AUTH
PROCESS = f"/Process/{fixtures.ORDER_INTAKE.id}"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serve(max_body_bytes=LIMIT, validate_responses=True) as made:
        yield made


def _boomi_error(body: bytes) -> str:
    root = etree.fromstring(body, parser=SAFE_PARSER)
    assert root.tag == "error"
    return str(root.findtext("message"))


WRONG_CREDENTIALS = {
    "wrong password": basic(USER, "sandbox-passwore"),
    "wrong user": basic("someone@example.com", PASSWORD),
    "wrong token": basic(f"BOOMI_TOKEN.{USER}", "sandbox-tokem"),
    "token for password": basic(USER, DEFAULT_API_TOKEN),
    "password for token": basic(f"BOOMI_TOKEN.{USER}", PASSWORD),
    "empty": basic("", ""),
    "not base64": "Authorization: Basic %%%",
    "no colon": "Authorization: Basic " + base64.b64encode(USER.encode()).decode(),
    "bearer": "Authorization: Bearer sandbox-token",
    "none": "X-Nothing: 1",
}


def test_wrong_credentials_get_one_401_whichever_part_is_wrong(served: Served) -> None:
    bodies = set()
    for name, header in WRONG_CREDENTIALS.items():
        with connect(served) as sock:
            sock.sendall(head(served, "GET", PROCESS, header))
            got = answer(sock)
        assert got.status == 401, name
        assert got.getheader("WWW-Authenticate") == 'Basic realm="AtomSphere"', name
        bodies.add(got.body)  # type: ignore[attr-defined]
        good_calls(served, 1)
    assert len(bodies) == 1  # no hint which part was wrong
    assert _boomi_error(bodies.pop()) == UNAUTHORIZED_MESSAGE


class _Spy:
    def __init__(self) -> None:
        self.lengths: list[tuple[int, int]] = []
        self._compare = hmac.compare_digest

    def __call__(self, a: bytes, b: bytes) -> bool:
        self.lengths.append((len(a), len(b)))
        return self._compare(a, b)


@pytest.mark.parametrize(
    ("user", "secret"),
    [
        (USER, "x"),
        ("x", PASSWORD),
        ("x", "y" * 500),
        (f"BOOMI_TOKEN.{USER}", "wrong"),
        (USER, PASSWORD),
        (DEFAULT_UNPRIVILEGED_USERNAME, PASSWORD),
    ],
)
def test_every_check_compares_name_and_secret_as_equal_length_digests(
    monkeypatch: pytest.MonkeyPatch, user: str, secret: str
) -> None:
    spy = _Spy()
    monkeypatch.setattr(sandbox_auth.hmac, "compare_digest", spy)
    header = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
    authenticate(SandboxConfig(), header)
    # the secret, the user and the unprivileged user: always all three, never short-circuited
    assert spy.lengths == [(32, 32)] * 3


def test_another_accounts_id_is_forbidden_and_asks_for_credentials_first(served: Served) -> None:
    other = served.url.replace(DEFAULT_ACCOUNT_ID, "someone-else-X9Y8Z7")
    assert other != served.url
    with httpx.Client(base_url=other, timeout=GUARD) as client:
        forbidden = client.get(PROCESS, auth=AUTH)
        assert forbidden.status_code == 403
        assert _boomi_error(forbidden.content) == FORBIDDEN_MESSAGE
        json_forbidden = client.post(
            "/Environment/query", auth=AUTH, headers={"Accept": "application/json"}
        )
        assert json_forbidden.status_code == 403
        assert json_forbidden.json() == {"@type": "Error", "message": FORBIDDEN_MESSAGE}
        anonymous = client.get(PROCESS, auth=(USER, "wrong"))
        assert anonymous.status_code == 401  # nothing said about that account
        good_calls(served, 2)


def _query_body(size: int) -> bytes:
    """A valid QueryConfig padded with trailing whitespace to exactly ``size`` bytes."""
    core = b'<QueryConfig xmlns="http://api.platform.boomi.com/"><QueryFilter/></QueryConfig>'
    return core + b" " * (size - len(core))


def test_a_body_at_the_limit_is_served_and_one_byte_more_is_413(served: Served) -> None:
    with httpx.Client(base_url=served.url, auth=AUTH, timeout=GUARD) as client:
        headers = {"Content-Type": "application/xml"}
        at_limit = client.post("/Environment/query", content=_query_body(LIMIT), headers=headers)
        assert at_limit.status_code == 200 and b"Production" in at_limit.content
    with connect(served) as sock:
        sock.sendall(head(served, "POST", "/Environment/query", basic(*AUTH),
                          f"Content-Length: {LIMIT + 1}"))  # fmt: skip
        got = answer(sock)  # answered before a byte of the body was sent
        assert got.status == 413 and got.getheader("Connection") == "close"
        assert _boomi_error(got.body) == f"Request body too large: the limit is {LIMIT} bytes."  # type: ignore[attr-defined]
        assert hung_up(sock)
    good_calls(served, 2)
    stats = served.sandbox.stats.snapshot()
    assert stats["requests"][REFUSED_LABEL] == 1 and stats["statuses"]["413"] == 1


@pytest.mark.parametrize("length", ["99999999999", "9" * 5000])
def test_a_huge_content_length_without_a_body_is_413_in_json_when_asked(
    served: Served, length: str
) -> None:
    with connect(served) as sock:
        sock.sendall(head(served, "POST", "/Environment/query", "Accept: application/json",
                          f"Content-Length: {length}"))  # fmt: skip
        got = answer(sock)
        assert got.status == 413
        assert json.loads(got.body)["@type"] == "Error"  # type: ignore[attr-defined]
        assert hung_up(sock)
    good_calls(served, 1)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (("Content-Length: abc",), 400),
        (("Content-Length: -5",), 400),
        (("Content-Length: 10", "Content-Length: 20"), 400),
        (("Content-Length: \u0661\u0662".encode().decode("latin-1"),), 400),
        (("Transfer-Encoding: chunked",), 411),
    ],
    ids=["letters", "negative", "two-lengths", "non-ascii-digits", "chunked"],
)
def test_a_bad_or_missing_length_is_refused_with_boomis_error(
    served: Served, headers: tuple[str, ...], status: int
) -> None:
    with connect(served) as sock:
        sock.sendall(head(served, "POST", "/Environment/query", basic(*AUTH), *headers))
        sock.sendall(b"5\r\nhello\r\n0\r\n\r\n")
        got = answer(sock)
        assert got.status == status
        assert _boomi_error(got.body)  # type: ignore[attr-defined]
        assert hung_up(sock)  # the rest is never read as another request
    good_calls(served, 1)


def test_a_refusal_before_the_headers_ignores_the_previous_requests_accept(
    served: Served,
) -> None:
    with connect(served) as sock:
        sock.sendall(head(served, "GET", PROCESS, basic(*AUTH), "Accept: application/json"))
        assert answer(sock).getheader("Content-Type", "").startswith("application/json")
        sock.sendall(head(served, "GET", "/Process/" + "a" * 70_000, "Accept: application/json"))
        refused = answer(sock)
        assert refused.status == 414  # its own Accept was never read: XML, as documented
        assert _boomi_error(refused.body) == "Request-URI Too Long"  # type: ignore[attr-defined]
        assert hung_up(sock)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (lambda s: head(s, "GET", "/Process/" + "a" * 70_000, basic(*AUTH)), 414),
        (lambda s: head(s, "GET", PROCESS, basic(*AUTH), "X-Big: " + "b" * 70_000), 431),
        (lambda s: head(s, "GET", PROCESS, *(f"X-H{n}: {n}" for n in range(150))), 431),
        (lambda s: b"BREW /coffee HTTP/9.9\r\n\r\n", 505),
        (lambda s: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    ],
    ids=["long-request-line", "long-header-line", "too-many-headers", "bad-version", "tls"],
)
def test_absurd_request_heads_are_refused_with_boomis_error(
    served: Served, request_bytes: object, status: int
) -> None:
    with connect(served) as sock:
        sock.sendall(request_bytes(served))  # type: ignore[operator]
        got = answer(sock)
        assert got.status == status
        assert _boomi_error(got.body)  # type: ignore[attr-defined]
        assert hung_up(sock)
    good_calls(served, 1)

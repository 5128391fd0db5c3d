"""Fault injection: grammar, every kind in-process, per path and method, reproducible."""

from __future__ import annotations

import dataclasses
import math
import re

import httpx
import pytest
from lxml import etree

from connector.cli import main
from connector.errors import ConfigError
from connector.sandbox import FaultKind, FaultRule, Faults, Sandbox, fixtures, parse_fault_spec
from connector.sandbox.faults import ALIASES, KINDS, MAX_LATENCY_SECONDS, OPTIONS
from connector.xml import SAFE_PARSER
from tests.conftest import ROOT
from tests.sandbox.conftest import FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import NS, error_message, xml

PROCESS = f"/Process/{fixtures.ORDER_INTAKE.id}"
DOCS = ROOT / "docs" / "sandbox.md"


def test_spec_grammar_round_trips() -> None:
    rule = parse_fault_spec("503:path=/ExecutionRecord/*,times=3,method=post")
    assert rule == FaultRule(FaultKind.BUSY, path="/ExecutionRecord/*", times=3, method="POST")
    assert parse_fault_spec(rule.spec) == rule
    assert parse_fault_spec("busy").kind is FaultKind.BUSY
    assert parse_fault_spec("latency:seconds=0.25").seconds == 0.25


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("explode", "unknown kind"),
        ("503:colour=red", "unknown key"),
        ("503:times", "not key=value"),
        ("503:times=many", "not valid"),
        ("503:probability=2", "probability"),
        ("html:status=100", "status"),
        ("reset:at=middle", "at must be"),
    ],
)
def test_bad_specs_are_config_errors(spec: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_fault_spec(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("latency:seconds=nan", "seconds='nan' is not valid (expected a finite number)"),
        ("latency:seconds=inf", "seconds='inf' is not valid (expected a finite number)"),
        ("latency:seconds=1e400", "seconds='1e400' is not valid (expected a finite number)"),
        ("latency:seconds=3601", "seconds must be between 0 and 3600"),
        ("latency:seconds=-0.5", "seconds must be between 0 and 3600"),
        ("503:probability=nan", "probability='nan' is not valid (expected a finite number)"),
        ("503:times=many", "times='many' is not valid (expected a whole number)"),
        ("latency:seconds=1,seconds=2", "key 'seconds' is given more than once"),
        ("503:times=1,TIMES=1", "key 'times' is given more than once"),
        ("503:times=0", "times must be >= 1 (leave it out for no limit)"),
    ],
)
def test_out_of_range_values_and_repeated_keys_are_refused_naming_spec_and_key(
    spec: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_fault_spec(spec)
    assert str(refused.value) == f"fault {spec!r}: {message}"  # the spec as written


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": FaultKind.LATENCY, "seconds": math.nan},
        {"kind": FaultKind.LATENCY, "seconds": math.inf},
        {"kind": FaultKind.BUSY, "probability": math.nan},
        {"kind": FaultKind.BUSY, "times": 0},
    ],
)
def test_rules_built_in_python_refuse_values_that_would_fail_a_request(
    rule: dict[str, object],
) -> None:
    with pytest.raises(ConfigError):
        FaultRule(**rule)  # type: ignore[arg-type]


def test_the_longest_latency_is_served(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock)
    sandbox.faults.add(f"latency:seconds={MAX_LATENCY_SECONDS:g},times=1")
    with make_client(sandbox, timeout=None) as client:
        assert client.get(PROCESS).status_code == 200
    assert clock.slept == [MAX_LATENCY_SECONDS]


@pytest.mark.parametrize(
    ("spec", "key", "kind"),
    [
        ("503:at=body", "at", "503"),
        ("latency:at=start", "at", "latency"),  # even the default value would mean nothing
        ("truncate:path=/Atom/*,at=body", "at", "truncate"),
        ("busy:seconds=2", "seconds", "503"),
        ("reset:status=504", "status", "reset"),
    ],
)
def test_a_key_that_means_nothing_for_the_kind_is_refused(spec: str, key: str, kind: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_fault_spec(spec)
    assert f"option {key!r} does not apply to kind {kind!r}" in str(refused.value)


def test_rules_built_in_python_refuse_a_key_of_another_kind_too() -> None:
    with pytest.raises(ConfigError, match="option 'at' does not apply to kind '503'"):
        FaultRule(FaultKind.BUSY, at="body")
    assert FaultRule(FaultKind.RESET, at="body").at == "body"
    assert parse_fault_spec("reset:at=start") == FaultRule(FaultKind.RESET)


def test_the_option_table_covers_every_field_of_a_rule() -> None:
    fields = [f.name for f in dataclasses.fields(FaultRule) if f.name != "kind"]
    assert [option.name for option in OPTIONS] == fields
    assert set(KINDS) == set(FaultKind)


def test_help_and_docs_list_every_fault_kind_and_key(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out.split("fault SPEC:", 1)[1]
    section = re.split(r"\n##+ ", DOCS.read_text("utf-8").split("## Fault injection\n", 1)[1])[0]
    names = [kind.value for kind in FaultKind] + list(ALIASES)
    for name in names:
        assert re.search(rf"^  (\S+, )*{re.escape(name)}\b", shown, re.MULTILINE), name
        assert f"`{name}`" in section, name
    documented = set(re.findall(r"^\| `([^`]+)`", section, re.MULTILINE))
    assert documented == {kind.value for kind in FaultKind}
    for option in OPTIONS:
        assert re.search(rf"^  {option.name}=", shown, re.MULTILINE), option.name
        assert f"`{option.name}`" in section, option.name


def test_help_says_in_words_what_an_empty_default_means(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: None)" not in out and "(default: [])" not in out
    assert "(default: in memory, lost on exit)" in out and "(default: 127.0.0.1)" in out


def test_a_burst_of_503_on_one_path_only(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("503:path=/Process/*,times=2")
    assert [client.get(PROCESS).status_code for _ in range(3)] == [503, 503, 200]
    assert client.get(f"/Environment/{fixtures.PRODUCTION.id}").status_code == 200
    sandbox.faults.add("503:times=1")
    assert "rate limits" in error_message(client.get(PROCESS))


def test_method_after_and_every(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("503:method=POST,after=1,every=2")
    codes = [client.post("/Environment/query").status_code for _ in range(6)]
    assert codes == [200, 200, 503, 200, 503, 200]  # after 1: the 2nd and 4th calls of the rest
    assert client.get(PROCESS).status_code == 200


def test_every_n_fires_on_the_nth_call(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("503:every=3")
    codes = [client.get(PROCESS).status_code for _ in range(7)]
    assert codes == [200, 200, 503, 200, 200, 503, 200]


def test_probability_is_reproducible_with_the_seed(clock: FakeClock) -> None:
    def pattern() -> list[int]:
        sandbox = make_sandbox(clock, seed=42)
        sandbox.faults.add("503:probability=0.5")
        with make_client(sandbox) as client:
            return [client.get(PROCESS).status_code for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert {200, 503} == set(first)


def test_reset_raises_what_httpx_raises_for_a_reset(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("reset:times=1")
    with pytest.raises(httpx.ReadError):
        client.get(PROCESS)
    assert client.get(PROCESS).status_code == 200


def test_reset_mid_body_after_the_request_took_effect(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.faults.add("reset:at=body,method=POST,times=1", "reset:at=body,method=DELETE")
    body = b'<Environment xmlns="http://api.platform.boomi.com/" name="Lost answer"/>'
    with client.stream("POST", "/Environment", content=body) as response:
        assert response.status_code == 200  # the headers came through
        with pytest.raises(httpx.ReadError, match="reset"):
            response.read()
    query = (
        b'{"QueryFilter":{"expression":{"operator":"EQUALS","property":"name",'
        b'"argument":["Lost answer"]}}}'
    )
    found = client.post(
        "/Environment/query", content=query, headers={"Content-Type": "application/json"}
    )
    assert found.status_code == 200 and xml(found).get("numberOfResults") == "1"
    created = xml(found).find("bns:result", NS)
    assert created is not None
    with pytest.raises(httpx.ReadError):  # no body to cut: reset before the headers
        client.delete(f"/Environment/{created.get('id')}")
    assert client.get(f"/Environment/{created.get('id')}").status_code == 400


def test_truncated_body_fails_while_reading(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("truncate:times=1")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(PROCESS)


def test_malformed_body_is_not_xml(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("malformed:times=1")
    response = client.get(PROCESS)
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content, parser=SAFE_PARSER)


def test_html_gateway_page(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("html:status=504,times=1")
    response = client.get(PROCESS)
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/html")
    assert b"Gateway Time-out" in response.content


def test_html_page_with_a_success_status(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("html:status=200,times=1")
    response = client.get(PROCESS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_latency_beyond_the_read_timeout_times_out(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock)
    sandbox.faults.add("latency:seconds=30,times=1")
    with make_client(sandbox, timeout=5.0) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(PROCESS)
        assert clock.slept == [5.0]
        assert client.get(PROCESS).status_code == 200


def test_latency_uses_the_injected_sleep(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock)
    sandbox.faults.add("latency:seconds=0.3,path=/Process/*")
    with make_client(sandbox) as client:
        assert client.get(PROCESS).status_code == 200
        client.post("/Environment/query")
    assert clock.slept == [0.3]


def test_expired_query_token(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("expire-token:path=*/queryMore,times=1")
    token = xml(client.post("/ExecutionRecord/query")).findtext("bns:queryToken", namespaces=NS)
    assert token
    expired = client.post("/ExecutionRecord/queryMore", content=token)
    assert expired.status_code == 400 and "expired" in error_message(expired)


def test_repeated_query_token(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("repeat-token:path=*/queryMore,times=1")
    first = xml(client.post("/ExecutionRecord/query"))
    token = first.findtext("bns:queryToken", namespaces=NS)
    assert token
    again = xml(client.post("/ExecutionRecord/queryMore", content=token))
    assert again.findtext("bns:queryToken", namespaces=NS) == token
    page_one = first.findall("bns:result/bns:executionId", NS)
    page_two = again.findall("bns:result/bns:executionId", NS)
    assert page_two and page_two[0].text not in {e.text for e in page_one}
    normal = xml(client.post("/ExecutionRecord/queryMore", content=token))
    assert normal.findtext("bns:queryToken", namespaces=NS) not in (None, token)


@pytest.mark.parametrize("kind", ["expire-token", "repeat-token"])
def test_token_faults_match_only_queries_that_page_on(
    sandbox: Sandbox, client: httpx.Client, kind: str
) -> None:
    sandbox.faults.add(f"{kind}:times=1")
    first = client.post("/ExecutionRecord/query")
    assert first.status_code == 200
    token = xml(first).findtext("bns:queryToken", namespaces=NS)
    assert token
    client.get(PROCESS)
    more = client.post(
        "/ExecutionRecord/queryMore", content=token, headers={"Content-Type": "text/plain"}
    )
    if kind == "expire-token":
        assert more.status_code == 400 and "expired" in error_message(more)
    else:
        assert xml(more).findtext("bns:queryToken", namespaces=NS) == token
    assert sandbox.faults.report() == [{"spec": f"{kind}:path=*,times=1", "seen": 1, "fired": 1}]
    assert sandbox.stats.snapshot()["faultsInjected"] == 1


def test_a_token_fault_does_not_shadow_the_rules_after_it(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.faults.add("expire-token", "503:times=1")
    environment = f"/Environment/{fixtures.PRODUCTION.id}"
    assert client.get(environment).status_code == 503
    assert client.get(environment).status_code == 200
    assert sandbox.faults.report() == [
        {"spec": "expire-token:path=*", "seen": 0, "fired": 0},
        {"spec": "503:path=*,times=1", "seen": 2, "fired": 1},
    ]
    assert sandbox.stats.snapshot()["faultsInjected"] == 1


def test_token_faults_skip_calls_not_routed_to_query_more() -> None:
    faults = Faults(seed=3)
    faults.add("repeat-token:path=*/queryMore")
    full = "/api/rest/v1/acct/Atom/queryMore"
    assert faults.pick("POST", "/Atom/queryMore", full) is None
    assert faults.report()[0]["seen"] == 0
    assert faults.pick("POST", "/Atom/queryMore", full, query_more=True) is not None


def test_faults_are_listed_counted_and_cleared(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("503:times=1", FaultRule(FaultKind.LATENCY, seconds=0))
    client.get(PROCESS)
    report = sandbox.faults.report()
    assert report[0] == {"spec": "503:path=*,times=1", "seen": 1, "fired": 1}
    assert sandbox.stats.snapshot()["faultsInjected"] == 1
    sandbox.faults.clear()
    assert sandbox.faults.rules == ()


def test_faults_object_is_standalone() -> None:
    faults = Faults(seed=3)
    faults.add("reset:path=/api/rest/v1/*/Atom/*")
    assert faults.pick("GET", "/Atom/1", "/api/rest/v1/acct/Atom/1") is not None
    assert faults.pick("GET", "/Process/1", "/api/rest/v1/acct/Process/1") is None

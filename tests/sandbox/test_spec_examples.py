"""Every well-formed request example of Boomi's spec, sent to the sandbox, is answered with a
response that validates against the generated XSD (errors: the unqualified schema). Examples
the sandbox refuses are listed, with the reason, in data/spec_request_examples_refused.tsv."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from connector.atomsphere.catalog import unqualified_schema, xml_schema
from connector.xml import SAFE_PARSER
from tests.sandbox.conftest import make_client, make_sandbox
from tests.sandbox.spec_requests import Example, path_for, refused, sendable_examples


def _send(example: Example) -> httpx.Response:
    sandbox = make_sandbox()
    with make_client(sandbox) as client:
        headers = {"Content-Type": example.content_type, "Accept": "application/xml"}
        return client.request(
            example.method, path_for(sandbox, example), content=example.body, headers=headers
        )


def _answers() -> dict[str, httpx.Response]:
    return {example.file: _send(example) for example in sendable_examples()}


@pytest.fixture(scope="module")
def answers() -> dict[str, httpx.Response]:
    return _answers()


def test_every_request_example_is_sent(answers: dict[str, httpx.Response]) -> None:
    assert len(answers) == 230 + 217 + 7


def test_every_xml_answer_validates_against_the_schema(
    answers: dict[str, httpx.Response],
) -> None:
    for name, response in answers.items():
        if not response.content:
            assert response.status_code in (200, 202, 204), name
            continue
        root = etree.fromstring(response.content, parser=SAFE_PARSER)
        schema = xml_schema() if etree.QName(root).namespace else unqualified_schema()
        assert schema.validate(root), (name, str(schema.error_log))


def test_examples_are_accepted_except_the_reviewed_refusals(
    answers: dict[str, httpx.Response],
) -> None:
    refusals = {name: r.text for name, r in answers.items() if r.status_code >= 400}
    reviewed = refused()
    unexpected = {k: v for k, v in refusals.items() if k not in reviewed}
    now_accepted = sorted(set(reviewed) - set(refusals))
    assert not unexpected, f"refused but not reviewed: {unexpected}"
    assert not now_accepted, f"reviewed as refused but now accepted: {now_accepted}"


def test_every_reviewed_refusal_has_a_reason() -> None:
    for name, reason in refused().items():
        assert len(reason) > 20, name

"""Boomi's request examples from the spec, and how to send each to the sandbox."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from connector.sandbox import Sandbox, fixtures
from tests.conftest import REFERENCE

EXAMPLES = REFERENCE / "spec-examples"
REFUSED = Path(__file__).parent / "data" / "spec_request_examples_refused.tsv"
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Example:
    file: str
    method: str
    path: str
    content_type: str

    @property
    def body(self) -> bytes:
        return (EXAMPLES / self.file).read_bytes()

    @property
    def object_name(self) -> str:
        parts = self.path.strip("/").split("/")
        return parts[1] if parts[0] == "async" else parts[0]


def sendable_examples() -> list[Example]:
    """Every well-formed request example (XML, JSON and the text/plain queryMore tokens)."""
    with (EXAMPLES / "INDEX.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        Example(r["file"], r["http_method"], r["path"], r["content_type"])
        for r in rows
        if r["kind"] == "request" and r["well_formed"] in ("yes", "")
    ]


def refused() -> dict[str, str]:
    lines = REFUSED.read_text("utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))


def path_for(sandbox: Sandbox, example: Example) -> str:
    """The example's path with its parameters filled by records that exist."""
    info = sandbox.catalog.object(example.object_name)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "executionId":
            return "execution-00000000-0000-4000-8000-000000000000-2025.06.30"
        if example.path.startswith("/async/") or name == "containerId":
            return fixtures.PRODUCTION_ATOM.id
        collection = sandbox.store.collection(sandbox.seed.collection_name(info.name))
        return collection.first_key() or fixtures.PRODUCTION_ATOM.id

    return _PARAM.sub(fill, example.path)

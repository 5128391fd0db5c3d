"""``atomsphere`` top level and ``atomsphere catalog``."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from connector import __version__
from connector.atomsphere.catalog import data_dir
from connector.cli import main
from tests.conftest import ORDER_XSD, SPEC_PATH

#: ``catalog generate`` as the committed catalog was generated.
GENERATE = ["catalog", "generate", "--spec", str(SPEC_PATH), "--element-order", str(ORDER_XSD)]


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "catalog" in out and "Exit codes" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"atomsphere {__version__}"


def test_objects_json_lists_every_object_with_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "objects", "--json"]) == 0
    objects = json.loads(capsys.readouterr().out)
    assert len(objects) == 117
    environment = next(o for o in objects if o["name"] == "Environment")
    assert environment["actions"] == ["GET", "QUERY", "CREATE", "UPDATE", "DELETE"]
    assert environment["bulk_limit"] == 100


def test_objects_table_and_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "objects", "--action", "execute"]) == 0
    out = capsys.readouterr().out
    assert "ExecutionRequest" in out and "Environment " not in out


def test_show_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "executionrecord"]) == 0
    out = capsys.readouterr().out
    assert "/ExecutionRecord/queryMore" in out
    assert "executionTime" in out and "xs:dateTime" in out
    assert "Query operators: EQUALS" in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "Environment", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {f["name"] for f in data["fields"]} >= {"id", "name", "classification"}


def test_unknown_object_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "Enviroment"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: unknown object 'Enviroment' (did you mean Environment, EnvironmentRole, Event?)"
    ]


def test_generate_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*GENERATE, "--check"]) == 0
    out = tmp_path / "out"
    assert main([*GENERATE, "--out", str(out)]) == 0
    assert "in the element order of" in capsys.readouterr().err
    for name in ("catalog.json", "atomsphere.xsd", "atomsphere-unqualified.xsd"):
        assert (out / name).read_bytes() == (data_dir() / name).read_bytes()
    (out / "atomsphere.xsd").write_text("stale")
    assert main([*GENERATE, "--out", str(out), "--check"]) == 1
    assert "atomsphere.xsd" in capsys.readouterr().err


def test_generate_without_the_element_order_is_not_the_committed_catalog(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "generate", "--spec", str(SPEC_PATH), "--check"]) == 1
    assert "catalog.json, atomsphere.xsd" in capsys.readouterr().err


def test_generate_help_documents_the_element_order(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["catalog", "generate", "--help"])
    assert "--element-order XSD_PATH_OR_URL" in capsys.readouterr().out


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


ORDER_MISTAKES: dict[str, tuple[Callable[[Path], str], str]] = {
    "missing file": (lambda d: str(d / "none.xsd"), "XSD file not found"),
    "a folder": (lambda d: str(d), "cannot read XSD: Is a directory"),
    "not XML": (
        lambda d: _write(d / "bad.xsd", "<schema"),
        "not well-formed XML: ",  # then libxml2's own words, which vary by version
    ),
    "not an XSD": (
        lambda d: _write(d / "wsdl.xml", "<definitions/>"),
        "not an XML Schema (the root is 'definitions')",
    ),
    "an XSD without complex types": (
        lambda d: _write(
            d / "empty.xsd", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>'
        ),
        "the XSD names no complexType to take an order from",
    ),
}


@pytest.mark.parametrize("mistake", sorted(ORDER_MISTAKES))
def test_a_bad_element_order_xsd_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mistake: str
) -> None:
    make, message = ORDER_MISTAKES[mistake]
    location = make(tmp_path)
    out = tmp_path / "out"
    assert main([*GENERATE[:-1], location, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {location}: {message}") and len(err.splitlines()) == 1
    assert not out.exists()


def test_generate_from_a_bad_spec_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "spec.json"
    bad.write_text('{"openapi": "3.0.3",')
    assert main(["catalog", "generate", "--spec", str(bad), "--out", str(tmp_path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["catalog", "generate", "--spec", str(tmp_path / "none.json")]) == 2


def test_console_script_is_installed() -> None:
    exe = shutil.which("atomsphere") or str(Path(sys.executable).with_name("atomsphere"))
    done = subprocess.run([exe, "catalog", "objects"], capture_output=True, text=True, check=True)
    assert "117 objects" in done.stderr


@cache
def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text("utf-8"))
    return data


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    spec = copy.deepcopy(_spec())
    change(spec)
    return spec


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


_QUERY_BODY = ("paths", "/Account/query", "post", "requestBody", "content", "application/xml")
SPEC_MISTAKES = {
    "dangling property $ref": (
        lambda s: _schemas(s)["Account"]["properties"].update(
            {"plan": {"$ref": "#/components/schemas/NoSuchType"}}
        ),
        "components.schemas.Account.properties.plan: $ref '#/components/schemas/NoSuchType' "
        "names no schema",
    ),
    "dangling array item $ref": (
        lambda s: _schemas(s)["Account"]["properties"].update(
            {"plans": {"type": "array", "items": {"$ref": "#/components/schemas/NoSuchType"}}}
        ),
        "components.schemas.Account.properties.plans.items: $ref "
        "'#/components/schemas/NoSuchType' names no schema",
    ),
    "dangling allOf base": (
        lambda s: _schemas(s)["Account"].update(
            {"allOf": [{"$ref": "#/components/schemas/NoSuchBase"}]}
        ),
        "components.schemas.Account.allOf[0]: $ref '#/components/schemas/NoSuchBase' names no "
        "schema",
    ),
    "dangling body $ref": (
        lambda s: s["paths"]["/Account/query"]["post"]["requestBody"]["content"][
            "application/xml"
        ].update({"schema": {"$ref": "#/components/schemas/NoSuchConfig"}}),
        'paths["/Account/query"].post.requestBody.content["application/xml"].schema: $ref '
        "'#/components/schemas/NoSuchConfig' names no schema",
    ),
    "dangling response $ref": (
        lambda s: s["paths"]["/Account/{id}"]["get"]["responses"].update(
            {"200": {"$ref": "#/components/responses/Gone"}}
        ),
        'paths["/Account/{id}"].get.responses["200"]: $ref \'#/components/responses/Gone\' '
        "points at nothing",
    ),
    "property name that is not an XML name": (
        lambda s: _schemas(s)["Account"]["properties"].update({"bad name!": {"type": "string"}}),
        "components.schemas.Account.properties[\"bad name!\"]: property name 'bad name!' is not "
        "a valid XML name",
    ),
    "allOf cycle": (
        lambda s: _schemas(s).update(
            {"Account": {"allOf": [{"$ref": "#/components/schemas/Account"}]}}
        ),
        "components.schemas.Account.allOf[0]: allOf cycle: Account -> Account",
    ),
    "enum value XML cannot carry": (
        lambda s: _schemas(s)["Account"]["properties"].update(
            {"tier": {"type": "string", "enum": ["gold", "bell\u0007"]}}
        ),
        "components.schemas.Account.properties.tier.enum[1]: 'bell\\x07' has characters XML "
        "cannot carry",
    ),
    "schema that is not an object": (
        lambda s: _schemas(s).update({"Account": 7}),
        "components.schemas.Account: expected a schema object",
    ),
    "path item that is not an object": (
        lambda s: s["paths"].update({"/Account/{id}": []}),
        'paths["/Account/{id}"]: expected a path item object',
    ),
}


@pytest.mark.parametrize("mistake", sorted(SPEC_MISTAKES))
def test_a_spec_mistake_is_one_line_with_the_file_and_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mistake: str
) -> None:
    change, message = SPEC_MISTAKES[mistake]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_mutated(change)))
    out = tmp_path / "out"
    assert main(["catalog", "generate", "--spec", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {spec}: {message}\n"
    assert not out.exists()


def test_any_other_unreadable_shape_is_one_line_naming_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            _mutated(
                lambda s: s["paths"]["/Account/{id}"].update({"get": {"responses": {"200": 5}}})
            )
        )
    )
    assert main(["catalog", "generate", "--spec", str(spec), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {spec}") and len(err.splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "https://me:hunter2@api.boomi.com/api/rest/v1/a/openapi.json",
            "error: --spec: must not carry a user name or password (user:secret@host): "
            "set ATOMSPHERE_USERNAME and ATOMSPHERE_API_TOKEN or ATOMSPHERE_PASSWORD\n",
        ),
        ("HTTPS://[::1/openapi.json", "error: --spec: has an invalid IPv6 address"),
        ("ftp://example.com/openapi.json", "error: --spec: must be an http(s) URL, not 'ftp'\n"),
    ],
)
def test_a_spec_url_with_a_password_or_a_broken_one_is_refused_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    assert main(["catalog", "generate", "--spec", spec, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert "hunter2" not in err and list(tmp_path.iterdir()) == []


def test_an_element_order_url_with_a_password_is_refused_without_echoing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://me:hunter2@api.boomi.com/api/soap/v1/a?xsd=1"
    argv = ["catalog", "generate", "--spec", str(SPEC_PATH), "--element-order", url]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --element-order: must not carry a user name or password")
    assert err.count("\n") == 1 and "hunter2" not in err and list(tmp_path.iterdir()) == []

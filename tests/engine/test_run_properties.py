"""`atomsphere run`: `FILE.properties.json` values become text properties, or a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.output import ExitCode
from tests.client.fakeapi import NS, FakeApi, error, xml
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, write_operation


def _input(folder: Path, name: str, properties: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("<request/>")
    (folder / f"{name}.properties.json").write_text(properties)


def _ids_sent(api: FakeApi) -> list[str]:
    return [r.url.path.rsplit("/", 1)[1] for r in api.calls("GET")]


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ('"p-1"', "p-1"),
        ("5", "5"),
        ("1.5", "1.5"),
        ("1.50", "1.50"),  # the number exactly as written, not a float's rendering
        ("12345678901234567890123", "12345678901234567890123"),
        ("-2e3", "-2e3"),
        ("true", "true"),
        ("false", "false"),
    ],
)
def test_a_scalar_property_is_sent_as_its_json_text(
    api_env: FakeApi, tmp_path: Path, value: str, sent: str
) -> None:
    api_env.on("GET", f"/Process/{sent}", xml(f'<bns:Process {NS} id="x" name="A"/>'))
    _input(tmp_path / "in", "doc.xml", f'{{"processId": {value}}}')
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--input", str(tmp_path / "in"), "--json"]) == ExitCode.OK
    assert _ids_sent(api_env) == [sent]


def test_a_null_property_is_unset_so_the_document_has_no_value(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on("GET", "/Process/None", error(400, "No such process"))
    _input(tmp_path / "in", "doc.xml", '{"processId": null}')
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    code = main(["run", str(op), "--input", str(tmp_path / "in")])
    assert code == ExitCode.APPLICATION_ERRORS
    assert "parameter process has no value for this document" in capsys.readouterr().err
    assert api_env.calls() == []


def test_a_null_property_falls_back_to_the_parameters_default(
    api_env: FakeApi, tmp_path: Path
) -> None:
    api_env.on("GET", "/Process/p-default", xml(f'<bns:Process {NS} id="x" name="A"/>'))
    _input(tmp_path / "in", "doc.xml", '{"processId": null}')
    op = write_operation(
        tmp_path,
        GET_PROCESS_ONE_BY_ONE.replace("name: processId}", "name: processId, default: p-default}"),
    )
    assert main(["run", str(op), "--input", str(tmp_path / "in")]) == ExitCode.OK
    assert _ids_sent(api_env) == ["p-default"]


def test_lists_and_objects_are_refused_naming_every_file_and_property(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    _input(folder, "a.xml", '{"processId": ["p-1"], "ok": "x"}')
    _input(folder, "b.xml", '{"processId": "p-2", "meta": {"k": 1}}')
    _input(folder, "c.xml", '{"processId": NaN}')
    _input(folder, "d.xml", '{"processId": "p-4"}')
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--input", str(folder)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "['p-1']" not in err
    assert err.splitlines() == [
        f"error: {folder / 'a.xml.properties.json'}: processId: a list cannot be a document "
        "property (properties are text: a string, a number, true/false, or null for unset)",
        f"error: {folder / 'b.xml.properties.json'}: meta: an object cannot be a document "
        "property (properties are text: a string, a number, true/false, or null for unset)",
        f"error: {folder / 'c.xml.properties.json'}: not valid JSON: NaN is not a JSON value",
    ]
    # Nothing is sent: a run has all its documents or none (as for an unreadable input file).
    assert api_env.calls() == []


def test_dynamic_operation_properties_in_the_sidecar_override_the_operation_per_document(
    api_env: FakeApi, tmp_path: Path
) -> None:
    api_env.on("GET", "/Process/p-9", xml(f'<bns:Process {NS} id="p-9" name="A"/>'))
    api_env.on("GET", "/Process/p-2", xml(f'<bns:Process {NS} id="p-2" name="B"/>'))
    folder = tmp_path / "in"
    overrides = '{"id": "p-9", "timeout_seconds": 5, "not_found": null}'
    _input(folder, "a.xml", f'{{"processId": "p-1", "dynamic_operation_properties": {overrides}}}')
    _input(folder, "b.xml", '{"processId": "p-2", "dynamic_operation_properties": {}}')
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--input", str(folder), "--json"]) == ExitCode.OK
    assert _ids_sent(api_env) == ["p-9", "p-2"], "the document's id first, the operation's after"


def test_a_dynamic_operation_property_that_is_not_text_is_refused_naming_it(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    _input(folder, "a.xml", '{"dynamic_operation_properties": {"id": ["p-1"]}}')
    _input(folder, "b.xml", '{"dynamic_operation_properties": "p-2"}')
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--input", str(folder)]) == ExitCode.USAGE
    assert capsys.readouterr().err.splitlines() == [
        f"error: {folder / 'a.xml.properties.json'}: dynamic_operation_properties.id: a list "
        "cannot be a dynamic operation property (properties are text: a string, a number, "
        "true/false, or null for unset)",
        f"error: {folder / 'b.xml.properties.json'}: dynamic_operation_properties: expected a "
        "JSON object: operation field id -> its value for this document",
    ]
    assert api_env.calls() == []

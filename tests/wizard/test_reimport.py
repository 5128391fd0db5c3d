"""Re-importing refreshes the profiles, keeps every user edit, and says what changed;
``--check`` turns the same comparison into a CI guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from connector.atomsphere.catalog import schema_bytes
from connector.contract import Action
from connector.wizard import (
    Prompter,
    ServedSchema,
    browse,
    build_profiles,
    bundled_schema,
    compare,
    resolve,
)
from connector.wizard.yaml_writer import filter_template, replace_template
from connector.xml import SAFE_PARSER, XS_NS
from connector.yamlfiles import load_yaml_file, packaged_schema, validate
from tests.wizard.conftest import BOOMI_2021, serving
from tests.wizard.helpers import run_import

XS = f"{{{XS_NS}}}"


def changed_schema() -> bytes:
    """The bundled schema as Boomi might serve it later: ExecutionRecord gains cloudStatus,
    loses reportKey, and its message becomes a number."""
    root = etree.fromstring(schema_bytes(), parser=SAFE_PARSER)
    record = root.find(f"{XS}complexType[@name='ExecutionRecord']")
    assert record is not None
    group = record.find(f".//{XS}all")
    assert group is not None
    for element in group.findall(f"{XS}element"):
        if element.get("name") == "reportKey":
            group.remove(element)
        if element.get("name") == "message":
            element.set("type", "xs:int")
    etree.SubElement(group, f"{XS}element", name="cloudStatus", type="xs:string", minOccurs="0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


USER_EDITS = """\
description: "Failed executions: the ones support looks at every morning."
tracking:
  direction: input
  locked: true
return_application_errors: true
# Only failures since the last good run.
filter:
  and:
    - property: status
      operator: EQUALS
      arguments: [ERROR]  # literal on purpose
    - property: executionTime
      operator: GREATER_THAN_OR_EQUAL
      arguments: [{param: since}]
parameters:
  since: {from: last_run_date, default: "2020-01-01T00:00:00Z"}
options:
  max_results: 500
  timeout_seconds: 30
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An imported Query the user then edited by hand (comments included)."""
    assert (
        run_import(
            *_dirs(tmp_path),
            "--offline",
            "--action",
            "QUERY",
            "--object",
            "ExecutionRecord",
            "--name",
            "failed",
        )
        == 0
    )
    path = tmp_path / "operations" / "failed.yaml"
    text = path.read_text()
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("description:", "tracking:", "  direction:", "return_application"))
    ]
    marker = next(i for i, line in enumerate(lines) if line.startswith("# >>> filter template"))
    lines[marker:marker] = [USER_EDITS]
    path.write_text("".join(lines))
    validate(load_yaml_file(path), packaged_schema("operation"))
    return tmp_path


def outside_template(text: str) -> str:
    begin, end = text.index("# >>> filter template"), text.index("# <<< filter template")
    return text[:begin] + text[end:]


def _dirs(root: Path) -> tuple[str, ...]:
    return ("--profiles-dir", str(root / "profiles"), "--operations-dir", str(root / "operations"))


def test_reimport_keeps_every_edit_and_comment_and_reports_schema_changes(
    workspace: Path, connection_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "failed.yaml"
    before = operation.read_text()
    capsys.readouterr()
    code = run_import(
        *_dirs(workspace),
        "--connection",
        str(connection_file),
        "--action",
        "QUERY",
        "--object",
        "ExecutionRecord",
        "--name",
        "failed",
        transport=serving(changed_schema()),
    )
    out = capsys.readouterr().out
    assert code == 0
    after = operation.read_text()
    # Same profile paths: only the filter template changed, to follow the served record.
    assert outside_template(after) == outside_template(before)
    rows = {line.split()[1]: line for line in after.splitlines() if line.startswith("#   ")}
    assert rows["reportKey"].endswith("(not a record field)")
    # The catalog's type (what the loader checks operators against), the served one beside it.
    assert rows["message"].split()[2] == "xs:string"
    assert rows["message"].endswith("string  (the served schema says xs:int, a number)")
    assert (
        "profiles/ExecutionRecord.query.response.xsd: updated (1 added, 1 removed, 3 changed)"
        in out
    )
    assert "+ ExecutionRecord.cloudStatus (element xs:string [0..1])" in out
    assert "- ExecutionRecord.reportKey (element xs:string [0..1])" in out
    assert "~ ExecutionRecord.message: element xs:string [0..1] -> element xs:int [0..1]" in out
    assert (
        "~ filter message: on field message, xs:string -> on field message, xs:string "
        "(served as xs:int)" in out
    )
    assert (
        "~ filter reportKey: on field reportKey, xs:string -> on no record field, xs:string" in out
    )
    assert "operations/failed.yaml: updated" in out
    profile = (workspace / "profiles" / "ExecutionRecord.query.response.xsd").read_bytes()
    assert b'<xs:element name="cloudStatus"' in profile
    assert b'<xs:element name="reportKey"' not in profile


def test_reimport_into_another_profiles_folder_rewrites_only_the_profiles_block(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "failed.yaml"
    before = operation.read_text()
    code = run_import(
        "--profiles-dir",
        str(workspace / "schemas" / "xsd"),
        "--operations-dir",
        str(workspace / "operations"),
        "--offline",
        "--refresh",
    )
    assert code == 0
    after = operation.read_text()
    expected = before.replace(
        "response: ../profiles/ExecutionRecord.query.response.xsd",
        "response: ../schemas/xsd/ExecutionRecord.query.response.xsd",
    )
    assert after == expected
    assert "operations/failed.yaml: updated" in capsys.readouterr().out


def test_the_filter_template_is_refreshed_and_user_text_outside_it_kept(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "failed.yaml"
    text = operation.read_text()
    # The template as an older schema wrote it: other operators, types and properties.
    stale = (
        text.replace("CONTAINS(1) NOT_CONTAINS(1)", "STARTS_WITH(1)")
        .replace("executionDuration      xs:long ", "executionDuration      xs:int  ")
        .replace("(record field launcherID)", "(not a record field)")
        .replace("#   reportKey ", "#   oldReportKey ")
    )
    assert stale != text
    operation.write_text(stale + "# my trailing note\n")
    capsys.readouterr()
    assert run_import(*_dirs(workspace), "--offline", "--refresh") == 0
    refreshed = operation.read_text()
    assert refreshed == text + "# my trailing note\n"
    assert "kept" not in capsys.readouterr().out


def _import_one(root: Path) -> tuple[tuple[str, ...], Path]:
    """A fresh Query import named ``one``: the arguments that re-import it, and its file."""
    args = (*_dirs(root), "--offline", "--action", "QUERY", "--object", "ExecutionRecord")
    args = (*args, "--name", "one")
    assert run_import(*args) == 0
    return args, root / "operations" / "one.yaml"


def _uncommented(template_text: str) -> str:
    """The template as a user edits it in place: its example uncommented, a note of theirs."""
    lines = template_text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("# filter:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("# <<< filter template"))
    lines[start:end] = [line.removeprefix("# ") for line in lines[start:end]]
    lines.insert(start, "# Only the one execution the document names.\n")
    return "".join(lines)


def test_a_filter_uncommented_inside_the_template_is_kept_below_it_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, operation = _import_one(tmp_path)
    generated = operation.read_text()
    edited = _uncommented(generated)
    operation.write_text(edited)
    data = load_yaml_file(operation).data
    assert data["filter"]["and"][0]["property"] == "executionId"
    first = edited.splitlines().index("# Only the one execution the document names.") + 1
    capsys.readouterr()

    assert run_import(*args) == 0
    out = capsys.readouterr().out
    refreshed = operation.read_text()
    assert load_yaml_file(operation).data == data  # nothing the user wrote was dropped
    end = refreshed.index("# <<< filter template\n") + len("# <<< filter template\n")
    assert refreshed[:end] == generated  # the template is whole again, the user's text below
    moved = [line for line in edited.splitlines() if line not in generated.splitlines()]
    assert refreshed[end:].splitlines() == moved
    assert "operations/one.yaml: updated" in out
    assert (
        f"kept what you wrote inside the filter template (lines {first}-{first + 7}), "
        "now below it:\n"
        "      # Only the one execution the document names.\n"
        "      filter:\n"
        "        and:\n"
        "          - property: executionId\n"
    ) in out

    assert run_import(*args) == 0  # and a second re-import leaves it alone
    assert operation.read_text() == refreshed
    assert "operations/one.yaml: unchanged" in capsys.readouterr().out


def test_on_a_terminal_what_would_be_kept_is_shown_before_the_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, operation = _import_one(tmp_path)
    edited = _uncommented(operation.read_text())
    operation.write_text(edited)
    capsys.readouterr()
    questions: list[str] = []
    prompter = Prompter(lambda question: questions.append(question) or "n")
    assert run_import(*args, prompter=prompter) == 0
    out = capsys.readouterr().out
    assert questions == ["Write these files? [Y/n] "]
    assert "operations/one.yaml: updated\n    kept what you wrote inside the filter" in out
    assert out.index("      filter:") < out.index("Nothing written.")
    assert operation.read_text() == edited


def test_template_text_that_cannot_move_without_changing_its_value_keeps_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, operation = _import_one(tmp_path)
    lines = operation.read_text().splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith("description:")]
    marker = next(i for i, line in enumerate(lines) if line.startswith("# Filterable"))
    # A "keep" block scalar inside the template: its trailing blank line is part of its value.
    lines[marker:marker] = ["description: |+\n", "  mine\n", "\n"]
    operation.write_text("".join(lines))
    data = load_yaml_file(operation).data
    assert data["description"] == "mine\n\n"
    capsys.readouterr()
    assert run_import(*args) == 0
    assert load_yaml_file(operation).data == data
    assert "comments could not be kept" in capsys.readouterr().err


def test_a_layout_the_wizard_cannot_edit_safely_is_rewritten_from_its_data(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "failed.yaml"
    data = load_yaml_file(operation).data
    text = operation.read_text().replace("profiles:\n", '"profiles":\n')
    operation.write_text(text)
    assert run_import(*_dirs(workspace), "--offline", "--refresh") == 0
    assert load_yaml_file(operation).data == data
    assert "comments could not be kept" in capsys.readouterr().err


def test_importing_another_object_under_an_existing_name_is_refused(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(
        *_dirs(workspace), "--offline", "--action", "GET", "--object", "Account", "--name", "failed"
    )
    assert code == 2
    assert "is QUERY ExecutionRecord, not GET Account" in capsys.readouterr().err
    code = run_import(
        *_dirs(workspace),
        "--offline",
        "--action",
        "GET",
        "--object",
        "Account",
        "--name",
        "failed",
        "--force",
    )
    assert code == 0
    assert load_yaml_file(workspace / "operations" / "failed.yaml").data["object"] == "Account"


def test_an_invalid_operation_file_is_not_touched(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "failed.yaml"
    broken = operation.read_text().replace("max_results: 500", "max_results: many")
    operation.write_text(broken)
    assert run_import(*_dirs(workspace), "--offline", "--refresh") == 2
    assert "invalid: " in capsys.readouterr().out
    assert operation.read_text() == broken


def test_refresh_lists_every_broken_file_located_and_refreshes_the_others(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operations = workspace / "operations"
    header = "kind: AtomSphereOperation\nversion: 1\nname: x\n"
    broken = {
        "a-unknown.yaml": header + "action: GET\nobject: Acount\n",
        "b-yaml.yaml": "action: GET\nobject: [\n",
        "c-operator.yaml": header + "action: QUERY\nobject: ExecutionRecord\nfilter:\n"
        "  and:\n    - {property: inboundDocumentCount, operator: LIKE, arguments: ['1']}\n",
    }
    for name, text in broken.items():
        (operations / name).write_text(text)
    # The good file's profile is gone: the loader refuses it, and refreshing is the cure.
    (workspace / "profiles" / "ExecutionRecord.query.response.xsd").unlink()
    capsys.readouterr()
    assert run_import(*_dirs(workspace), "--offline", "--refresh") == 2
    out = capsys.readouterr().out
    invalid = [line.removeprefix("invalid: ") for line in out.splitlines() if "invalid: " in line]
    shown = str(operations)
    assert invalid == [
        f"{shown}/a-unknown.yaml:5: object: unknown object 'Acount' (did you mean Account, "
        "AtomCounters, AccountGroup?)",
        f"{shown}/b-yaml.yaml:3: invalid YAML: expected the node content, but found '<stream end>'",
        f"{shown}/c-operator.yaml:8: filter.and[0].operator: LIKE does not apply to "
        "inboundDocumentCount (a number property); it applies to string, enum",
    ]
    assert "profiles/ExecutionRecord.query.response.xsd: created" in out
    assert out.splitlines()[-1] == "1 operation files refreshed; 3 not (problems above)"
    assert (workspace / "profiles" / "ExecutionRecord.query.response.xsd").is_file()
    for name, text in broken.items():
        assert (operations / name).read_text() == text


def test_refresh_locates_an_object_the_served_schema_does_not_offer(
    workspace: Path, connection_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = workspace / "operations" / "branch.yaml"
    operation.write_text(
        "kind: AtomSphereOperation\nversion: 1\nname: branch\naction: GET\nobject: Branch\n"
    )
    code = run_import(
        *_dirs(workspace),
        "--connection",
        str(connection_file),
        "--refresh",
        transport=serving(BOOMI_2021.read_bytes()),
    )
    out = capsys.readouterr().out
    assert code == 2
    assert f"invalid: {operation}:5: object: " in out and "defines no Branch" in out
    assert "operations/failed.yaml: " in out  # the other file was still refreshed


def test_check_passes_in_sync_and_fails_on_drift(
    workspace: Path, connection_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(*_dirs(workspace), "--offline", "--check") == 0
    assert "1 profiles checked against the bundled schema (offline): in sync" in (
        capsys.readouterr().out
    )
    code = run_import(
        *_dirs(workspace),
        "--connection",
        str(connection_file),
        "--check",
        transport=serving(changed_schema()),
    )
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "drift: " in out
        and "ExecutionRecord.query.response.xsd: 1 added, 1 removed, 3 changed" in out
    )
    assert "+ ExecutionRecord.cloudStatus" in out
    assert "1 drifted" in out


def test_check_reports_missing_and_stale_profiles(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profiles = workspace / "profiles"
    (profiles / "ExecutionRecord.query.response.xsd").rename(profiles / "Gone.query.response.xsd")
    (profiles / "notes.xsd").write_text("<x/>")
    assert run_import(*_dirs(workspace), "--offline", "--check") == 2
    captured = capsys.readouterr()
    line = _line_of(workspace / "operations" / "failed.yaml", "  response:")
    assert (
        f"invalid: {workspace}/operations/failed.yaml:{line}: profiles.response: " in captured.out
    )
    assert "ExecutionRecord.query.response.xsd: profile not found" in captured.out
    assert "Gone.query.response.xsd: no longer offered: unknown object 'Gone'" in captured.out
    assert "notes.xsd is not named OBJECT.action.role.xsd" in captured.err


def _line_of(path: Path, prefix: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(prefix)
    )


def test_check_reports_every_operation_file_that_would_not_load_and_fails(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI guard must not pass over an operation a run would refuse: each is reported as the
    loader reports it (file, line, field), the profiles are still checked, and the exit is 2."""
    operations = workspace / "operations"
    good = (operations / "failed.yaml").read_text()
    (operations / "a-unknown-object.yaml").write_text(
        good.replace("object: ExecutionRecord", "object: ExecutionRecords")
    )
    (operations / "b-broken.yaml").write_text("kind: AtomSphereOperation\naction: [QUERY\n")
    (operations / "c-list.yaml").write_text("- not an operation\n")
    (operations / "d-bad-operator.yaml").write_text(
        good.replace("operator: GREATER_THAN_OR_EQUAL", "operator: LIKE")
    )
    capsys.readouterr()
    assert run_import(*_dirs(workspace), "--offline", "--check") == 2
    out = capsys.readouterr().out
    object_line = _line_of(operations / "a-unknown-object.yaml", "object:")
    operator_line = _line_of(operations / "d-bad-operator.yaml", "      operator: LIKE")
    invalid = [line for line in out.splitlines() if line.startswith("invalid: ")]
    assert invalid == [
        f"invalid: {operations}/a-unknown-object.yaml:{object_line}: object: unknown object "
        "'ExecutionRecords' (did you mean ExecutionRecord, ExecutionSummaryRecord, "
        "ExecutionRequest?)",
        f"invalid: {operations}/b-broken.yaml:3: invalid YAML: expected ',' or ']', but got "
        "'<stream end>'",
        f"invalid: {operations}/c-list.yaml:1: ['not an operation'] is not of type 'object'",
        f"invalid: {operations}/d-bad-operator.yaml:{operator_line}: "
        "filter.and[1].operator: LIKE does not apply to executionTime (a datetime property); "
        "it applies to string, enum",
    ]
    assert out.endswith(
        "1 profiles checked against the bundled schema (offline): in sync; "
        "operation files that do not load: 4\n"
    )


def test_object_names_match_without_regard_to_case_as_in_the_catalog(workspace: Path) -> None:
    operation = workspace / "operations" / "failed.yaml"
    text = operation.read_text().replace("object: ExecutionRecord", "object: executionrecord")
    operation.write_text(text)
    assert run_import(*_dirs(workspace), "--offline", "--refresh") == 0
    assert operation.read_text() == text


def test_every_line_a_template_of_another_schema_has_is_recognised_as_the_wizards(
    served_2021: ServedSchema,
) -> None:
    """Refreshing a template written from Boomi's 2021 schema (or the other way round) keeps
    nothing of it: no line the wizard wrote is ever mistaken for the user's."""
    schemas = [
        {p.object: p for p in browse(served, Action.QUERY).plans}
        for served in (served_2021, bundled_schema())
    ]
    differing = 0
    for before, after in (schemas, schemas[::-1]):
        for obj in sorted(before.keys() & after.keys()):
            old = "\n".join(filter_template(before[obj])) + "\n"
            new = "\n".join(filter_template(after[obj])) + "\n"
            assert replace_template(old, filter_template(after[obj])) == (new, ()), obj
            differing += old != new
    assert differing >= 10  # the two schemas' templates differ for many objects


def test_check_reports_an_element_form_change_as_a_wire_change(
    workspace: Path, connection_file: Path, bundled_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    qualified = b'elementFormDefault="qualified"'
    assert bundled_bytes.count(qualified) == 1
    unqualified = bundled_bytes.replace(qualified, b'elementFormDefault="unqualified"')
    capsys.readouterr()
    code = run_import(
        *_dirs(workspace),
        "--connection",
        str(connection_file),
        "--check",
        transport=serving(unqualified),
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "ExecutionRecord.query.response.xsd: 0 added, 0 removed, 1 changed" in out
    assert "~ schema elementFormDefault: qualified -> unqualified" in out
    assert "documentation or annotations changed" not in out


def test_a_field_whose_form_overrides_the_default_is_a_change() -> None:
    profile = build_profiles(
        bundled_schema(), resolve(bundled_schema(), "ExecutionRecord", Action.QUERY)
    ).response
    assert profile is not None
    old = profile.data
    field = b'<xs:element name="processName" type="xs:string"'
    assert old.count(field) == 1
    new = old.replace(field, field + b' form="unqualified"')
    changes = compare(old, new)
    assert changes.changed == (
        (
            "ExecutionRecord.processName",
            "element xs:string [0..1]",
            "element xs:string [0..1], unqualified",
        ),
    )


def test_a_refreshed_profile_whose_fields_did_not_change_says_so(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes that differ with the same fields (order, documentation): "no field changed"."""
    profile = workspace / "profiles" / "ExecutionRecord.query.response.xsd"
    profile.write_bytes(profile.read_bytes().rstrip() + b"\n<!-- edited by hand -->\n")
    capsys.readouterr()
    argv = ("--offline", "--action", "QUERY", "--object", "ExecutionRecord", "--name", "failed")
    assert run_import(*_dirs(workspace), *argv) == 0
    out = capsys.readouterr().out
    assert "profiles/ExecutionRecord.query.response.xsd: updated (no field changed)" in out
    assert "0 added" not in out


def test_reimport_keeps_a_crlf_file_crlf(workspace: Path) -> None:
    operation = workspace / "operations" / "failed.yaml"
    before = operation.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    operation.write_bytes(b"# mine\r\n" + before)
    code = run_import(
        "--profiles-dir",
        str(workspace / "schemas" / "xsd"),
        "--operations-dir",
        str(workspace / "operations"),
        "--offline",
        "--refresh",
    )
    assert code == 0
    after = operation.read_bytes()
    assert b"../schemas/xsd/ExecutionRecord.query.response.xsd" in after
    assert b"# mine\r\n" in after
    assert after.count(b"\n") == after.count(b"\r\n")


def test_a_rewritten_entry_keeps_the_users_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key line's own comment stays on it; a comment inside the entry moves above it."""
    operation = tmp_path / "operations" / "edge.yaml"
    operation.parent.mkdir()
    operation.write_text(
        "kind: AtomSphereOperation\nversion: 1\nname: edge\naction: GET\nobject: Account\n"
        'description: "a # in quotes is text"  # mine\n'
        "profiles:  # where the schemas are\n"
        "  request: null\n"
        "  response: ../profiles/Old.xsd  # renamed later\n"
        "id: abc\n"
    )
    argv = ("--offline", "--action", "GET", "--object", "Account", "--name", "edge")
    assert run_import(*_dirs(tmp_path), *argv) == 0
    text = operation.read_text()
    assert 'description: "a # in quotes is text"  # mine\n' in text
    assert "# renamed later\nprofiles:  # where the schemas are\n" in text
    assert "Old.xsd" not in text and "Account.get.response.xsd" in text
    one_line = tmp_path / "operations" / "one.yaml"
    one_line.write_text(
        "kind: AtomSphereOperation\nversion: 1\nname: one\naction: GET\nobject: Account\n"
        "profiles: {request: null, response: ../profiles/Old.xsd}  # trailing note\n"
        "id: abc\n"
    )
    assert run_import(*_dirs(tmp_path), *argv[:-1], "one") == 0
    assert "profiles:  # trailing note\n" in one_line.read_text()
    validate(load_yaml_file(one_line), packaged_schema("operation"))

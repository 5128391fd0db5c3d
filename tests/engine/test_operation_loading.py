"""Operation files: every problem at once with file, line and field, checked before any request."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from connector.contract import Action, TrackingDirection
from connector.engine import load_operation
from connector.engine.config import CACHE_KEY_PARAMETER
from connector.engine.filters import Condition, Group, ParamRef, Value
from connector.errors import ConfigError
from tests.conftest import ROOT
from tests.engine.helpers import operation, write_operation

EXAMPLES = sorted((ROOT / "operations").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_operation_loads(path: Path) -> None:
    op = load_operation(path)
    assert op.settings.name == path.stem
    assert op.settings.source == path


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_operation(write_operation(tmp_path, text))
    return [str(p) for p in info.value.problems]


def test_an_unknown_object_is_named_with_suggestions_and_its_line(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "action: GET\nobject: Enviroment\n")
    assert problem.split("/")[-1].startswith(
        "op.yaml:5: object: unknown object 'Enviroment' (did you mean Environment, "
    )


def test_every_catalog_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        action: QUERY
        object: Atom
        filter:
          and:
            - {property: colour, operator: EQUALS, arguments: [red]}
            - {property: name, operator: LIKE, arguments: ["%x"]}
            - {property: status, operator: EQUALS, arguments: []}
            - {property: id, operator: EQUALS, arguments: [{param: missing}]}
        id: abc
        """,
    )
    text = "\n".join(problems)
    assert "filter.and[0].property: Atom cannot be filtered on 'colour'" in text
    assert "filter.and[1].operator: Atom does not allow LIKE" in text
    assert "filter.and[2].arguments: EQUALS takes 1 argument, not 0" in text
    assert "filter.and[3].arguments[0]: unknown parameter 'missing'" in text
    assert "id: QUERY takes no id" in text
    assert all(":" in p.split("op.yaml", 1)[1] for p in problems), "every problem has a line"


def test_an_action_the_object_lacks(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "action: DELETE\nobject: Account\n")
    assert "action: Account does not support DELETE; it supports GET, QUERY" in problem


def test_filter_only_for_query_and_argument_counts(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        action: GET
        object: Environment
        filter: {property: name, operator: BETWEEN, arguments: [a]}
        """,
    )
    assert any("only QUERY takes a filter, not GET" in p for p in problems)
    problems = _problems(
        tmp_path,
        """
        action: QUERY
        object: Environment
        filter: {property: name, operator: IS_NULL, arguments: [a]}
        """,
    )
    assert any("IS_NULL takes no arguments, not 1" in p for p in problems)


def test_schema_problems_come_first_with_their_lines(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "action: FETCH\nobject: Environment\nextra: 1\n")
    assert any(":4: action:" in p and "FETCH" in p for p in problems)
    assert any(":6: extra: unknown field (known: kind, version," in p for p in problems)


def test_properties_are_spelt_as_the_api_documents_them(tmp_path: Path) -> None:
    op = operation(
        tmp_path,
        """
        action: QUERY
        object: ExecutionRecord
        filter:
          or:
            - {property: EXECUTION_TIME, operator: GREATER_THAN, arguments: ["2020-01-01"]}
            - {property: processname, operator: EQUALS, arguments: [{param: p}]}
        parameters:
          p: {from: static, value: Orders}
        """,
    )
    assert op.filter == Group(
        "or",
        (
            Condition("executionTime", "GREATER_THAN", (Value("2020-01-01"),)),
            Condition("processName", "EQUALS", (ParamRef("p"),)),
        ),
    )


def test_objects_without_declared_filter_fields_accept_their_record_fields(tmp_path: Path) -> None:
    op = operation(
        tmp_path,
        """
        action: QUERY
        object: Branch
        filter: {property: NAME, operator: EQUALS, arguments: [main]}
        """,
    )
    assert isinstance(op.filter, Condition) and op.filter.property == "name"
    problems = _problems(
        tmp_path,
        """
        action: QUERY
        object: Branch
        filter: {property: flavour, operator: EQUALS, arguments: [x]}
        """,
    )
    assert any("Branch cannot be filtered on 'flavour'" in p for p in problems)


def test_profiles_must_exist_and_compile(tmp_path: Path) -> None:
    (tmp_path / "bad.xsd").write_text(
        "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/></xs:schema>"
    )
    problems = _problems(
        tmp_path,
        """
        action: CREATE
        object: Environment
        profiles: {request: missing.xsd, response: bad.xsd}
        """,
    )
    assert any("profiles.request:" in p and "profile not found" in p for p in problems)
    assert any("profiles.response:" in p and "not a usable XML Schema" in p for p in problems)


def _profile_problem(tmp_path: Path, profile: str) -> str:
    (problem,) = _problems(
        tmp_path, f"action: GET\nobject: Account\nprofiles: {{response: {profile}}}\n"
    )
    return problem


def test_a_profile_that_is_a_directory_is_a_located_load_error(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    problem = _profile_problem(tmp_path, "profiles")
    assert problem.startswith(f"{tmp_path / 'op.yaml'}:6: profiles.response: ")
    assert problem.endswith(
        f"{tmp_path / 'profiles'}: is a directory, not a profile (an .xsd file)"
    )


def test_an_unreadable_profile_is_a_located_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked.xsd").write_text("<x/>")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked.xsd":
            raise PermissionError(13, "Permission denied")
        return real(self)

    # (tests run as root, which chmod cannot lock out)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    problem = _profile_problem(tmp_path, "locked.xsd")
    assert ":6: profiles.response: " in problem
    assert problem.endswith("locked.xsd: cannot read profile: Permission denied")


def test_a_profile_that_is_not_a_regular_file_is_refused_unread(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.xsd"
    os.mkfifo(pipe)  # reading it would wait for a writer, for ever
    # A writer that lets a regressed loader read an empty pipe (and fail this test, not hang it).
    writer = threading.Thread(target=lambda: pipe.open("wb").close(), daemon=True)
    writer.start()
    problem = _profile_problem(tmp_path, "pipe.xsd")
    os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))  # release the writer
    writer.join(timeout=5)
    assert ":6: profiles.response: " in problem and "is not a regular file" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not xml", "bad.xsd: not well-formed XML: Start tag expected"),
        ("<a><b></a>", "bad.xsd: not well-formed XML: Opening and ending tag mismatch"),
        (
            "<?xml version='1.0'?>\n<root/>",
            "bad.xsd:2: not an XML Schema: the root element is <root>",
        ),
    ],
)
def test_a_profile_that_is_not_an_xml_schema_says_why_once(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "bad.xsd").write_text(text)
    problem = _profile_problem(tmp_path, "bad.xsd")
    assert ":6: profiles.response: " in problem and expected in problem
    assert problem.count("bad.xsd") == 1, "the profile is named once"


def test_bulk_batch_size_cannot_exceed_the_object_limit(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "action: GET\nobject: Component\noptions: {bulk_batch_size: 6}\n"
    )
    assert any("bulk GET takes at most 5 ids" in p for p in problems)


@pytest.mark.parametrize(
    "value", ["0", "-1", "0.0009", "86401", ".inf", "-.inf", ".nan", "1e400", "true", "'30'"]
)
@pytest.mark.parametrize(
    "option", ["timeout_seconds", "poll_interval_seconds", "poll_timeout_seconds"]
)
def test_an_absurd_number_of_seconds_is_one_located_problem(
    tmp_path: Path, option: str, value: str
) -> None:
    text = f"action: GET\nobject: Environment\noptions:\n  {option}: {value}\n"
    (problem,) = _problems(tmp_path, text)
    expected = f"op.yaml:7: options.{option}: must be a number of seconds from 0.001 to 86400"
    assert problem.split("/")[-1] == expected


@pytest.mark.parametrize("value", ["0.001", "86400", "30"])
def test_seconds_within_bounds_load(tmp_path: Path, value: str) -> None:
    text = f"action: GET\nobject: Environment\noptions: {{timeout_seconds: {value}}}\n"
    assert operation(tmp_path, text).options.timeout_seconds == float(value)


def test_an_execute_that_takes_no_id(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "action: EXECUTE\nobject: ExecutionRequest\nid: x\n")
    assert any("takes no id" in p for p in problems)


def test_a_bad_xpath_parameter_is_a_load_error(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        action: GET
        object: Environment
        id: {param: e}
        parameters:
          e: {from: xpath, xpath: "/bns:Environment/@@id"}
        """,
    )
    (problem,) = problems  # the reference to e is not a second, false, problem
    assert "parameters.e: invalid XPath '/bns:Environment/@@id'" in problem


def test_a_cache_key_naming_a_parameter_with_a_bad_xpath_is_one_problem(tmp_path: Path) -> None:
    (problem,) = _problems(
        tmp_path,
        """
        action: GET
        object: Environment
        parameters:
          e: {from: xpath, xpath: "/bns:Environment/@@id"}
        caching: {cache: environments, key: {param: e}}
        """,
    )
    assert "parameters.e: invalid XPath '/bns:Environment/@@id'" in problem


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("GET", TrackingDirection.OUTPUT),
        ("QUERY", TrackingDirection.OUTPUT),
        ("CREATE", TrackingDirection.INPUT),
        ("UPDATE", TrackingDirection.INPUT),
        ("DELETE", TrackingDirection.INPUT),
    ],
)
def test_tracking_defaults_by_direction_of_the_action(
    tmp_path: Path, action: str, expected: TrackingDirection
) -> None:
    op = operation(tmp_path, f"action: {action}\nobject: Environment\n")
    assert op.settings.tracking.direction is expected
    assert not op.settings.tracking.locked


@pytest.mark.parametrize("direction", ["input", "output"])
def test_tracking_direction_can_be_set_and_locked(tmp_path: Path, direction: str) -> None:
    op = operation(
        tmp_path,
        f"action: GET\nobject: Environment\ntracking: {{direction: {direction}, locked: true}}\n",
    )
    assert op.settings.tracking.direction is TrackingDirection(direction)
    assert op.settings.tracking.locked


def test_host_settings_archiving_tracked_fields_and_caching(tmp_path: Path) -> None:
    op = operation(
        tmp_path,
        """
        action: QUERY
        object: ExecutionRecord
        return_application_errors: true
        archiving: {enabled: true, directory: archive}
        tracked_fields:
          process: {from: xpath, xpath: "/bns:ExecutionRecord/bns:processName"}
        caching:
          cache: executions
          key: {from: xpath, xpath: "/bns:ExecutionRecord/bns:executionId"}
        """,
    )
    settings = op.settings
    assert settings.action is Action.QUERY and settings.object_type == "ExecutionRecord"
    assert settings.return_application_errors
    assert settings.archiving is not None and settings.archiving.directory == tmp_path / "archive"
    assert settings.tracked_fields["process"]["from"] == "xpath"
    assert settings.caching is not None and settings.caching.key == CACHE_KEY_PARAMETER
    assert settings.parameters[CACHE_KEY_PARAMETER]["xpath"].endswith("executionId")


def test_a_cache_key_can_name_an_operation_parameter(tmp_path: Path) -> None:
    op = operation(
        tmp_path,
        """
        action: GET
        object: Environment
        id: {param: env}
        parameters:
          env: {from: document_property, name: environmentId}
        caching: {cache: environments, key: {param: env}}
        """,
    )
    assert op.settings.caching is not None and op.settings.caching.key == "env"
    assert op.settings.parameters["env"] == {"from": "document_property", "name": "environmentId"}


def test_enabled_archiving_needs_a_directory(tmp_path: Path) -> None:
    (problem,) = _problems(
        tmp_path, "action: GET\nobject: Environment\narchiving: {enabled: true}\n"
    )
    assert problem.endswith("op.yaml:6: archiving: 'directory' is a required property")
    (problem,) = _problems(
        tmp_path, "action: GET\nobject: Environment\narchiving: {enabled: true, directory: ''}\n"
    )
    assert "archiving.directory: '' should be non-empty" in problem


@pytest.mark.parametrize(
    ("archiving", "directory"),
    [
        ("{enabled: true, directory: archive}", "archive"),
        ("{enabled: false}", None),
        ("{directory: archive}", None),
        ("{}", None),
    ],
)
def test_archiving_the_schema_accepts_loads(
    tmp_path: Path, archiving: str, directory: str | None
) -> None:
    op = operation(tmp_path, f"action: GET\nobject: Environment\narchiving: {archiving}\n")
    found = op.settings.archiving
    assert (found.directory if found else None) == (tmp_path / directory if directory else None)


def test_request_documents_are_checked_against_the_api_schema_without_a_profile(
    tmp_path: Path,
) -> None:
    op = operation(tmp_path, "action: CREATE\nobject: Environment\n")
    assert op.request_validator is not None
    assert op.request_validator.root == "{http://api.platform.boomi.com/}Environment"
    unchecked = operation(
        tmp_path, "action: CREATE\nobject: Environment\noptions: {validate_requests: false}\n"
    )
    assert unchecked.request_validator is None


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("arguments: [2024-01-01]", "2024-01-01"),
        ("arguments: [2024-01-01T10:00:00Z]", "2024-01-01T10:00:00Z"),
        ("arguments: [1e3]", "1e3"),
        ("arguments: [0123]", "0123"),
        ("arguments: [yes]", "yes"),
        ("arguments: [true]", "true"),
    ],
)
def test_a_filter_argument_is_the_text_written(tmp_path: Path, text: str, written: str) -> None:
    op = operation(
        tmp_path,
        "action: QUERY\nobject: ExecutionRecord\n"
        f"filter: {{property: processName, operator: EQUALS, {text}}}\n",
    )
    assert op.filter == Condition("processName", "EQUALS", (Value(written),))


def test_dates_and_yaml_1_1_values_are_text_where_text_is_declared(tmp_path: Path) -> None:
    op = operation(
        tmp_path,
        "action: GET\nobject: Environment\nid: 2024-01-01\n"
        "parameters:\n  p: {from: last_run_date, default: 2020-01-01}\n"
        "  q: {from: static, value: 0777}\n  r: {from: static, value: 1e3}\n",
    )
    assert op.id == Value("2024-01-01")
    params = op.parameters
    assert (params["p"].default, params["q"].value, params["r"].value) == (
        "2020-01-01",
        "0777",
        "1e3",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A misspelt operator, inside nested groups: the condition's operator is named, with
        # the allowed ones, not "'and' is a required property".
        (
            "filter:\n  and:\n    - or:\n        - {property: status, operator: EQUAL, "
            "arguments: [ERROR]}",
            ":9: filter.and[0].or[0].operator: 'EQUAL' is not one of: EQUALS, NOT_EQUALS, LIKE,",
        ),
        (
            "filter: {andd: []}",
            ":6: filter: needs 'property' and 'operator', or 'and', or 'or'; "
            "unknown field(s): 'andd'",
        ),
        (
            "filter: {property: status, operator: EQUALS, arguments: [x], extra: 1}",
            ":6: filter.extra: unknown field (known: property, operator, arguments)",
        ),
        # A parameter source: the misspelt value, the missing key, the key of another source.
        (
            "parameters:\n  p: {from: document_propery, name: x}",
            ":7: parameters.p.from: 'document_propery' is not one of: static, document_property, "
            "xpath, process_property, last_run_date, current_date "
            "(did you mean document_property?)",
        ),
        (
            "parameters:\n  p: {form: document_property, name: x}",
            ":7: parameters.p: 'from' is required, one of: static, document_property, xpath, "
            "process_property, last_run_date, current_date; unknown field(s): 'form'",
        ),
        ("parameters:\n  p: {from: static}", ":7: parameters.p: 'value' is a required property"),
        # The cache key: a parameter definition or a reference to one.
        (
            "caching: {cache: c, key: {from: staticc, value: 1}}",
            ":6: caching.key.from: 'staticc' is not one of: static, document_property, xpath, "
            "process_property, last_run_date, current_date (did you mean static?)",
        ),
        ("caching: {cache: c, key: {}}", ":6: caching.key: needs 'from', or 'param'"),
        (
            "caching: {cache: c, key: {param: p, extra: 1}}",
            ":6: caching.key.extra: unknown field (known: param)",
        ),
    ],
)
def test_a_wrong_alternative_is_told_inside_the_alternative_meant(
    tmp_path: Path, text: str, expected: str
) -> None:
    (problem,) = _problems(tmp_path, f"action: QUERY\nobject: ExecutionRecord\n{text}\n")
    assert expected in problem


# -- schema problems and catalog problems together ------------------------------------------------


@pytest.mark.parametrize(
    ("schema_error", "told"),
    [
        ("options: {bulk_get: yes}", "options.bulk_get: 'yes' is not a boolean"),
        ("options: {max_pages: -1}", "options.max_pages: -1 is less than the minimum of 0"),
        ("retries: 3", "retries: unknown field"),
        ("parameters: {other: {from: nowhere}}", "parameters.other.from: 'nowhere' is not one of"),
    ],
)
def test_a_schema_problem_does_not_hide_the_catalogs(
    tmp_path: Path, schema_error: str, told: str
) -> None:
    problems = _problems(
        tmp_path,
        f"""
        action: QUERY
        object: ExecutionRecord
        filter:
          and:
            - {{property: executionTime, operator: LIKE, arguments: ["2020%"]}}
            - {{property: status, operator: BETWEEN, arguments: [ERROR]}}
            - {{property: colour, operator: EQUALS, arguments: [red]}}
            - {{property: atomId, operator: EQUALS, arguments: [{{param: nope}}]}}
        xpaths: {{from: xpath, xpath: "//*["}}
        {schema_error}
        """.replace("xpaths:", "parameters:" if "parameters" not in schema_error else "#"),
    )
    text = "\n".join(problems)
    assert told in text
    assert "filter.and[0].operator: LIKE does not apply to executionTime" in text
    assert "filter.and[1].arguments: BETWEEN takes 2 arguments, not 1" in text
    assert "filter.and[2].property: ExecutionRecord cannot be filtered on 'colour'" in text
    assert "filter.and[3].arguments[0]: unknown parameter 'nope'" in text
    lines = [int(p.split("op.yaml:")[1].split(":")[0]) for p in problems]
    assert lines == sorted(lines)
    assert len(set(problems)) == len(problems)


def test_an_uncompilable_xpath_is_told_beside_a_schema_problem(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        action: GET
        object: Environment
        id: {param: env}
        parameters:
          env: {from: xpath, xpath: "//*["}
        options: {max_pages: -1}
        """,
    )
    assert len(problems) == 2
    assert "parameters.env" in problems[0]
    assert "options.max_pages" in problems[1]


def test_a_part_the_schema_refused_is_told_once(tmp_path: Path) -> None:
    """A refused condition is not checked against the catalog, a refused parameter is still
    defined, a refused object is not looked up."""
    problems = _problems(
        tmp_path,
        """
        action: QUERY
        object: ExecutionRecord
        filter:
          and:
            - {property: colour, operator: EQUALS, argument: [red]}
            - {property: status, operator: EQUALS, arguments: [{param: status}]}
            - {property: atomId, operator: EQUALS, arguments: [a, b]}
        parameters:
          status: {from: document_propery, name: status}
        """,
    )
    assert [p.split(": ")[1] for p in problems] == [
        "filter.and[0].argument",
        "filter.and[2].arguments",
        "parameters.status.from",
    ], problems
    (problem,) = _problems(tmp_path, "action: GETT\nobject: Enviroment\n")[:1]
    assert "action: 'GETT' is not one of" in problem


def test_a_bad_from_and_a_bad_object_together(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        action: GET
        object: Enviroment
        from: here
        """,
    )
    assert len(problems) == 2
    assert "object: unknown object 'Enviroment'" in problems[0]
    assert "from: unknown field" in problems[1]


def test_the_documented_loading_example_is_what_run_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from connector.cli import main

    docs = (ROOT / "docs" / "operations.md").read_text("utf-8")
    section = docs.split("**Loading checks everything before any request**", 1)[1]
    blocks = section.split("```")
    text, said = blocks[1].removeprefix("yaml\n"), blocks[3].strip("\n")
    (tmp_path / "operations").mkdir()
    (tmp_path / "profiles").mkdir()
    (tmp_path / "operations" / "q.yaml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "operations/q.yaml"]) == 2
    out = capsys.readouterr().err.replace(str(tmp_path), "/srv/flows")
    assert out.strip("\n") == said

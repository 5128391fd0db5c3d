"""Interactive ``atomsphere import``: through a real pseudo-terminal, and scripted in-process."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from connector.wizard import Prompter
from connector.yamlfiles import load_yaml_file, packaged_schema, validate
from tests.wizard.conftest import serving
from tests.wizard.helpers import profile_problems, run_import

#: Only a guard against a hung child: never reached when the wizard behaves.
GUARD_SECONDS = 120


class Terminal:
    """A child process whose stdin, stdout and stderr are a pseudo-terminal."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, close_fds=True
        )
        os.close(slave)
        self.master = master
        self.output = ""
        self.seen = 0

    def expect(self, text: str) -> str:
        """Read until ``text`` appears after what was already consumed; return that stretch."""
        while text not in self.output[self.seen :]:
            ready, _, _ = select.select([self.master], [], [], GUARD_SECONDS)
            if not ready:
                raise AssertionError(f"waited for {text!r}; got {self.output[self.seen :]!r}")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"ended before {text!r}; got {self.output[self.seen :]!r}")
            self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        end = self.output.index(text, self.seen) + len(text)
        stretch, self.seen = self.output[self.seen : end], end
        return stretch

    def send(self, line: str) -> None:
        os.write(self.master, f"{line}\n".encode())

    def finish(self) -> int:
        code = self.process.wait(timeout=GUARD_SECONDS)
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        os.close(self.master)
        return code


def wizard(tmp_path: Path) -> Terminal:
    argv = [sys.executable, "-m", "connector", "import", "--offline"]
    return Terminal(argv, tmp_path)


def number_of(listing: str, name: str) -> str:
    match = re.search(rf"^\s+(\d+)\. {re.escape(name)}\s", listing, re.MULTILINE)
    assert match, f"{name} is not listed in:\n{listing}"
    return match.group(1)


def test_a_terminal_user_filters_chooses_confirms_and_gets_the_files(tmp_path: Path) -> None:
    term = wizard(tmp_path)
    term.expect("Action (number or name): ")
    term.send("query")
    first = term.expect("Object (type to filter, a number to choose, empty to list all): ")
    assert "objects:" in first and "more: type part of a name to narrow the list" in first
    term.send("executionrec")
    narrowed = term.expect("Object (type to filter")
    assert "matching 'executionrec'" in narrowed
    assert "Environment" not in narrowed
    term.send(number_of(narrowed, "ExecutionRecord"))
    term.expect("Operation name [query-execution-record]: ")
    term.send("failed-runs")
    summary = term.expect("Write these files? [Y/n] ")
    assert "Import QUERY ExecutionRecord (Execution Record):" in summary
    assert "profiles/ExecutionRecord.query.response.xsd: created" in summary
    assert "operations/failed-runs.yaml: created" in summary
    assert not (tmp_path / "operations").exists()  # nothing before the confirmation
    term.send("y")
    assert term.finish() == 0
    operation = load_yaml_file(tmp_path / "operations" / "failed-runs.yaml")
    validate(operation, packaged_schema("operation"))
    assert operation.data["object"] == "ExecutionRecord" and operation.data["name"] == "failed-runs"
    assert profile_problems(tmp_path / "profiles" / "ExecutionRecord.query.response.xsd") == []


def test_declining_on_the_terminal_writes_nothing(tmp_path: Path) -> None:
    term = wizard(tmp_path)
    term.expect("Action (number or name): ")
    term.send("1")
    term.expect("Object (type to filter")
    term.send("Account")  # an exact name chooses at once
    term.expect("Operation name [get-account]: ")
    term.send("")
    term.expect("Write these files? [Y/n] ")
    term.send("n")
    assert term.finish() == 0
    assert "Nothing written." in term.output
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_on_the_terminal_cancels(tmp_path: Path) -> None:
    term = wizard(tmp_path)
    term.expect("Action (number or name): ")
    os.write(term.master, b"\x04")  # Ctrl-D
    assert term.finish() == 130
    assert "error: interrupted" in term.output


class Script:
    """Answers prompts from a list, recording the questions."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, question: str) -> str:
        self.questions.append(question)
        return self.answers.pop(0)


def test_wrong_answers_are_asked_again_and_an_existing_name_needs_consent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = ("--profiles-dir", str(tmp_path / "p"), "--operations-dir", str(tmp_path / "o"))
    assert (
        run_import(*dirs, "--offline", "--action", "GET", "--object", "Account", "--name", "mine")
        == 0
    )
    script = Script("9", "query", "zzz", "99", "ExecutionRecord", "mine", "y", "")
    code = run_import(*dirs, "--offline", prompter=Prompter(script))
    assert code == 0
    out = capsys.readouterr().out
    assert "'9' is not an action" in out
    assert "0 of 71 objects matching 'zzz'" in out and "no object numbered 99" in out
    assert script.questions[-2].endswith("is GET Account; replace it? [y/N] ")
    assert load_yaml_file(tmp_path / "o" / "mine.yaml").data["object"] == "ExecutionRecord"


def test_off_a_terminal_the_object_and_action_are_required(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "connector", "import", "--offline", "--action", "QUERY"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--action and --object are required when not on a terminal" in done.stderr


#: A served schema whose only object type, Account, offers no CREATE.
ACCOUNT_ONLY = (
    b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    b'xmlns:tns="http://api.platform.boomi.com/" '
    b'targetNamespace="http://api.platform.boomi.com/" elementFormDefault="qualified">'
    b'<xs:complexType name="BaseType"/>'
    b'<xs:complexType name="Account"><xs:complexContent><xs:extension base="tns:BaseType">'
    b'<xs:sequence><xs:element name="accountId" type="xs:string"/></xs:sequence>'
    b"</xs:extension></xs:complexContent></xs:complexType>"
    b'<xs:element name="Account" type="tns:Account"/></xs:schema>'
)


def test_an_action_no_object_offers_is_said_not_taken_for_a_cancel(
    tmp_path: Path, connection_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = ("--profiles-dir", str(tmp_path / "p"), "--operations-dir", str(tmp_path / "o"))
    script = Script()  # nothing is asked: there is nothing to choose from
    code = run_import(
        *dirs,
        "--connection",
        str(connection_file),
        "--action",
        "CREATE",
        prompter=Prompter(script),
        transport=serving(ACCOUNT_ONLY),
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "error: no object type offers CREATE in https://api.test.example/" in err
    assert "not offered" in err  # the catalog objects the schema lacks, as --list names them
    assert "interrupted" not in err
    assert script.questions == []
    assert not (tmp_path / "o").exists()


def test_an_invalid_name_on_the_terminal_is_asked_again_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = ("--profiles-dir", str(tmp_path / "p"), "--operations-dir", str(tmp_path / "o"))
    script = Script("GET", "Account", "my account!", "../escape", "my-account", "y")
    code = run_import(*dirs, "--offline", prompter=Prompter(script))
    out = capsys.readouterr().out
    assert code == 0
    assert "operation name 'my account!': use letters, digits" in out
    assert "operation name '../escape': use letters, digits" in out
    assert [q for q in script.questions if q.startswith("Operation name")] == [
        "Operation name [get-account]: "
    ] * 3
    assert load_yaml_file(tmp_path / "o" / "my-account.yaml").data["object"] == "Account"

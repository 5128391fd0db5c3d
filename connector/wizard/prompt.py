"""The wizard's questions on a terminal: action, object (filtered by typing), name, confirmation.

Plain line input (``input()``), so it works in any terminal, over ssh and in a pseudo-terminal
test alike. End of input cancels, like Ctrl-C.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Final, TextIO

from connector.contract import Action
from connector.errors import ConfigError
from connector.wizard.browse import Browse, ImportPlan
from connector.wizard.session import name_problem

#: How many objects one listing shows before asking the user to narrow it down.
PAGE: Final = 25

Reader = Callable[[str], str]


class Prompter:
    """Asks the user, one line at a time, through ``read`` (``input`` by default)."""

    def __init__(self, read: Reader | None = None, out: TextIO | None = None) -> None:
        self._read = read or input
        self.out = out or sys.stdout

    def ask(self, question: str) -> str:
        try:
            return self._read(question).strip()
        except EOFError:
            raise KeyboardInterrupt from None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def choose_action(self) -> Action:
        actions = list(Action)
        self.say("Connector actions:")
        for i, action in enumerate(actions, 1):
            self.say(f"  {i}. {action.value}")
        while True:
            answer = self.ask("Action (number or name): ").upper()
            if answer.isdigit() and 1 <= int(answer) <= len(actions):
                return actions[int(answer) - 1]
            if answer in Action.__members__:
                return Action(answer)
            self.say(f"  {answer!r} is not an action; type 1-{len(actions)} or a name.")

    def choose_object(self, found: Browse) -> ImportPlan:
        """Filter by typing part of a name; choose by number (or by the exact name)."""
        plans = list(found.plans)
        if not plans:
            raise ConfigError(f"no object type offers {found.action.value} in this schema")
        typed = ""
        while True:
            shown = _matching(plans, typed)
            self._list(shown, typed, len(plans))
            answer = self.ask("Object (type to filter, a number to choose, empty to list all): ")
            exact = [p for p in plans if p.object.lower() == answer.lower()]
            if exact:
                return exact[0]
            if answer.isdigit():
                index = int(answer)
                if 1 <= index <= min(len(shown), PAGE):
                    return shown[index - 1]
                self.say(f"  no object numbered {index} in this list")
                continue
            typed = answer

    def ask_name(self, default: str) -> str:
        """A valid operation name: an invalid one is asked again, with the reason."""
        while True:
            answer = self.ask(f"Operation name [{default}]: ") or default
            problem = name_problem(answer)
            if problem is None:
                return answer
            self.say(f"  {problem}")

    def confirm(self, question: str, *, default: bool = True) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        while True:
            answer = self.ask(f"{question} {hint} ").lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False

    def _list(self, shown: Sequence[ImportPlan], typed: str, total: int) -> None:
        where = f" matching {typed!r}" if typed else ""
        self.say(f"{len(shown)} of {total} objects{where}:")
        width = max((len(p.object) for p in shown[:PAGE]), default=0)
        for i, plan in enumerate(shown[:PAGE], 1):
            note = "  (deprecated)" if plan.deprecated else ""
            self.say(f"  {i:>2}. {plan.object.ljust(width)}  {plan.label}{note}")
        if len(shown) > PAGE:
            self.say(f"  ... and {len(shown) - PAGE} more: type part of a name to narrow the list")


def _matching(plans: Sequence[ImportPlan], typed: str) -> list[ImportPlan]:
    wanted = typed.lower().replace(" ", "")
    return [
        p for p in plans if wanted in p.object.lower() or wanted in p.label.lower().replace(" ", "")
    ]

"""Where the example operations, profiles and processes are.

In a source checkout they are the project's top-level ``operations/``, ``profiles/`` and
``processes/``; a wheel carries the same folders inside the package (``connector/_examples/``)
so ``atomsphere demo`` works after ``pip install`` too. A ``./operations`` in the working
directory wins, so users can run the demo on their own copies.
"""

from __future__ import annotations

from pathlib import Path

from connector.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent
_ROOTS = (_PACKAGE / "_examples", _PACKAGE.parent)


def example_dir(kind: str, marker: str) -> Path:
    """The folder ``kind`` (``operations``...) that holds ``marker``."""
    for root in (Path.cwd(), *_ROOTS):
        candidate = root / kind
        if (candidate / marker).is_file():
            return candidate
    raise ConfigError(
        f"the example {kind} ({kind}/{marker}) were not found: run from the project's checkout "
        "or reinstall the package"
    )


def operations_dir() -> Path:
    """The example operations (``operations/*.yaml``)."""
    return example_dir("operations", "get-account.yaml")

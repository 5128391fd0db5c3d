"""Where the connector's log lines go when it runs as the ``atomsphere`` command.

Libraries only log; the command decides. Warnings (a deprecated object, a document routed to an
error) show by default, ``-v`` adds progress such as retries and pages, ``-vv`` everything, and
``-q`` keeps only errors. Lines go to stderr so stdout stays the command's data. A traceback
(an internal error of ours, e.g. in the sandbox) is shown only at ``-vv``.
"""

from __future__ import annotations

import logging
import sys
from typing import Final

_LOGGER: Final = "connector"
_LEVELS: Final = (logging.WARNING, logging.INFO, logging.DEBUG)


class _StderrHandler(logging.Handler):
    """``level: message`` on whatever ``sys.stderr`` is at the time of the line (tests and
    hosts swap it), marked so that a second ``configure`` replaces rather than doubles it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = f"{record.levelname.lower()}: {record.getMessage()}"
            if record.exc_info and logging.getLogger(_LOGGER).level <= logging.DEBUG:
                line += "\n" + _FORMATTER.formatException(record.exc_info)  # ours to debug
            print(line, file=sys.stderr)
        except Exception:  # a log line must never break the command
            self.handleError(record)


_FORMATTER: Final = logging.Formatter()


def level_for(verbose: int, quiet: bool) -> int:
    """``-q`` errors only; default warnings; ``-v`` info; ``-vv`` and more debug."""
    if quiet:
        return logging.ERROR
    return _LEVELS[min(verbose, len(_LEVELS) - 1)]


def configure(verbose: int = 0, quiet: bool = False) -> None:
    """Send the ``connector`` loggers to stderr at the level the flags ask for."""
    logger = logging.getLogger(_LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_StderrHandler())
    logger.setLevel(level_for(verbose, quiet))

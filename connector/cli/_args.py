"""Argument types for the CLI: a value argparse refuses is told in plain words, not as the
Python function that failed (``invalid fromisoformat value``)."""

from __future__ import annotations

import argparse
from datetime import datetime


def iso_datetime(text: str) -> datetime:
    """``--last-run-date`` and the like: an ISO 8601 date-time."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time such as 2026-01-31T15:32:00Z"
        ) from None

"""The hypothesis profile every property test here runs under.

Derandomized, so CI explores the same examples on every run and a failure reproduces from the
log alone; no deadline, because a loaded 2-core box makes timings meaningless; a moderate number
of examples keeps the whole folder well under a minute. Tests take it with
``@PROPERTIES`` (``tests.properties.harness``) rather than loading it globally, so the rest of
the suite keeps its own settings.
"""

from __future__ import annotations

from hypothesis import settings

from tests.properties.harness import PROFILE

settings.register_profile(
    PROFILE,
    derandomize=True,
    deadline=None,
    max_examples=25,
    print_blob=True,
)

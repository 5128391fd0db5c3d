"""The one scrubber: every secret masked, long ones anywhere, short ones where they stand alone."""

from __future__ import annotations

from connector.scrub import MASK, SHORT_SECRET, Scrubber


def test_a_long_secret_is_masked_wherever_it_occurs() -> None:
    secret = "s3cret-Passw0rd"
    scrub = Scrubber([secret])
    assert scrub.text(f"x{secret}y {secret}") == f"x{MASK}y {MASK}"
    assert scrub.data(f"<a>{secret}</a>".encode()) == f"<a>{MASK}</a>".encode()
    assert scrub.mapping({secret: f"v{secret}"}) == {MASK: f"v{MASK}"}


def test_a_short_secret_is_masked_where_it_stands_alone_and_words_stay_whole() -> None:
    scrub = Scrubber(["p", "ab12"])
    message = "gave up after 3 attempts: u:p@host, token ab12; tab123 kept"
    assert scrub.text(message) == "gave up after 3 attempts: u:***@host, token ***; tab123 kept"
    assert scrub.data(b"p p1 (p)") == b"*** p1 (***)"
    assert len("ab12") < SHORT_SECRET


def test_the_longest_secret_wins_and_nothing_is_half_masked() -> None:
    scrub = Scrubber(["pass", "password-long-enough"])
    assert scrub.text("password-long-enough pass") == f"{MASK} {MASK}"


def test_secrets_with_pattern_characters_and_non_ascii_are_literal() -> None:
    scrub = Scrubber(["a.b*", "é!x", "(?:x)+"])
    assert scrub.text("a.b* axb é!x (?:x)+") == f"{MASK} axb {MASK} {MASK}"
    assert scrub.data("é!x".encode()) == MASK.encode()


def test_no_secrets_changes_nothing() -> None:
    assert Scrubber([""]).text("anything") == "anything"
    assert Scrubber([]).data(b"anything") == b"anything"

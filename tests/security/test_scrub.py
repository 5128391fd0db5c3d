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


def test_the_basic_auth_base64_of_a_secret_is_masked_whatever_the_user() -> None:
    import base64

    secret = "Zq9SecretPw!Xy"
    scrub = Scrubber([secret])
    for user in ("sandbox@example.com", "a", "ab", "abc", "BOOMI_TOKEN.someone@example.com"):
        header = base64.b64encode(f"{user}:{secret}".encode()).decode()
        shown = scrub.text(f"Bad request from Basic {header}")
        assert header not in shown and MASK in shown
        inside = base64.b64encode(f"{user}:{secret}:more".encode()).decode()
        assert MASK.encode() in scrub.data(inside.encode())


def test_xml_and_json_escaped_forms_of_a_secret_are_masked() -> None:
    import json
    from xml.sax.saxutils import escape

    secret = 'Q"uo\\te&Amp<Lt>9'
    scrub = Scrubber([secret])
    for shown in (
        escape(secret, {'"': "&quot;"}),
        escape(secret),
        "Q&#34;uo\\te&#x26;Amp&#60;Lt&#X3E;9",
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=True).replace('\\"', "\\u0022")[1:-1],
    ):
        assert scrub.text(f"<a>{shown}</a>") == f"<a>{MASK}</a>", shown
        assert scrub.data(f"<a>{shown}</a>".encode()) == f"<a>{MASK}</a>".encode(), shown
    accented = Scrubber(["pässwörd-1"])
    assert accented.text(json.dumps("pässwörd-1", ensure_ascii=True)) == f'"{MASK}"'

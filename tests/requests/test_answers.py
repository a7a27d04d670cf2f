"""The readers of answers (bot/requests/answers.py): good text gives a value, bad text an Invalid with a reply key."""

from collections.abc import Callable
from typing import Any, Optional

import pytest

from bot.knowledge import knowledge
from bot.requests.answers import (
    Invalid,
    find_ref,
    parse_company,
    parse_contact_name,
    parse_email,
    parse_free_text,
    parse_ior_numbers,
)


def _invalid(parse: Callable[[], Any]) -> Invalid:
    """The Invalid that ``parse`` raises; its reply key exists in the catalogue."""
    with pytest.raises(Invalid) as caught:
        parse()
    assert caught.value.response in knowledge().responses
    return caught.value


@pytest.mark.parametrize(
    "text, keys",
    [
        ("123-45-6789", ["123456789"]),
        ("IOR 12-3456789AB and 123456-12345", ["123456789AB", "12345612345"]),
        ("12-3456789AB, 12-3456789AB", ["123456789AB"]),
    ],
)
def test_ior_numbers(text: str, keys: list) -> None:
    assert [i.key for i in parse_ior_numbers(text)] == keys


@pytest.mark.parametrize("text", ["", "none yet", "abc 12345", "123-45-6789 and 99-999"])
def test_bad_ior_numbers(text: str) -> None:
    error = _invalid(lambda: parse_ior_numbers(text))
    assert error.response == "utter_invalid_ior_numbers" and "99-999" not in str(error.values)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Acme Imports LLC", "Acme Imports LLC"),
        ("our company name is 'Acme Ltd'", "Acme Ltd"),
        ("it's Globex.", "Globex"),
    ],
)
def test_company(text: str, name: str) -> None:
    assert parse_company(text) == name


@pytest.mark.parametrize("text", ["yes", "hi", "/affirm", "A", "1234"])
def test_bad_company(text: str) -> None:
    assert _invalid(lambda: parse_company(text)).response == "utter_invalid_company"


@pytest.mark.parametrize(
    "text, name", [("Jane Doe", "Jane Doe"), ("my name is Jane Doe", "Jane Doe"), ("I'm Li Wu", "Li Wu")]
)
def test_contact_name(text: str, name: str) -> None:
    assert parse_contact_name(text) == name


@pytest.mark.parametrize("text", ["thanks", "jane@acme.com", "Agent 007", "J"])
def test_bad_contact_name(text: str) -> None:
    assert _invalid(lambda: parse_contact_name(text)).response == "utter_invalid_contact_name"


@pytest.mark.parametrize(
    "text, email", [("jane@Acme.COM", "jane@acme.com"), ("my email is Jane.Doe@acme.co.uk.", "Jane.Doe@acme.co.uk")]
)
def test_email(text: str, email: str) -> None:
    assert parse_email(text) == email


@pytest.mark.parametrize("text", ["jane", "jane@acme", "jane..doe@acme.com", "jane@-acme.com", "jane@acme.c0m"])
def test_bad_email(text: str) -> None:
    assert _invalid(lambda: parse_email(text)).response == "utter_invalid_email"


def test_free_text() -> None:
    assert parse_free_text("  classification   of parts ", "utter_invalid_topic") == "classification of parts"
    assert _invalid(lambda: parse_free_text("ok", "utter_invalid_topic")).response == "utter_invalid_topic"
    assert _invalid(lambda: parse_free_text("a" * 11, "utter_invalid_topic", maximum=10)).response == (
        "utter_invalid_topic"
    )


@pytest.mark.parametrize(
    "text, ref",
    [
        ("status of cr 2026 000123?", "CR-2026-000123"),
        ("SV-2025-000001", "SV-2025-000001"),
        ("my request", None),
        ("CR-\u1096\u0a6b\u1c55\u0be9-\u0ed70\u0be9\U0001d7fa\u17e4\u09e8", None),  # other scripts' digits (fuzz test)
        (None, None),
    ],
)
def test_find_ref(text: Optional[str], ref: Optional[str]) -> None:
    assert find_ref(text) == ref

"""Importer of record numbers: parsing, masking, and masking in logs."""

import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import replies
from bot.ior import SSN_RE, IorFormatError, IorKind, find_ior, install_log_masking, mask_text, mask_value, parse_ior


@pytest.mark.parametrize(
    "text, kind, display",
    [
        ("12-3456789AB", IorKind.EIN, "12-3456789AB"),
        ("123456789ab", IorKind.EIN, "12-3456789AB"),
        (" 27-123456700 ", IorKind.EIN, "27-123456700"),
        ("232704-00123", IorKind.CBP, "232704-00123"),
        ("123-45-6789", IorKind.SSN, "***-**-6789"),
        ("123456789", IorKind.SSN, "***-**-6789"),
    ],
)
def test_parse_accepts_every_format(text: str, kind: IorKind, display: str) -> None:
    ior = parse_ior(text)
    assert ior.kind is kind
    assert ior.display == display


def test_eleven_bare_digits_are_one_key_whatever_the_format() -> None:
    assert parse_ior("23270400123").key == parse_ior("232704-00123").key == "23270400123"


@pytest.mark.parametrize(
    "text", ["", "98-76", "hello", "12-3456789ABC", "1234-56-789", "555555-0012", "CR-2026-000123"]
)
def test_parse_rejects_other_text_without_echoing_it(text: str) -> None:
    with pytest.raises(IorFormatError) as info:
        parse_ior(text)
    shown = replies.text(info.value.reply, **info.value.values)  # the error carries a reply key, not English
    assert "12-3456789AB" in shown  # the reply gives an example
    if text:
        assert text not in shown and text not in str(info.value)


def test_an_ssn_never_prints_in_full() -> None:
    ior = parse_ior("123-45-6789")
    for shown in (str(ior), repr(ior), f"{ior}", ior.display):
        assert "123-45" not in shown and "12345" not in shown


def test_mask_text_masks_ssns_only() -> None:
    text = "ssn 123-45-6789, bare 987654321, ein 12-3456789AB, hts 8471300100, cbp 232704-00123"
    masked = mask_text(text)
    assert "123-45-6789" not in masked and "987654321" not in masked
    assert "***-**-6789" in masked and "***-**-4321" in masked
    for kept in ("12-3456789AB", "8471300100", "232704-00123"):
        assert kept in masked


def test_find_ior_in_free_text() -> None:
    assert find_ior("which center is 12-3456789ab in?").display == "12-3456789AB"
    assert find_ior("no number here") is None


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    with caplog.at_level(logging.INFO):
        logging.getLogger("cee.test").info("user said %s", "my ssn is 123-45-6789")
    assert "123-45-6789" not in caplog.text
    assert "***-**-6789" in caplog.text


# Whitespace that the parser removes, and text around a number that holds no digit (a digit would make it longer).
_SPACE = st.text(alphabet=" \t\n\u00a0\u2003", max_size=2)
_AROUND = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=20)


@st.composite
def _typed_ssn(draw: st.DrawFn) -> str:
    """A string that parse_ior reads as an SSN: SSN_RE's own form with whitespace anywhere."""
    compact = draw(st.from_regex(SSN_RE, fullmatch=True))
    return draw(_SPACE) + "".join(ch + draw(_SPACE) for ch in compact)


@settings(max_examples=500, deadline=None)
@given(number=_typed_ssn(), before=_AROUND, after=_AROUND)
def test_every_number_the_parser_reads_as_an_ssn_is_masked_in_any_text(number: str, before: str, after: str) -> None:
    assert parse_ior(number).kind is IorKind.SSN
    masked = mask_text(before + number + after)
    last_four = "".join(re.findall(r"\d", number))[-4:]
    assert "".join(re.findall(r"\d", masked)) == last_four  # only the last four digits are left
    assert "***-**-" + last_four in masked


@pytest.mark.parametrize("number", ["123-456789", "12345-6789", "123 45 6789", "123-45-6789", "123456789"])
def test_the_forms_missed_before_are_masked(number: str) -> None:
    assert mask_text(f"my number is {number}, thanks") == "my number is ***-**-6789, thanks"


def test_other_importer_numbers_are_left_alone() -> None:
    for text in ("12-3456789AB", "230517-40021", "23051740021", "1234567890", "8471.30.0100"):
        assert mask_text(text) == text


def test_mask_value_masks_nested_strings_and_keeps_what_needs_nothing() -> None:
    clean = {"a": ["x", 1], "b": None}
    assert mask_value(clean) is clean
    assert mask_value({"t": ("123 45 6789",), "123456789": 2}) == {"t": ("***-**-6789",), "***-**-6789": 2}

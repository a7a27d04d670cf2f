"""The readers of answers that choose a value (bot/requests/choices.py): the button's choice or the words."""

from collections.abc import Callable
from typing import Optional

import pytest

from bot.requests.answers import Invalid
from bot.requests.choices import parse_cadence, parse_reason, parse_role, parse_size


@pytest.mark.parametrize(
    "text, choice, value",
    [
        ("anything", "business_practice", ("business_practice", None)),
        ("product line", None, ("product_line", None)),
        ("our product line moved to machinery", None, ("product_line", "our product line moved to machinery")),
        ("we reorganised our whole supply chain", None, ("other", "we reorganised our whole supply chain")),
    ],
)
def test_reason(text: str, choice: Optional[str], value: tuple) -> None:
    assert parse_reason(text, choice) == value


@pytest.mark.parametrize("text", ["yes", "dunno", "/inform"])
def test_bad_reason(text: str) -> None:
    with pytest.raises(Invalid, match=r"^utter_invalid_reason$"):
        parse_reason(text, None)


@pytest.mark.parametrize(
    "parse, text, choice, value",
    [
        (parse_role, "x", "broker", "broker"),
        (parse_role, "we are the importer of record", None, "importer"),
        (parse_role, "customs broker", None, "broker"),
        (parse_size, "x", "mid", "mid"),
        (parse_size, "medium sized", None, "mid"),
        (parse_size, "quite big", None, "large"),
        (parse_cadence, "x", "monthly", "monthly"),
        (parse_cadence, "every three months", None, "quarterly"),
        (parse_cadence, "once a month", None, "monthly"),
    ],
)
def test_choices(parse: Callable[[str, Optional[str]], str], text: str, choice: Optional[str], value: str) -> None:
    assert parse(text, choice) == value


@pytest.mark.parametrize(
    "parse, text, key",
    [
        (parse_role, "broker and importer", "utter_invalid_role"),
        (parse_role, "neither", "utter_invalid_role"),
        (parse_size, "small to large", "utter_invalid_size"),
        (parse_cadence, "weekly", "utter_invalid_cadence"),
    ],
)
def test_bad_choices(parse: Callable[[str, Optional[str]], str], text: str, key: str) -> None:
    with pytest.raises(Invalid, match=rf"^{key}$"):
        parse(text, None)

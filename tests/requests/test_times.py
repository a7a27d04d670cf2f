"""The readers of times (bot/requests/times.py): time zones, months."""

from typing import Any, Optional

import pytest

from bot.knowledge import knowledge
from bot.requests.answers import Invalid
from bot.requests.times import parse_months, parse_time_zone


@pytest.mark.parametrize(
    "text, choice, value",
    [
        ("x", "Pacific", {"zone": "Pacific", "name": None}),
        ("we're on central time", None, {"zone": "Central", "name": None}),
        ("EST", None, {"zone": "Eastern", "name": None}),
        ("America/Chicago", None, {"zone": "Central", "name": "America/Chicago"}),
        ("us/eastern", None, {"zone": "Eastern", "name": "US/Eastern"}),
        ("america/north_dakota/center", None, {"zone": "Central", "name": "America/North_Dakota/Center"}),
    ],
)
def test_time_zone(text: str, choice: Optional[str], value: dict[str, Optional[str]]) -> None:
    assert parse_time_zone(text, choice) == value


@pytest.mark.parametrize("text", ["Europe/Paris", "eastern or pacific", "whenever", "GMT"])
def test_bad_time_zone(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_time_zone(text, None)
    assert caught.value.response == "utter_invalid_time_zone" in knowledge().responses


@pytest.mark.parametrize(
    "text, value",
    [
        ("March or April 2026", {"months": ["March", "April"], "years": ["2026"]}),
        ("Nov-Jan", {"months": ["November", "December", "January"], "years": []}),
        ("this fall", {"months": ["September", "October", "November"], "years": []}),
        ("sept through oct, or june", {"months": ["September", "October", "June"], "years": []}),
        ("any time is fine", {"months": [], "years": []}),
    ],
)
def test_months(text: str, value: dict[str, Any]) -> None:
    assert parse_months(text) == value


@pytest.mark.parametrize("text", ["soon", "2026", "next week"])
def test_bad_months(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_months(text)
    assert caught.value.response == "utter_invalid_months" in knowledge().responses

"""The reader of a change of Center's HTS profile (bot/requests/hts_profile.py)."""

import pytest

from bot.knowledge import knowledge
from bot.requests.answers import Invalid
from bot.requests.hts_profile import parse_hts_profile


@pytest.mark.parametrize(
    "text, profile",
    [
        ("84 60%, 85 30%", [{"chapter": "84", "share": 60}, {"chapter": "85", "share": 30}]),
        ("84, 85", [{"chapter": "84", "share": None}, {"chapter": "85", "share": None}]),
        ("chapter 84: 60%", [{"chapter": "84", "share": 60}]),
        ("8471 50%", [{"chapter": "84", "share": 50}]),
        ("84 12.5 percent", [{"chapter": "84", "share": 12.5}]),
    ],
)
def test_hts_profile(text: str, profile: list) -> None:
    assert parse_hts_profile(text) == profile


@pytest.mark.parametrize(
    "text, key",
    [
        ("no idea", "utter_invalid_hts_profile"),
        ("60%", "utter_invalid_hts_profile"),
        ("84 85 60%", "utter_invalid_hts_profile"),
        (", ".join(str(c) for c in range(1, 12)), "utter_hts_too_many"),
        ("98, 84", "utter_hts_special_chapters"),
        ("77", "utter_unknown_hts_chapters"),
        ("84, 84", "utter_hts_duplicate_chapter"),
        ("84 70%, 85 40%", "utter_hts_bad_shares"),
    ],
)
def test_bad_hts_profile(text: str, key: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_hts_profile(text)
    assert caught.value.response == key in knowledge().responses

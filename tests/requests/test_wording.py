"""The words shown for stored values (bot/requests/wording.py)."""

import pytest

from bot import replies
from bot.requests.wording import center_label, hts_lines, hts_summary, months_label, ordinal, time_zone_label


@pytest.mark.parametrize("n, key", [(1, "utter_ordinal_1"), (2, "utter_ordinal_2"), (3, "utter_ordinal_3")])
def test_first_ordinals_are_words(n: int, key: str) -> None:
    assert ordinal(n) == replies.text(key)


def test_later_ordinals_are_numbered() -> None:
    assert ordinal(4) == replies.text("utter_ordinal_n", n=4) and "4" in ordinal(4)


@pytest.mark.parametrize(
    "value, shown",
    [
        ({"zone": "Central", "name": "America/Chicago"}, "Central (America/Chicago)"),
        ({"zone": "Pacific", "name": None}, "Pacific"),
    ],
)
def test_time_zone_label(value: dict, shown: str) -> None:
    assert time_zone_label(value) == shown


def test_months_label() -> None:
    assert months_label({"months": [], "years": []}) == replies.text("utter_sv_any_month")
    assert months_label({"months": ["May"], "years": ["2026"]}) == "May 2026"
    either = replies.text("utter_either", first="March, April", last="May")
    assert months_label({"months": ["March", "April", "May"], "years": []}) == either


def test_hts_summary_and_lines() -> None:
    profile = [{"chapter": "84", "share": 60}, {"chapter": "85", "share": None}]
    first = replies.text("utter_cc_hts_chapter_share", chapter="84", share="60%")
    assert hts_summary(profile) == first + ", " + replies.text("utter_cc_hts_chapter", chapter="85")
    assert len(hts_lines(profile).split("\n")) == 2


def test_unknown_center_label() -> None:
    assert center_label(None) == center_label("unknown") == replies.text("utter_cc_current_center_unknown")

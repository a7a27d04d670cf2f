"""The words shown for stored values (bot/requests/wording.py)."""

import pytest

from bot import replies
from bot.requests.wording import ordinal


@pytest.mark.parametrize("n, key", [(1, "utter_ordinal_1"), (2, "utter_ordinal_2"), (3, "utter_ordinal_3")])
def test_first_ordinals_are_words(n: int, key: str) -> None:
    assert ordinal(n) == replies.text(key)


def test_later_ordinals_are_numbered() -> None:
    assert ordinal(4) == replies.text("utter_ordinal_n", n=4) and "4" in ordinal(4)

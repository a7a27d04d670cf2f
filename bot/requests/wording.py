"""What turns stored values into shown values; every word comes from ``knowledge/replies`` via :mod:`bot.replies`."""

from __future__ import annotations

from bot import replies


def ordinal(n: int) -> str:
    """``first``, ``second``, ``third``, then ``4th``: the position of an item in a list.

    Args:
        n: the position, from 1.

    Returns:
        The position in words (from the replies catalogue).
    """
    return replies.text(f"utter_ordinal_{n}") if n <= 3 else replies.text("utter_ordinal_n", n=n)

"""Unanswered questions grouped by similarity."""

from __future__ import annotations

from bot.insights.similar import MAX_EXAMPLES, group, key


def test_key_drops_common_words_and_numbers() -> None:
    assert key("How do I renew MY passport?") == "renew passport"
    assert key("is ***-**-6789 my number") == "# # # number"


def test_similar_questions_share_a_group() -> None:
    asked = [
        ("purple elephants sing jazz", "fallback"),
        ("Purple elephant singing jazz tonight", "fallback"),
        ("purple elephants sing jazz", "not_helpful"),
        ("weather in Laredo today", "fallback"),
        ("what is the weather in Laredo", "fallback"),
        ("asdf qwerty", "fallback"),
    ]
    groups = group(asked)
    assert [g.count for g in groups] == [3, 2, 1]
    first = groups[0]
    assert first.label == "purple elephants sing jazz" and (first.fallbacks, first.not_helpful) == (2, 1)
    assert set(first.examples) == {"purple elephants sing jazz", "Purple elephant singing jazz tonight"}


def test_at_most_three_examples() -> None:
    asked = [(f"renew my passport {word}", "fallback") for word in ("now", "today", "please", "quickly", "soon")]
    groups = group(asked)
    assert len(groups) == 1 and len(groups[0].examples) == MAX_EXAMPLES and groups[0].count == 5


def test_nothing_asked() -> None:
    assert group([]) == []

"""bot/vocab.py and bot/fiscal.py are the one definition of the bot's vocabulary, and everything that uses it agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import fiscal, replies, vocab
from bot.db.models import FigureRow
from bot.fiscal import Period, parse_period
from bot.requests.kinds import KINDS


def test_every_metric_is_a_figure_column_with_a_label() -> None:
    assert set(vocab.METRICS) <= set(FigureRow.__table__.columns.keys())
    assert all(replies.text(vocab.label_reply(metric)) for metric in vocab.METRICS)


def test_the_metric_words_name_their_metric() -> None:
    assert set(vocab.MATCH_ORDER) == set(vocab.METRICS)
    assert set(vocab.FLOW_METRICS) == {"entries", "post_entry_actions"}
    for metric in vocab.BY_KEY.values():
        assert all(vocab.METRIC_WORDS[word] == metric.key for word in metric.words)


def test_each_kind_of_request_has_a_form_and_a_reference_prefix() -> None:
    assert tuple(KINDS) == vocab.REQUEST_KINDS == tuple(vocab.REF_PREFIXES)
    assert [kind.trigger for kind in KINDS.values()] == list(vocab.REQUEST_INTENTS)
    assert vocab.REF_PREFIX_PATTERN == "CR|OC|SV"


def test_the_size_patterns_cover_every_size() -> None:
    assert tuple(vocab.SIZE_PATTERNS) == vocab.SIZES


def test_the_period_words() -> None:
    assert fiscal.QUARTER_WORDS == ("q1", "q2", "q3", "q4")
    assert fiscal.ORDINALS["3rd"] == fiscal.ORDINALS["third"] == 3
    assert set(fiscal.BACK) <= set(fiscal.RELATIVE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("first quarter or second quarter of FY2025", (2025, 2)), ("4th quarter 2024", (2024, 4)), ("", (None, None))],
)
def test_parse_period_reads_ordinals(text: str, expected: tuple) -> None:
    assert parse_period(text, Period.of(dt.date(2026, 9, 30))) == expected

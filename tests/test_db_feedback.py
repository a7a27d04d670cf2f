"""Feedback on answers (bot.db.feedback) against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db import store

NOW = dt.datetime(2026, 12, 4, 12, tzinfo=dt.timezone.utc)


@pytest.fixture
def db(db_url: str) -> str:
    """A fresh database with its tables."""
    store.init_db()
    return db_url


def test_feedback_is_stored_masked_and_read_back_by_period(db: str) -> None:
    store.record_feedback("s1", "socketio", "faq/change_center", False, "my number 123-45-6789 isn't found", NOW)
    store.record_feedback("s2", "slack", "utter_greet", True, at=NOW - dt.timedelta(days=3))
    recent = store.feedback_between(NOW - dt.timedelta(days=1))
    assert [(f.sender_id, f.answer_id, f.helpful) for f in recent] == [("s1", "faq/change_center", False)]
    assert recent[0].question == "my number ***-**-6789 isn't found" and recent[0].created_at == NOW
    assert len(store.feedback_between(NOW - dt.timedelta(days=5), NOW)) == 1
    assert store.delete_feedback_before(NOW - dt.timedelta(days=1)) == 1
    assert [f.sender_id for f in store.feedback_between(NOW - dt.timedelta(days=30))] == ["s1"]


def test_a_long_question_is_cut_and_an_empty_answer_id_refused(db: str) -> None:
    assert len(store.record_feedback("s", "rest", "faq/x", True, "why " * 500).question) == 500
    with pytest.raises(ValueError):
        store.record_feedback("s", "rest", "", True)
    with pytest.raises(ValueError):
        store.record_feedback("s", "rest", "x" * 201, True)

"""Feedback on answers without a running server: which bot messages are answers (bot/channels/feedback.py, read from
real Rasa events and the real knowledge), and its retention (bot/retention.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered

from bot import replies
from bot.channels.feedback import answer_id_of, answers_in, valid_ref
from bot.db import store
from bot.retention import RetentionError, purge_at_start, purge_feedback
from bot.settings import ROOT, Settings

T0 = 1_790_000_000.0


def user(text: str, message_id: str, at: float) -> UserUttered:
    return UserUttered(text, {"name": "x"}, timestamp=at, message_id=message_id)


def bot(text: Optional[str], at: float, reply: Optional[str] = None, **data: Any) -> BotUttered:
    return BotUttered(text, data or None, {"utter_action": reply} if reply else {}, timestamp=at)


def conversation() -> list[Event]:
    return [
        ActionExecuted("action_listen", timestamp=T0),
        user("hello", "m1", T0 + 1),
        ActionExecuted("utter_greet", timestamp=T0 + 2),
        bot("Hello!", T0 + 2.1, "utter_greet", buttons=[{"title": "Centers", "payload": "/list_centers"}]),
        user("what is a CEE", "m2", T0 + 3),
        ActionExecuted("utter_faq", timestamp=T0 + 4),
        bot("The Centers are ten CBP offices.", T0 + 4.1, "utter_faq/what_are_centers"),
        ActionExecuted("importer_lookup_form", timestamp=T0 + 5),
        bot("Which importer number?", T0 + 5.1),  # the form goes on: a question
        user("which center handles brake pads", "m3", T0 + 6),
        ActionExecuted("action_center_for_product", timestamp=T0 + 7),
        bot("Brake pads go to the Automotive Center.", T0 + 7.1),
        bot(None, T0 + 7.2, custom={"type": "chart"}),  # the same answer's chart
        ActionExecuted("action_listen", timestamp=T0 + 8),
        user("which center handles", "m4", T0 + 9),
        ActionExecuted("action_center_for_product", timestamp=T0 + 10),
        bot(replies.text("utter_ask_product"), T0 + 10.1),  # the action asks back: not an answer
        user("help", "m5", T0 + 11),
        ActionExecuted("utter_help", timestamp=T0 + 12),
        bot("I can tell you which Center handles an importer.", T0 + 12.1, "utter_help"),
        user("???", "m6", T0 + 13),
        ActionExecuted("action_two_stage_fallback", timestamp=T0 + 14),
        bot("Did you mean:", T0 + 14.1, buttons=[{"title": "Figures", "payload": "/ask_figure"}]),
        user("bye", "m7", T0 + 15),
        ActionExecuted("utter_goodbye", timestamp=T0 + 16),
        bot("Goodbye!", T0 + 16.1, "utter_goodbye"),
    ]


def test_answers_are_articles_answer_replies_and_answer_actions_only() -> None:
    found = answers_in(conversation())
    assert [(a.answer_id, a.question, a.turn, a.ref) for a in found] == [
        ("faq/what_are_centers", "what is a CEE", "m2", repr(T0 + 4.1)),
        ("action_center_for_product", "which center handles brake pads", "m3", repr(T0 + 7.2)),  # after its chart
        ("utter_help", "help", "m5", repr(T0 + 12.1)),
    ]


def test_the_knowledge_id_of_one_actions_messages() -> None:
    assert (
        answer_id_of("utter_chitchat", [bot("Fine!", T0, "utter_chitchat/ask_how_are_you")])
        == "chitchat/ask_how_are_you"
    )
    assert answer_id_of("utter_out_of_scope", [bot("I can't help with that.", T0, "utter_out_of_scope")])
    assert answer_id_of("action_figure", [bot(replies.text("utter_database_down"), T0)]) is None
    assert answer_id_of("action_figure", [bot("CEE010 had 1,234 importers.", T0)]) == "action_figure"
    assert answer_id_of("action_submit_change_center", [bot("Stored as CR-1234.", T0)]) is None
    assert answer_id_of(None, [bot("text", T0)]) is None
    assert answer_id_of("utter_faq", []) is None


@pytest.mark.parametrize("ref", [None, 1.5, "", "abc", "1" * 41, ["1.5"], "1e400x"])
def test_refs_that_are_not_refs(ref: Any) -> None:
    assert valid_ref(ref) is None
    assert valid_ref("1790000004.1") == "1790000004.1"


@pytest.fixture
def db(db_url: str) -> str:
    store.init_db()
    return db_url


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_feedback_older_than_the_retention_period_is_deleted(db: str) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    store.record_feedback("old", "socketio", "faq/x", False, "q", at=now - dt.timedelta(days=91))
    store.record_feedback("recent", "slack", "faq/x", True, "q", at=now - dt.timedelta(days=89))
    assert purge_feedback(90) == 1
    assert [f.sender_id for f in store.feedback_between(now - dt.timedelta(days=365))] == ["recent"]
    assert purge_feedback(7, now=time.time()) == 1
    with pytest.raises(RetentionError):
        purge_feedback(0)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_make_run_and_the_staff_command_purge_feedback(db: str, tmp_path: Path) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    store.record_feedback("old", "socketio", "faq/x", False, at=now - dt.timedelta(days=100))
    purge_at_start(Settings(tracker_store_url=f"sqlite:///{tmp_path / 'none.db'}", retention_days=90))
    assert store.feedback_between(now - dt.timedelta(days=365)) == ()

    store.record_feedback("old", "socketio", "faq/x", False, at=now - dt.timedelta(days=100))
    env = {**os.environ, "DATABASE_URL": db, "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.db", "purge-conversations"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 feedback(s) on answers older than 90 days deleted" in done.stdout
    assert store.feedback_between(now - dt.timedelta(days=365)) == ()


def test_no_feedback_table_yet_is_nothing_to_purge(db_url: str) -> None:
    assert purge_feedback(90) == 0

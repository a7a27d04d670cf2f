"""Feedback on answers in Slack, end to end: real signed Slack requests to a running Rasa server with the Slack channel
on (the stand-in for Slack's Web API of ``tests/e2e/test_slack.py``). The bot adds :+1: and :-1: to an answer; the
asker's signed ``reaction_added`` :-1: is stored once, and nobody else's reaction, an unsigned one or one on another
message is (bot/channels/slack.py, bot/channels/slack_feedback.py)."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from bot.channels.slack_feedback import PostedAnswer, PostedAnswers, reaction_value
from bot.db import store
from bot.serve import Stack
from tests.e2e.test_slack import (
    BOT_USER,
    REPLY_WAIT,
    SlackBot,
    SlackStandIn,
    message_event,
    new_channel,
    running_slack_bot,
    sign,
)
from tests.running import FAQ_ARTICLE, FAQ_QUESTION


@pytest.fixture(scope="module")
def slack_bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[SlackBot]:
    with running_slack_bot(start_stack, "slack-feedback") as bot:
        yield bot


def reactions(slack: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    """The ``reactions.add`` calls for ``channel`` (slack_sdk sends their arguments in the query string)."""
    found = []
    with slack.lock:
        for method, body, _ in slack.calls:
            name, _, query = method.partition("?")
            arguments = {**body, **{k: v[0] for k, v in urllib.parse.parse_qs(query).items()}}
            if name == "reactions.add" and arguments.get("channel") == channel:
                found.append(arguments)
    return found


def wait_for_reactions(slack: SlackStandIn, channel: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + REPLY_WAIT
    while time.monotonic() < deadline and len(reactions(slack, channel)) < count:
        time.sleep(0.2)
    return reactions(slack, channel)


def reaction_event(user: str, channel: str, ts: str, reaction: str) -> dict[str, Any]:
    """An Events API ``reaction_added`` on a message of the bot, as Slack sends it."""
    return {
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": {
            "type": "reaction_added",
            "user": user,
            "reaction": reaction,
            "item_user": BOT_USER,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}",
        },
    }


def post_json(slack_bot: SlackBot, payload: dict[str, Any], signed: bool = True) -> int:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(sign(body) if signed else {})}
    return slack_bot.post(body, headers)[0]


def stored(slack_bot: SlackBot, user: str, monkeypatch: pytest.MonkeyPatch) -> list[store.FeedbackRecord]:
    """The feedback stored for the conversations of a Slack user (``<user>_<channel>_<thread>`` with threads)."""
    monkeypatch.setenv("DATABASE_URL", slack_bot.stack.settings.database_url)
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    return [f for f in store.feedback_between(since) if f.sender_id.startswith(user)]


def test_the_askers_reaction_on_an_answer_is_stored_once(slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch) -> None:
    channel, user = new_channel(), f"U{uuid.uuid4().hex[:9].upper()}"
    assert post_json(slack_bot, message_event(FAQ_QUESTION, channel, user=user)) == 200
    seeded = wait_for_reactions(slack_bot.slack, channel, 2)
    assert sorted(r["name"] for r in seeded) == ["+1", "-1"], seeded
    ts = seeded[0]["timestamp"]
    assert len(slack_bot.slack.posts(channel)) == 1  # the answer only: no extra message

    someone_else = reaction_event(f"U{uuid.uuid4().hex[:9].upper()}", channel, ts, "-1")
    assert post_json(slack_bot, someone_else) == 200
    assert post_json(slack_bot, reaction_event(user, channel, ts, "-1"), signed=False) == 400
    assert post_json(slack_bot, reaction_event(user, channel, "1.000001", "-1")) == 200  # not an answer
    assert post_json(slack_bot, reaction_event(user, channel, ts, "tada")) == 200  # not a rating
    assert post_json(slack_bot, reaction_event(user, channel, ts, "-1::skin-tone-3")) == 200
    assert post_json(slack_bot, reaction_event(user, channel, ts, "+1")) == 200  # a second rating: not stored

    rows = stored(slack_bot, user, monkeypatch)
    assert [(f.answer_id, f.helpful, f.question, f.channel) for f in rows] == [
        (FAQ_ARTICLE, False, FAQ_QUESTION, "slack")
    ]


def test_a_greeting_gets_no_feedback_reactions(slack_bot: SlackBot) -> None:
    channel = new_channel()
    assert post_json(slack_bot, message_event("hello", channel)) == 200
    assert slack_bot.slack.wait_for_posts(channel)
    time.sleep(3)
    assert reactions(slack_bot.slack, channel) == []


def test_reaction_names_and_the_memory_of_answers() -> None:
    assert [reaction_value(n) for n in ("+1", "thumbsup", "+1::skin-tone-2", "-1", "thumbsdown", "tada", None)] == [
        True,
        True,
        True,
        False,
        False,
        None,
        None,
    ]
    memory = PostedAnswers(ttl=60, max_size=2)
    for n in range(3):
        memory.remember("D1", f"{n}.0", PostedAnswer(f"s{n}", "U1", f"{n}.5"))
    assert memory.get("D1", "0.0") is None and len(memory) == 2  # the oldest forgotten
    assert memory.get("D1", "2.0") == PostedAnswer("s2", "U1", "2.5")
    assert memory.get("D1", 2.0) is None and memory.get(None, "2.0") is None
    expired = PostedAnswers(ttl=0)
    expired.remember("D1", "1.0", PostedAnswer("s", "U1", "1.5"))
    assert expired.get("D1", "1.0") is None

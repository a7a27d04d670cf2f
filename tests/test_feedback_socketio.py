"""Feedback on answers over socket.io, against the running bot: offered on answers only, stored once, and only for
the conversation the socket itself joined (bot/channels/socketio.py, bot/channels/feedback.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from bot.db import store
from tests.running import FAQ_ARTICLE, FAQ_QUESTION, Bot, SocketChat
from tests.stack import rasa_url


@pytest.fixture
def bot_db(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bot]:
    """The running bot, with this process reading the bot's database through ``bot.db.store``."""
    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    yield bot


class FeedbackChat(SocketChat):
    """A web chat client that also collects ``feedback_offer`` events and sends ``feedback`` with its ack."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.offers: list[dict[str, Any]] = []
        self.client.on("feedback_offer", lambda data: self.offers.append(data))

    async def give(self, answer: Any, helpful: Any, **extra: Any) -> Any:
        return await self.client.call("feedback", {"answer": answer, "helpful": helpful, **extra}, timeout=30)


def rows(sender_prefix: str = "web-") -> list[store.FeedbackRecord]:
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    return [f for f in store.feedback_between(since) if f.sender_id.startswith(sender_prefix)]


def test_an_answer_is_offered_and_its_feedback_stored_once(bot_db: Bot) -> None:
    async def scenario() -> tuple[str, list[dict], list[dict], list[Any]]:
        async with FeedbackChat(rasa_url(bot_db.stack)) as chat:
            session = await chat.session()
            replies = await chat.ask(FAQ_QUESTION, session)
            greeting = await chat.ask("hello", session)  # not an answer: no offer
            offers = list(chat.offers)
            acks = [await chat.give(offers[0]["answer"], False) if offers else None]
            acks.append(await chat.give(offers[0]["answer"], True) if offers else None)  # a second click
            return session, replies, greeting, [offers, acks]

    session, replies, greeting, (offers, acks) = asyncio.run(scenario())
    assert len(offers) == 1, offers
    assert all(r.get("message_id") for r in replies + greeting)
    assert offers[0]["answer"] == replies[-1]["message_id"]  # after the whole answer (answer and source)
    assert acks == [{"status": "stored"}, {"status": "already"}]
    sender = "web-" + session.split(".")[0]
    stored = [f for f in rows() if f.sender_id == sender]
    assert [(f.answer_id, f.helpful, f.question, f.channel) for f in stored] == [
        (FAQ_ARTICLE, False, FAQ_QUESTION, "socketio")
    ]


def test_a_socket_cannot_give_feedback_on_another_conversation(bot_db: Bot) -> None:
    async def scenario() -> tuple[str, list[Any]]:
        url = rasa_url(bot_db.stack)
        async with FeedbackChat(url) as owner, FeedbackChat(url) as other, FeedbackChat(url) as stranger:
            session = await owner.session()
            await owner.ask(FAQ_QUESTION, session)
            ref = owner.offers[0]["answer"]
            await other.session()  # a conversation of its own
            acks = [
                await other.give(ref, False),
                await other.give(ref, False, session_id=session),  # naming the owner's session changes nothing
                await stranger.give(ref, False, session_id=session),  # a socket with no conversation at all
            ]
            return session, acks

    session, acks = asyncio.run(scenario())
    assert acks == [{"status": "unknown"}] * 3
    assert not [f for f in rows() if f.sender_id == "web-" + session.split(".")[0]]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "helpful",
        {"answer": "x" * 5000, "helpful": True},
        {"answer": "1733333333.5", "helpful": True},  # no such answer
        {"answer": ["1"], "helpful": True},
        {"answer": "1733333333.5", "helpful": "yes"},
        {"answer": float("nan"), "helpful": False},
    ],
)
def test_bad_feedback_is_answered_softly(bot_db: Bot, data: Any) -> None:
    async def scenario() -> tuple[Any, list[dict]]:
        async with FeedbackChat(rasa_url(bot_db.stack)) as chat:
            session = await chat.session()
            ack = await chat.client.call("feedback", data, timeout=30)
            return ack, await chat.ask(FAQ_QUESTION, session)  # the socket still works

    ack, replies = asyncio.run(scenario())
    assert ack == {"status": "unknown"}
    assert "importer query" in SocketChat.text(replies)  # the KI article's answer: the socket still works

"""Feedback on answers, shared by the channels: which bot messages are answers, and storing "helpful" or not on one.

An **answer** is what the bot said in reply to a question, read from the conversation's tracker (never from the
client): the bot messages of one action, right after its ``ActionExecuted`` event, when

* the action uttered an FAQ or small-talk article (``utter_faq/<id>``, ``utter_chitchat/<id>``; knowledge id
  ``faq/<id>``, ``chitchat/<id>``) or one of :data:`ANSWER_REPLIES` (the reply's name), or
* the action is one of :data:`ANSWER_ACTIONS` (the look-ups, Center details and figures; knowledge id: the action's
  name) and its first message is not a question (a reply named ``utter_ask_*``, or one of :data:`NOT_ANSWERS`);

and none of its messages has buttons (choices are questions). Greetings, form questions, confirmations and errors
are not answers. An answer is known by its **ref**: the timestamp of its last bot message (``repr`` of the float),
which the channels send with the message, so that the feedback controls go after the whole answer.

Feedback is stored with :func:`bot.db.store.record_feedback` (the question is masked there), once per answer: a
repeated click, an unknown ref or a conversation that is not the client's is answered softly and stores nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered

from bot import replies
from bot.db import store
from bot.knowledge import Knowledge, knowledge

logger = logging.getLogger(__name__)

ARTICLE_PREFIXES = ("utter_faq/", "utter_chitchat/")
UTTERED = UTTER_PREFIX + "action"  # the metadata key where Rasa names the reply of a bot message
QUESTION_PREFIX = UTTER_PREFIX + "ask_"  # the replies that ask (form questions and the like)
ANSWER_REPLIES = frozenset({"utter_help", "utter_out_of_scope", "utter_handoff"})
ANSWER_ACTIONS = frozenset(
    {
        "action_list_centers",
        "action_center_info",
        "action_center_contact",
        "action_center_for_product",
        "action_center_for_importer",
        "action_follow_up",
        "action_figure",
        "action_ranking",
        "action_total",
        "action_trend",
        "action_request_status",
    }
)
# Replies an answer action may send that are not answers (the texts without placeholders are recognised).
NOT_ANSWERS = frozenset({"utter_database_down", "utter_action_server_down", "utter_ior_needed"})
MAX_REF_CHARS = 40

# Results of :func:`record`, sent back to the client.
STORED, ALREADY, UNKNOWN, UNAVAILABLE = "stored", "already", "unknown", "unavailable"


@dataclass(frozen=True)
class Answer:
    """One answer of a conversation: its ref, its knowledge id, the question it replied to, when it was sent."""

    ref: str
    answer_id: str
    question: str
    turn: Optional[str]  # the message id of the user message it replied to
    sent_at: float


_question_texts: tuple[Optional[Knowledge], frozenset[str]] = (None, frozenset())


def _questions() -> frozenset[str]:
    """The texts of the replies that ask rather than answer (rebuilt when ``knowledge/`` is reloaded)."""
    global _question_texts
    kb = knowledge()
    if _question_texts[0] is not kb:
        names = [n for n in kb.responses if n.startswith(QUESTION_PREFIX) or n in NOT_ANSWERS]
        _question_texts = (kb, frozenset(replies.text(n) for n in names))
    return _question_texts[1]


def answer_id_of(action: Optional[str], messages: list[BotUttered]) -> Optional[str]:
    """The knowledge id of the messages an action sent, when they are an answer (see the module doc); else None."""
    if not action or not messages or any(m.data.get("buttons") or m.data.get("quick_replies") for m in messages):
        return None
    first = messages[0]
    uttered = str(first.metadata.get(UTTERED) or "")
    if uttered.startswith(ARTICLE_PREFIXES):
        return uttered.removeprefix(UTTER_PREFIX)
    if uttered:
        return uttered if uttered in ANSWER_REPLIES else None
    if action in ANSWER_ACTIONS and first.text and first.text.strip() not in _questions():
        return action
    return None


def answers_in(events: Iterable[Event]) -> list[Answer]:
    """Every answer in a conversation's events, oldest first."""
    found: list[Answer] = []
    question, turn, action = "", None, None
    group: list[BotUttered] = []

    def close() -> None:
        answer_id = answer_id_of(action, group)
        if answer_id:
            last = group[-1]
            found.append(Answer(repr(float(last.timestamp)), answer_id, question, turn, float(last.timestamp)))
        group.clear()

    for event in events:
        if isinstance(event, BotUttered):
            group.append(event)
            continue
        if isinstance(event, (ActionExecuted, UserUttered)):
            close()
        if isinstance(event, UserUttered):
            question, turn, action = event.text or "", event.message_id, None
        elif isinstance(event, ActionExecuted):
            action = event.action_name
    close()
    return found


async def conversation_events(agent: Any, sender_id: str, all_sessions: bool = True) -> list[Event]:
    """The events of a conversation in the agent's tracker store ([] when there is none).

    Of every session, or of the last one only (``all_sessions=False``: what a turn has just added).
    """
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None or not sender_id:
        return []
    if all_sessions:
        tracker = await tracker_store.retrieve_full_tracker(sender_id)
    else:
        tracker = await tracker_store.retrieve(sender_id)
    return list(tracker.events) if tracker is not None else []


async def answers_of_turn(agent: Any, sender_id: str, message_id: Optional[str]) -> list[Answer]:
    """The answers given to one user message (by its message id)."""
    if not message_id:
        return []
    try:
        events = await conversation_events(agent, sender_id, all_sessions=False)
    except Exception as exc:  # a tracker store that cannot be read: no feedback controls, the answer stands
        logger.warning("Feedback controls left out: the tracker store could not be read (%s)", type(exc).__name__)
        return []
    return [a for a in answers_in(events) if a.turn == message_id]


def valid_ref(ref: Any) -> Optional[str]:
    """``ref`` when it looks like an answer ref (a short number as text), else None."""
    if not isinstance(ref, str) or not 0 < len(ref) <= MAX_REF_CHARS:
        return None
    try:
        float(ref)
    except ValueError:
        return None
    return ref


_locks: dict[int, asyncio.Lock] = {}


def _lock() -> asyncio.Lock:
    """One lock per event loop: a check and the write that follows it are not interleaved with another's."""
    return _locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())


def _store_once(sender_id: str, channel: str, answer: Answer, helpful: bool) -> str:
    """Store the feedback unless this conversation already gave some on this answer (blocking: database)."""
    since = dt.datetime.fromtimestamp(answer.sent_at, dt.timezone.utc)
    earlier = store.feedback_between(since)
    if any(f.sender_id == sender_id[:255] and f.answer_id == answer.answer_id for f in earlier):
        return ALREADY
    store.record_feedback(sender_id, channel, answer.answer_id, helpful, answer.question)
    return STORED


async def record(agent: Any, sender_id: str, channel: str, ref: Any, helpful: Any) -> str:
    """Store "helpful" (True) or "not helpful" (False) on the answer ``ref`` of the conversation ``sender_id``.

    Returns:
        :data:`STORED`; :data:`ALREADY` when this answer already has feedback from this conversation;
        :data:`UNKNOWN` for a ref that is no answer of this conversation or a ``helpful`` that is not a boolean;
        :data:`UNAVAILABLE` when the tracker store or the database cannot be reached. Never raises.
    """
    ref = valid_ref(ref)
    if ref is None or not isinstance(helpful, bool) or not sender_id:
        return UNKNOWN
    try:
        events = await conversation_events(agent, sender_id)
    except Exception as exc:
        logger.warning("Feedback not stored: the tracker store could not be read (%s)", type(exc).__name__)
        return UNAVAILABLE
    answer = next((a for a in answers_in(events) if a.ref == ref), None)
    if answer is None:
        return UNKNOWN
    try:
        async with _lock():
            result = await asyncio.to_thread(_store_once, sender_id, channel, answer, helpful)
    except store.DatabaseUnavailable:
        logger.warning("Feedback not stored: the database cannot be reached")
        return UNAVAILABLE
    except Exception as exc:  # never let feedback break a channel
        logger.warning("Feedback not stored: %s", type(exc).__name__)
        return UNAVAILABLE
    logger.debug("Feedback on %s: %s (%s)", answer.answer_id, "helpful" if helpful else "not helpful", result)
    return result

"""Conversation context: what the last answers were about, and how the next message is read against it.

Every answer about a Center, a product or a figure remembers, in slots, the Center, metric, period and product it was
about, its question type (the *topic*), the user turn it answered, and what the bot asked for when a piece was
missing. The NLU pipeline reads the next message against it (``bot/followups.py`` makes a short follow-up the
``follow_up`` intent), and this module answers it:

* an answer to what the bot just asked for ("Which Center?" → "electronics") completes the question that was asked;
* a follow-up with one part changed ("and Machinery?", "what about Laredo?", "same for partner accounts",
  "no, I meant Base Metals") repeats the previous question type with that part changed (a figure named after a
  Center's description or contacts or a product's Center, "staff?", asks for that figure of the Center);
* a reference ("where is it?", "its phone number?", "how many staff work there?") takes the Center from the context;
* a new question keeps only what it does not say itself; an FAQ or small-talk answer in between ends a follow-up
  chain (the topic is only followed from the turn just before).

The actions stay thin: each names its topic and calls :func:`answer`; the answering functions register themselves
with :func:`handles`. Only the Center's code and the metric, period and product words are kept: never a full importer
number (only as the user is shown it: a Social Security-format number masked).
"""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import cues, fuzzy, language
from bot.actions import common
from bot.db import store
from bot.knowledge import Center, knowledge
from bot.knowledge.words import plain
from bot.vocab import BY_KEY, MATCH_ORDER

logger = logging.getLogger(__name__)

CENTER_TOPICS = (
    "figure",
    "trend",
    "center_info",
    "center_contact",
    "importer",
)  # a missing Center comes from the context
METRIC_TOPICS = ("figure", "ranking", "total", "trend")  # a missing metric comes from the context


def metric_of(text: Optional[str]) -> Optional[str]:
    """The metric key for words such as "partner accounts", "employees" or, in another language of ``knowledge/``,
    "cuentas de socios" (and, in a message of that language, "personal").
    """
    if not text:
        return None
    translations = knowledge().translations
    for metric in MATCH_ORDER:
        if re.search(BY_KEY[metric].pattern, text, re.IGNORECASE) or any(
            t.vocabulary.names_metric(metric, text, in_language=t.language == language.current())
            for t in translations.values()
        ):
            return metric
    return None


@dataclass(frozen=True)
class Query:
    """What the latest message asks, with the missing parts filled in from the context."""

    topic: str
    text: str  # the message as corrected by the spelling step (its own text when nothing was corrected)
    centers: list[Center] = field(default_factory=list)
    metric: Optional[str] = None
    period: Optional[str] = None
    product: Optional[str] = None  # product words or an HTS number, as asked
    hts: Optional[str] = None  # an HTS number of the message itself
    follow_up: bool = False  # the topic was taken from the previous answer
    turn: int = 0
    slots: dict[str, Any] = field(default_factory=dict)  # the context's slots as the message found them
    typed: str = ""  # the message as the user typed it

    @property
    def center(self) -> Optional[Center]:
        return self.centers[0] if self.centers else None


Handler = Callable[[CollectingDispatcher, Query], Awaitable[list[dict[str, Any]]]]
_HANDLERS: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that answers a topic; it returns extra events (usually :func:`remember`'s)."""

    def register(function: Handler) -> Handler:
        _HANDLERS[topic] = function
        return function

    return register


def user_turn(tracker: Tracker) -> int:
    """How many messages the user has sent in this conversation."""
    return sum(1 for event in tracker.events if event.get("event") == "user")


def text_of(tracker: Tracker) -> str:
    """The latest message as the spelling step corrected it."""
    latest = tracker.latest_message or {}
    return str(latest.get("text_normalised") or latest.get("text") or "")


def _same(words: str, other: Any) -> bool:
    """Whether two product names are the same words, whatever their case and accents ("Camarón", "camaron")."""
    return isinstance(other, str) and plain(words).lower() == plain(other).lower()


def resolve(tracker: Tracker, topic: Optional[str]) -> Query:
    """Read the latest message against the context (see the module docstring).

    Args:
        tracker: the conversation.
        topic: the question type of the action Rasa chose; None for a follow-up (``action_follow_up``).
    """
    kb = knowledge()
    text = text_of(tracker)
    turn = user_turn(tracker)
    slot = tracker.get_slot
    recent = _as_int(slot("ctx_turn")) == turn - 1 and bool(slot("ctx_topic"))
    typed = str((tracker.latest_message or {}).get("text") or "")
    centers = common.mentioned_centers(tracker) or fuzzy.centers_in(text) or fuzzy.centers_in(typed)
    metric = (
        metric_of(" ".join(common.entity_values(tracker, "metric")))
        or metric_of(text)
        or fuzzy.metric_in(text)
        or fuzzy.metric_in(typed)
    )
    period = common.first_entity(tracker, "period")
    hts = common.first_entity(tracker, "hts_code")
    product = hts or common.first_entity(tracker, "product")
    if recent and product and _same(product, slot("ctx_product")) and cues.NOT.search(text):
        others = [p for p in common.entity_values(tracker, "product") if not _same(p, product)]
        product = others[-1] if others else product  # "sorry, not sneakers, bicycles": the product not asked before
    follow_up = topic is None and recent  # bot/followups.py made it a follow-up of the previous answer
    if follow_up and metric and metric == slot("ctx_metric") and cues.NOT.search(text):  # "no not entries, impotrs"
        metric = fuzzy.metric_in(text, besides=metric) or fuzzy.metric_in(typed, besides=metric) or metric
    if follow_up and slot("ctx_topic") in _HANDLERS:
        topic = slot("ctx_topic")
        if metric and topic in ("center_info", "center_contact", "product"):
            topic = "figure"  # "staff?" after a Center's description, or a product's Center: that Center's figure
    if topic is None:  # a follow-up with nothing to follow: go by what it names
        topic = "product" if product else "figure" if metric else "center_info"
    earlier = [kb.center(code) for code in str(slot("ctx_center") or "").split(",") if code]
    # "no, buffalo, the other NY one": the one not asked; after a comparison, "no, Base Metals and Machinery" is the
    # comparison corrected
    if follow_up and len(centers) > 1 and len(earlier) < 2 and cues.NOT.search(text):
        centers = [c for c in centers if c not in earlier][-1:] or centers[-1:]
    if not centers and topic in CENTER_TOPICS:
        centers = earlier
    elif (
        topic == "figure" and len(centers) == 1 and earlier and cues.COMPARE.search(text) and centers[0] not in earlier
    ):
        centers = [*earlier[:1], *centers]  # "compare it with Base Metals"
    if not metric and topic in METRIC_TOPICS:
        metric = slot("ctx_metric")
    if follow_up and topic == "product" and not product and centers:
        named = [v for v in common.entity_values(tracker, "center") if kb.find_product(v)]
        product = named[0] if named else None  # "and medicines?" (the Pharmaceuticals Center's word): the next product
    if follow_up:
        period = period or slot("ctx_period")
        product = product or slot("ctx_product")
    context = {name: value for name, value in tracker.slots.items() if name.startswith("ctx_")}
    return Query(topic, text, centers, metric, period, product, hts, follow_up, turn, context, typed)


def remember(
    query: Query, topic: Optional[str] = None, awaiting: Optional[str] = None, **changes: Any
) -> list[dict[str, Any]]:
    """The slot events that keep what an answer was about (``changes`` override the query's ``center`` (a code),
    ``metric``, ``period`` and ``product``); ``awaiting`` names the piece the answer asked for.
    """
    values = {
        "center": query.center.code if query.center else None,
        "metric": query.metric,
        "period": query.period,
        "product": query.product,
        **changes,
    }
    events = [
        SlotSet("ctx_topic", topic or query.topic),
        SlotSet("ctx_turn", float(query.turn)),
        SlotSet("ctx_awaiting", awaiting),
    ]
    events += [SlotSet(f"ctx_{name}", value) for name, value in values.items() if value is not None or name == "period"]
    return events


async def answer(topic: Optional[str], dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Answer the latest message as ``topic`` (or as the follow-up it is), and return the context's new events."""
    query = resolve(tracker, topic)
    handler = _HANDLERS[query.topic]
    try:
        return await handler(dispatcher, query)
    except store.DatabaseUnavailable:
        logger.warning("Answer for '%s' failed: the database cannot be reached", query.topic)
        dispatcher.utter_message(text=common.database_down())
        return []


class TopicAction(Action, abc.ABC):
    """An action that answers its ``topic`` through the context (being abstract, this class is not registered)."""

    topic: Optional[str] = None

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name (subclasses)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return await answer(self.topic, dispatcher, tracker)


class ActionFollowUp(TopicAction):
    """A follow-up: the previous question, one part changed.

    "and Machinery?", "what about last quarter?", "no, I meant Base Metals".
    """

    def name(self) -> str:
        return "action_follow_up"


def _as_int(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

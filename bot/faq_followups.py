"""Short follow-ups to an FAQ answer: "how long does it take?" after how to change Centers, "and PNDING?" after
what NOTELG means, "and the benefits?" after how to become a partner.

``bot.followups.ContextualIntent`` asks :func:`article_followed` whether a message follows up the FAQ answer just
given; if so the message is an FAQ question and carries that article in ``FAQ_CONTEXT``. The FAQ response selector
(``bot/selectors.py``) then picks, among its likeliest articles, the first one of the same group as the article
followed (the same article included): the message alone is too short to tell the articles of a group apart.
"""

from __future__ import annotations

from typing import Optional

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.cues import REFERS_BACK
from bot.knowledge import knowledge
from bot.vocab import REQUEST_INTENTS

FAQ_CONTEXT = "faq_context"  # the article ("faq/change_how") a message follows up; not part of the parse data
SHORT = 6  # words
_NAMES_SOMETHING = {"center", "product", "hts_code", "metric", "ior_number", "period", "email"}
_NEVER = {
    "stop",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "help",
    "human_handoff",
    "request_status",
    "retry",
    *REQUEST_INTENTS,
    "continue_request",
}


def recent_article(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The FAQ article the bot answered the previous message with (``faq/change_how``), or None."""
    if tracker is None or tracker.active_loop_name:
        return None
    answered = False
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == "utter_faq":
            answered = True
        elif isinstance(event, UserUttered):
            if not answered or (event.intent or {}).get(INTENT_NAME_KEY) != "faq":
                return None
            selected = ((event.parse_data or {}).get("response_selector") or {}).get("faq") or {}
            key = (selected.get("response") or {}).get("intent_response_key")
            return str(key) if key else None
    return None


def article_followed(message: Message, tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The FAQ article ``message`` follows up (see the module docstring), or None."""
    text = str(message.get(TEXT) or "")
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    labels = {str(e.get("entity")) for e in message.get(ENTITIES) or []}
    if len(text.split()) > SHORT or intent in _NEVER or labels & _NAMES_SOMETHING or not REFERS_BACK.search(text):
        return None
    return recent_article(tracker)


def same_group(key: str) -> frozenset[str]:
    """The articles (``faq/...``) of the group of article ``key``, itself included; empty if it is unknown."""
    articles = knowledge().articles
    group = next((a.group for a in articles if a.retrieval_intent == key), None)
    return frozenset(a.retrieval_intent for a in articles if group is not None and a.group == group)

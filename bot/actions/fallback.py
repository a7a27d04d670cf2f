"""The first stage of the two-stage fallback: offer the likeliest topics as buttons."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import replies
from bot.knowledge import knowledge

logger = logging.getLogger(__name__)

MAX_TOPICS = 3
RETRIEVAL_INTENTS = ("faq", "chitchat")
# Offered when the message gives too little to go on (e.g. a stray answer with no question asked).
DEFAULT_TOPICS = ("center_for_product", "request_change_center", "help")


def likely_topics(message: dict[str, Any]) -> list[tuple[float, str, str]]:
    """The likeliest topics of a parsed message as ``(confidence, button title, words to send)``, best first."""
    kb = knowledge()
    topics: dict[str, tuple[float, str, str]] = {}
    for ranked in message.get("intent_ranking", []):
        intent, confidence = ranked.get("name"), float(ranked.get("confidence") or 0)
        if intent in RETRIEVAL_INTENTS:
            selector = (message.get("response_selector") or {}).get(intent) or {}
            for response in selector.get("ranking", [])[:MAX_TOPICS]:
                article = kb.article(str(response.get("intent_response_key")))
                if article and article.id not in topics:
                    score = confidence * float(response.get("confidence") or 0)
                    topics[article.id] = (score, article.title, article.questions[0])
        elif intent in kb.topics and intent not in topics:
            title, payload = kb.topics[intent]
            topics[intent] = (confidence, title, payload)
    return sorted(topics.values(), key=lambda t: t[0], reverse=True)[:MAX_TOPICS]


class ActionDefaultAskAffirmation(Action):
    """Asks "did you mean…?" with the 2-3 likeliest topics and a "something else" button."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topics = likely_topics(tracker.latest_message)
        kb = knowledge()
        for intent in DEFAULT_TOPICS:
            if len(topics) >= MAX_TOPICS - 1:
                break
            if kb.topics[intent][0] not in [title for _, title, _ in topics]:
                topics.append((0.0, *kb.topics[intent]))
        message = replies.render("utter_did_you_mean")  # its own buttons ("Something else") come last
        buttons = [{"title": title, "payload": payload} for _, title, payload in topics]
        dispatcher.utter_message(text=message["text"], buttons=buttons + message.get("buttons", []))
        return []

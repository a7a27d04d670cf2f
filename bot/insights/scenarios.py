"""The turns the conversation generator (:mod:`bot.insights.generate`) draws from: what a user asks, how the bot
reads it, and what it answers, built from ``knowledge/`` (Centers, products, FAQ articles).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from typing import Any, Optional

from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION

from bot.knowledge import knowledge

ALTERNATIVES = ("faq", "center_info", "ask_figure", "center_for_product", "greet", "help", "inform", "deny", "affirm")
FALLBACKS = (
    "purple elephants sing jazz",
    "purple elephant singing jazz tonight",
    "can my cat import tuna",
    "can my cats import canned tuna",
    "what is the weather in Laredo",
    "weather in Laredo today",
    "tell me a joke about tariffs",
    "is 123-45-6789 my number",
    "my number is 987-65-4321 what now",
    "asdf qwerty",
    "how do I renew my passport",
    "renew passport how",
)
_CHITCHAT = ("compliment", "ask_are_you_bot", "complaint", "ask_who_built", "ask_how_are_you", "ask_name")
WEIGHTS = {
    "product": 22,
    "importer": 12,
    "figure": 12,
    "ranking": 4,
    "center_info": 8,
    "faq": 25,
    "greet": 7,
    "fallback": 6,
    "request": 4,
}


@dataclass(frozen=True)
class Turn:
    """One generated exchange: the user's text and how the bot read and answered it."""

    text: str
    intent: str
    action: str
    answer: str
    confidence: float = 1.0
    utter_action: Optional[str] = None
    topic: Optional[str] = None
    center: Optional[str] = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    selector: Optional[dict[str, Any]] = None
    alternatives: tuple[str, ...] = ALTERNATIVES


@functools.lru_cache(maxsize=1)
def _products() -> list[tuple[str, str]]:
    """(product words, Center code) for every product whose Center is known."""
    kb = knowledge()
    found = []
    for product in kb.products:
        answer = kb.classify_hts(product.hts)
        if answer is not None and answer.center is not None:
            found.append((product.words[0], answer.center.code))
    return found


@functools.lru_cache(maxsize=1)
def faq_ids() -> list[str]:
    """The FAQ articles' ids."""
    return [a.id for a in knowledge().articles if a.intent == "faq"]


def selector(article_id: str, rng: random.Random) -> dict[str, Any]:
    """A response selector result naming ``article_id`` first, with nine others (as large as Rasa's)."""
    ids = faq_ids()
    ranking = [{"confidence": 0.9, "intent_response_key": f"faq/{article_id}"}] + [
        {"confidence": rng.random() * 0.05, "intent_response_key": f"faq/{other}"} for other in rng.sample(ids, 9)
    ]
    response = {
        "confidence": 0.9,
        "intent_response_key": f"faq/{article_id}",
        UTTER_ACTION: f"utter_faq/{article_id}",
    }
    chitchat = [{"confidence": rng.random() * 0.3, "intent_response_key": f"chitchat/{name}"} for name in _CHITCHAT]
    return {
        "all_retrieval_intents": ["chitchat", "faq"],
        "faq": {"response": response, "ranking": ranking},
        "chitchat": {"response": {**chitchat[0], UTTER_ACTION: "utter_chitchat/compliment"}, "ranking": chitchat},
    }


def pick_turn(rng: random.Random) -> Turn:
    """A turn of a kind drawn by :data:`WEIGHTS`."""
    kind = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
    centers = knowledge().centers
    center = rng.choice(centers)
    if kind == "product":
        words, code = rng.choice(_products())
        entities = [{"entity": "product", "value": words, "start": 21, "end": 21 + len(words)}]
        text = f"Which Center handles {words}?"
        return Turn(
            text,
            "center_for_product",
            "action_center_for_product",
            f"{words}: {code}",
            topic="product",
            center=code,
            entities=entities,
        )
    if kind == "importer":
        number = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}AB"
        entities = [{"entity": "ior_number", "value": number, "start": 30, "end": 41}]
        return Turn(
            f"Which Center handles importer {number}?",
            "center_for_importer",
            "action_center_for_importer",
            f"That importer is assigned to {center.label}.",
            topic="importer",
            center=center.code,
            entities=entities,
        )
    if kind == "figure":
        metric = rng.choice(("entries", "importers", "partner accounts", "staff"))
        return Turn(
            f"How many {metric} did {center.name} have last quarter?",
            "ask_figure",
            "action_figure",
            f"{center.label}: 1,234 {metric} (sample data).",
            topic="figure",
            center=center.code,
        )
    if kind == "ranking":
        return Turn(
            "Which Center has the most importers?",
            "ask_ranking",
            "action_ranking",
            "Ranking (sample data).",
            topic="ranking",
        )
    if kind == "center_info":
        return Turn(
            f"Where is the {center.name} Center?",
            "center_info",
            "action_center_info",
            f"The {center.label} is managed from {center.city}.",
            topic="center_info",
            center=center.code,
        )
    if kind == "faq":
        article = rng.choice([a for a in knowledge().articles if a.intent == "faq"])
        return Turn(
            rng.choice(article.questions),
            "faq",
            "utter_faq",
            article.answer,
            utter_action=f"utter_faq/{article.id}",
            selector=selector(article.id, rng),
        )
    if kind == "greet":
        return Turn("hello", "greet", "utter_greet", "Hello! I'm CEE Guide.", utter_action="utter_greet")
    if kind == "fallback":
        return Turn(
            rng.choice(FALLBACKS),
            "nlu_fallback",
            "action_two_stage_fallback",
            "Sorry, I'm not sure what you mean. Did you mean one of these?",
            confidence=0.45,
            selector=selector(rng.choice(["bot_scope", "change_how"]), rng),
        )
    return Turn(
        "I want to change my Center",
        "request_change_center",
        "change_center_form",
        "Which importer of record numbers should move?",
        utter_action="utter_ask_change_center_form_cc_ior_numbers",
    )

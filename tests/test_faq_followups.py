"""Short follow-ups to an FAQ answer (bot/faq_followups.py) and the FAQ selector's use of them (bot/selectors.py)."""

from __future__ import annotations

from typing import Any, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.faq_followups import FAQ_CONTEXT, article_followed, recent_article, same_group
from bot.selectors import LexicalResponseSelector

DOMAIN = Domain.load("domain.yml")


def after(article: Optional[str], answered_by: str = "utter_faq") -> DialogueStateTracker:
    """A conversation whose previous message was answered with FAQ ``article`` (None: not an FAQ question)."""
    parse = {
        "intent": {"name": "faq" if article else "center_info", "confidence": 0.9},
        "response_selector": {"faq": {"response": {"intent_response_key": article}}} if article else {},
    }
    events = [
        UserUttered("how do I change my Center", parse["intent"], [], parse),
        ActionExecuted(answered_by),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events("test", events, DOMAIN.slots)


def message(text: str, intent: str, entities: list[str] = ()) -> Message:  # type: ignore[assignment]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.4},
            "entities": [{"entity": e, "value": "x"} for e in entities],
        }
    )


def test_the_article_just_answered_is_known() -> None:
    assert recent_article(after("faq/change_how")) == "faq/change_how"
    assert recent_article(after(None)) is None
    assert recent_article(after("faq/change_how", answered_by="action_two_stage_fallback")) is None
    assert recent_article(None) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how long does it take", "center_info"),
        ("and PNDING?", "nlu_fallback"),
        ("and the benefits?", "chitchat"),
        ("who decides that", "faq"),
    ],
)
def test_short_messages_that_refer_back_follow_the_article(text: str, intent: str) -> None:
    assert article_followed(message(text, intent), after("faq/change_how")) == "faq/change_how"


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("ok start a change request then", "request_change_center", []),  # a request, not a question
        ("and Machinery?", "center_info", ["center"]),  # names something of its own
        ("what is the process for a prior disclosure and who reviews it at the Center", "faq", []),  # a whole question
        ("how many partner accounts are there", "ask_total", ["metric"]),
        ("thanks", "thank", []),
    ],
)
def test_other_messages_do_not(text: str, intent: str, entities: list[str]) -> None:
    assert article_followed(message(text, intent, entities), after("faq/change_how")) is None


def test_groups_come_from_the_knowledge_files() -> None:
    group = same_group("faq/change_how")
    assert {"faq/change_how", "faq/change_timeline", "faq/change_reasons"} <= group and "faq/cf28" not in group
    assert same_group("faq/no_such_article") == frozenset()


def _selector() -> LexicalResponseSelector:
    selector = LexicalResponseSelector.__new__(LexicalResponseSelector)  # only its choosing, not its model
    selector.retrieval_intent = "faq"
    selector.responses = {f"utter_faq/{name}": [{"text": name}] for name in ("cf28", "change_timeline", "center_work")}
    return selector


def _selected(ranking: list[str]) -> dict[str, Any]:
    return {
        "faq": {
            "response": {"intent_response_key": ranking[0]},
            "ranking": [{"intent_response_key": key, "confidence": 0.1} for key in ranking],
        }
    }


def test_the_selector_picks_the_likeliest_article_of_the_group_followed() -> None:
    followed = message("how long does it take", "faq")
    followed.set(FAQ_CONTEXT, "faq/change_how")
    followed.set("response_selector", _selected(["faq/center_work", "faq/change_timeline", "faq/cf28"]))
    _selector().prefer_context(followed)
    assert followed.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/change_timeline"
    alone = message("how long does it take", "faq")
    alone.set("response_selector", _selected(["faq/center_work", "faq/change_timeline"]))
    _selector().prefer_context(alone)
    assert alone.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/center_work"

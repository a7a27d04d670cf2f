"""The FAQ and small-talk selector (bot/selectors.py): trained, kept in a real model storage, loaded, and its output in
the shape Rasa's own ResponseSelector gives (read by ``utter_faq``, Rasa's NLU evaluation and the two-stage fallback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.selectors import LexicalResponseSelector

QUESTIONS = {
    "faq/cf28": ["what is a CF-28", "we got a request for information form 28", "cbp sent a 28 asking for invoices"],
    "faq/cf29": ["what is a CF-29", "we got a notice of action form 29", "cbp sent a 29 proposing a rate advance"],
    "faq/change_how": ["how do I change my center", "how to move to another center", "switch centers process"],
}
CONFIG = {"retrieval_intent": "faq", "fallback_threshold": 0.45, "ambiguity_threshold": 0.08}


def _training_data() -> TrainingData:
    examples = [
        Message(data={"text": text, "intent": key.split("/")[0], "intent_response_key": key})
        for key, texts in QUESTIONS.items()
        for text in texts
    ]
    examples += [Message(data={"text": "hello there", "intent": "greet"})]
    responses = {f"utter_{key}": [{"text": f"answer {key}"}] for key in QUESTIONS}
    return TrainingData(training_examples=examples, responses=responses)


@pytest.fixture()
def trained(tmp_path: Path) -> LexicalResponseSelector:
    """A selector trained on three articles, saved in a model storage and loaded back from it."""
    storage, resource = LocalModelStorage(tmp_path), Resource("selector")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LexicalResponseSelector.get_default_config(), **CONFIG}
    LexicalResponseSelector.create(config, storage, resource, context).train(_training_data())
    return LexicalResponseSelector.load(config, storage, resource, context)


def _parse(selector: LexicalResponseSelector, text: str, intent: str = "faq", confidence: float = 0.9) -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 0.05}])
    selector.process([message])
    return message


def test_it_picks_the_article_asked_for_in_rasas_output_shape(trained: LexicalResponseSelector) -> None:
    selected: dict[str, Any] = _parse(trained, "how can i change centers").get("response_selector")
    assert selected["all_retrieval_intents"] == ["faq"]
    response = selected["faq"]["response"]
    assert response["intent_response_key"] == "faq/change_how"
    assert response["utter_action"] == "utter_faq/change_how"
    assert response["responses"] == [{"text": "answer faq/change_how"}]
    ranking: list[dict[str, Any]] = selected["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/change_how" and len(ranking) == 3
    assert response["confidence"] == ranking[0]["confidence"] and abs(sum(r["confidence"] for r in ranking) - 1) < 1e-6


def test_a_named_form_wins_over_the_other_forms_article(trained: LexicalResponseSelector) -> None:
    message = Message(data={"text": "what is a CF-29", "intent": {"name": "faq", "confidence": 0.9},
                            "entities": [{"entity": "form", "value": "CF-28"}]})  # fmt: skip
    trained.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/cf28"


def test_it_runs_only_when_its_pick_can_be_used(trained: LexicalResponseSelector) -> None:
    assert _parse(trained, "how can i change centers", intent="greet", confidence=0.9).get("response_selector") is None
    unsure = _parse(trained, "how can i change centers", intent="greet", confidence=0.4)  # will fall back
    assert unsure.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/change_how"


def test_an_untrained_selector_leaves_messages_as_they_are(tmp_path: Path) -> None:
    config = {**LexicalResponseSelector.get_default_config(), **CONFIG}
    context = ExecutionContext(GraphSchema({}), "test")
    empty = LexicalResponseSelector.load(config, LocalModelStorage(tmp_path), Resource("none"), context)
    assert _parse(empty, "how can i change centers").get("response_selector") is None

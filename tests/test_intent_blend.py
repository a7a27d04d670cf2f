"""DIET's intent ranking blended with a lexical classifier's (bot/intent_blend.py), kept in a real storage."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_blend import LexicalIntentBlend, blend

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hey"],
    "center_for_product": ["which center handles steel", "what cee takes frozen shrimp", "center for laptops"],
    "goodbye": ["bye", "see you", "good night", "talk later"],
}


def test_the_blend_is_a_weighted_mean_and_keeps_the_best_first() -> None:
    diet = [{"name": "greet", "confidence": 0.9}, {"name": "goodbye", "confidence": 0.1}]
    ranking = blend(diet, {"goodbye": 0.7, "greet": 0.2, "help": 0.1}, weight=0.5, length=2)
    assert [r["name"] for r in ranking] == ["greet", "goodbye"]
    assert abs(ranking[0]["confidence"] - 0.55) < 1e-9 and abs(ranking[1]["confidence"] - 0.4) < 1e-9
    assert blend(diet, {"goodbye": 1.0}, weight=1.0, length=10)[0] == {"name": "greet", "confidence": 0.9}


def _component(tmp_path: Path, weight: float) -> LexicalIntentBlend:
    storage, resource = LocalModelStorage(tmp_path), Resource("blend")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LexicalIntentBlend.get_default_config(), "weight": weight}
    examples = [Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts]
    LexicalIntentBlend.create(config, storage, resource, context).train(TrainingData(training_examples=examples))
    return LexicalIntentBlend.load(config, storage, resource, context)


def test_a_trained_blend_reranks_what_diet_was_unsure_of(tmp_path: Path) -> None:
    unsure = [{"name": "goodbye", "confidence": 0.4}, {"name": "center_for_product", "confidence": 0.35}]
    message = Message(data={"text": "which cee handles steel pipe", "intent": dict(unsure[0])})
    message.set("intent_ranking", unsure)
    _component(tmp_path, weight=0.5).process([message])
    assert message.get("intent")["name"] == "center_for_product"
    assert message.get("intent_ranking")[0] == message.get("intent")


def test_a_message_diet_did_not_rank_is_left_alone(tmp_path: Path) -> None:
    message = Message(data={"text": "hello"})
    _component(tmp_path, weight=0.5).process([message])
    assert message.get("intent") is None


def test_a_ranking_diet_is_sure_of_is_blended_too(tmp_path: Path) -> None:
    sure = [{"name": "goodbye", "confidence": 0.95}, {"name": "center_for_product", "confidence": 0.05}]
    message = Message(data={"text": "which cee handles steel pipe", "intent": dict(sure[0])})
    message.set("intent_ranking", sure)
    _component(tmp_path, weight=0.3).process([message])
    assert message.get("intent")["name"] == "center_for_product"

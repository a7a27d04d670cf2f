"""A second opinion on the intent: ``bot.intent_blend.LexicalIntentBlend`` in config.yml, right after DIET.

DIET and a lexical classifier (``bot/lexical.py``) learn different things from the same few hundred questions: DIET
the words' roles in a sentence, the lexical model the words and their parts. Each is wrong on questions the other
gets right, so the intent ranking is a weighted mean of their confidences (``weight`` is DIET's share), for every
message: DIET is often sure and wrong on words it never saw ("abort" read as an FAQ question with confidence 1.0).
Everything after it (``bot/followups.py``, the selectors, the FallbackClassifier) reads the blended ranking.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.pipeline import Pipeline

from bot import lexical
from bot.component import Component

logger = logging.getLogger(__name__)


def blend(
    diet: list[dict[str, Any]], lexical_scores: dict[str, float], weight: float, length: int
) -> list[dict[str, Any]]:
    """The blended ranking, best first.

    Args:
        diet: DIET's intent ranking (``name``, ``confidence``); an intent it leaves out counts as 0.
        lexical_scores: the lexical model's probability of each intent it knows.
        weight: DIET's share, between 0 and 1.
        length: how many intents the ranking keeps.
    """
    scores = {str(r[INTENT_NAME_KEY]): weight * float(r[PREDICTED_CONFIDENCE_KEY] or 0.0) for r in diet}
    for name, p in lexical_scores.items():
        scores[name] = scores.get(name, 0.0) + (1 - weight) * p
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])[:length]
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranked]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LexicalIntentBlend(Component):
    """Blends DIET's intent ranking with a lexical classifier's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``weight``: DIET's share of the blend; ``C`` and ``class_weight``: the lexical model's (see
        :func:`bot.lexical.make_model`); ``ranking_length``: as DIET's.
        """
        return {"weight": 0.5, "C": 30.0, "class_weight": None, "ranking_length": 10}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model: Pipeline | None = None
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.model = model

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the lexical model on every intent's examples (their text as the spelling step corrected it), with the
        training data's lookup tables as features.
        """
        examples = [e for e in training_data.intent_examples if e.get(INTENT)]
        intents = [str(e.get(INTENT)) for e in examples]
        self.model = None
        if len(set(intents)) >= 2:
            config = self.component_config
            self.model = lexical.make_model(float(config["C"]), training_data.lookup_tables, config["class_weight"])
            lexical.fit(self.model, [e.get(TEXT) for e in examples], intents)
        lexical.save(self.model, self._model_storage, self._resource)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LexicalIntentBlend:
        """The blend kept in the trained model."""
        return cls(config, model_storage, resource, lexical.load(model_storage, resource))

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace each message's intent and ranking by the blend; messages DIET did not rank are left alone."""
        ranked = [m for m in messages if m.get(INTENT_RANKING_KEY)]
        if self.model is None or not ranked:
            return messages
        labels = [str(label) for label in self.model.classes_]
        weight, length = float(self.component_config["weight"]), int(self.component_config["ranking_length"])
        for message, row in zip(ranked, lexical.predict_proba(self.model, [m.get(TEXT) or "" for m in ranked])):
            ranking = blend(message.get(INTENT_RANKING_KEY), dict(zip(labels, map(float, row))), weight, length)
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

"""Which FAQ article or small-talk answer a question asks for: ``bot.selectors.LexicalResponseSelector`` in config.yml.

It takes the place of Rasa's ``ResponseSelector`` and gives the same output (``response_selector`` in the parse data,
read by Rasa's ``utter_faq`` / ``utter_chitchat`` and by the two-stage fallback), from a smaller model: a logistic
regression over word and character n-grams (TF-IDF) of the corrected text, one per retrieval intent, whose score is
mixed with how close the text is to each article's title and answer as they are now (``bot/answer_index.py``). On
questions written apart from the training data it picks the right article more often than Rasa's neural selector
(most of all with typos), and it trains in a second or two instead of minutes (see ``docs/understanding.md``).

It runs only when its pick can be used:

* the message's intent is the selector's retrieval intent (``faq``): the bot answers with the picked response;
* the FallbackClassifier will replace the intent with ``nlu_fallback``: the first stage of the two-stage fallback
  (``bot/actions/fallback.py``) offers the likeliest answers as buttons, from every selector's ranking.

It needs the FallbackClassifier's two thresholds in its configuration (``config.template.yml`` shares them with YAML
anchors) and errs on the side of selecting: a confidence equal to a threshold counts as a fallback. Two rules then
adjust the pick: a short follow-up to an FAQ answer gets an article of the same group (``bot/faq_followups.py``), and
a question that names a CBP form gets that form's article.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Optional

import numpy as np
from rasa.core.constants import DEFAULT_NLU_FALLBACK_AMBIGUITY_THRESHOLD, DEFAULT_NLU_FALLBACK_THRESHOLD
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import AMBIGUITY_THRESHOLD_KEY
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key
from sklearn.pipeline import Pipeline

from bot import lexical
from bot.answer_index import answer_index
from bot.component import Component
from bot.faq_followups import FAQ_CONTEXT, same_group

logger = logging.getLogger(__name__)

FALLBACK_THRESHOLD_KEY = "fallback_threshold"
RETRIEVAL_INTENT_KEY = "retrieval_intent"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LexicalResponseSelector(Component):
    """Picks the response of one retrieval intent (``faq`` or ``chitchat``) for messages that need one."""

    RESPONSES = "responses.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The retrieval intent, the model's ``C``, the share of the answers' closeness, the ranking's length and the
        FallbackClassifier's thresholds.
        """
        return {
            RETRIEVAL_INTENT_KEY: None,
            "C": 30.0,
            "answer_weight": 0.2,  # the share of the answers' closeness in the score (bot/answer_index.py)
            "answer_temperature": 0.05,
            "ranking_length": 10,
            FALLBACK_THRESHOLD_KEY: DEFAULT_NLU_FALLBACK_THRESHOLD,
            AMBIGUITY_THRESHOLD_KEY: DEFAULT_NLU_FALLBACK_AMBIGUITY_THRESHOLD,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Pipeline] = None,
        responses: Optional[dict[str, list[dict[str, Any]]]] = None,
        retrieval_intents: Optional[list[str]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.retrieval_intent: Optional[str] = config.get(RETRIEVAL_INTENT_KEY)
        self.model = model
        self.responses = responses or {}
        self.all_retrieval_intents = retrieval_intents or []

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the model on the examples of the retrieval intent (their text as the spelling step corrected it)."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) == self.retrieval_intent]
        keys = [e.get_full_intent() for e in examples]
        prefix = f"utter_{self.retrieval_intent}/"
        self.responses = {k: v for k, v in training_data.responses.items() if k.startswith(prefix)}
        self.all_retrieval_intents = sorted(training_data.retrieval_intents)
        if len(set(keys)) < 2:
            logger.warning(
                "%s: fewer than two responses of %r to choose from", type(self).__name__, self.retrieval_intent
            )
            self.model = None
        else:
            self.model = lexical.make_model(float(self.component_config["C"]))
            lexical.fit(self.model, [e.get(TEXT) for e in examples], keys)
        lexical.save(self.model, self._model_storage, self._resource)
        with self._model_storage.write_to(self._resource) as folder:
            payload = {"responses": self.responses, "retrieval_intents": self.all_retrieval_intents}
            (Path(folder) / self.RESPONSES).write_text(json.dumps(payload), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LexicalResponseSelector:
        """The trained selector kept in the model (an untrained one if nothing was kept)."""
        model = lexical.load(model_storage, resource)
        try:
            with model_storage.read_from(resource) as folder:
                payload = json.loads((Path(folder) / cls.RESPONSES).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model, payload["responses"], payload["retrieval_intents"])

    def selection_needed(self, message: Message) -> bool:
        """Whether the message's pick can be used: its intent is this selector's, or the message will fall back."""
        intent = message.get(INTENT) or {}
        if not intent.get(INTENT_NAME_KEY):
            return True  # no intent classifier ran before this selector: nothing to go by
        if self.retrieval_intent is None or intent.get(INTENT_NAME_KEY) == self.retrieval_intent:
            return True
        ranking = message.get(INTENT_RANKING_KEY) or []
        top = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if top <= float(self.component_config[FALLBACK_THRESHOLD_KEY]):
            return True
        second = float(ranking[1].get(PREDICTED_CONFIDENCE_KEY) or 0.0) if len(ranking) > 1 else 0.0
        return top - second <= float(self.component_config[AMBIGUITY_THRESHOLD_KEY])

    def process(self, messages: list[Message]) -> list[Message]:
        """Select a response for the messages that need one (see :meth:`selection_needed`)."""
        needed = [message for message in messages if self.selection_needed(message)]
        if not needed or self.model is None:
            return messages
        labels = [str(label) for label in self.model.classes_]
        texts = [m.get(TEXT) or "" for m in needed]
        for message, row in zip(needed, self.probabilities(texts, labels)):
            ranked = sorted(zip(labels, row), key=lambda pair: -pair[1])[: int(self.component_config["ranking_length"])]
            ranking = [{PREDICTED_CONFIDENCE_KEY: float(p), INTENT_RESPONSE_KEY: key} for key, p in ranked]
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            properties[str(self.retrieval_intent)] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {PREDICTED_CONFIDENCE_KEY: ranking[0][PREDICTED_CONFIDENCE_KEY]},
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            self._choose(properties[str(self.retrieval_intent)], ranked[0][0], force=True)
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
            self.prefer_context(message)
            self.prefer_named_form(message)
        return messages

    def probabilities(self, texts: list[str], labels: list[str]) -> np.ndarray:
        """Each text's probability per label: the model's, mixed with the articles' closeness to it
        (``answer_weight`` of ``bot/answer_index.py``'s score, which reads the answers in use).
        """
        assert self.model is not None
        learned = lexical.predict_proba(self.model, texts)
        weight = float(self.component_config["answer_weight"])
        index = answer_index(str(self.retrieval_intent)) if weight else None
        if index is None:
            return learned
        closeness = index.probabilities(texts, labels, float(self.component_config["answer_temperature"]))
        return (1 - weight) * learned + weight * closeness

    def prefer_context(self, message: Message) -> None:
        """A short follow-up to an FAQ answer gets the likeliest article of the same group as the article followed
        (``bot/faq_followups.py``): "how long does it take?" after how to change Centers is about the change.
        """
        followed = message.get(FAQ_CONTEXT)
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self.retrieval_intent)
        if not followed or not selected:
            return
        group = same_group(str(followed))
        for candidate in selected.get(RESPONSE_SELECTOR_RANKING_KEY) or []:
            if candidate.get(INTENT_RESPONSE_KEY) in group:
                self._choose(selected, str(candidate[INTENT_RESPONSE_KEY]))
                return

    def _choose(self, selected: dict[str, Any], key: str, force: bool = False) -> None:
        """Make ``key`` (``faq/cf28``) the selector's pick, if it has a response (``force``: in any case, as Rasa's
        selector does, with the key for text when the response is missing).
        """
        responses = self.responses.get(intent_response_key_to_template_key(key))
        if force and not responses:
            logger.warning("no response for %s: is it in the domain?", key)
            responses = [{TEXT: key}]
        if responses:
            prediction = selected[RESPONSE_SELECTOR_PREDICTION_KEY]
            prediction[INTENT_RESPONSE_KEY] = key
            prediction[RESPONSE_SELECTOR_RESPONSES_KEY] = responses
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = intent_response_key_to_template_key(key)

    def prefer_named_form(self, message: Message) -> None:
        """A question that names a CBP form gets that form's article: when the pick is the article of another form
        (``faq/cf29`` for "what's a CF-28"), the named form's article (``faq/cf28``) replaces it, if there is one.
        """
        numbers = {
            n
            for e in message.get(ENTITIES) or []
            if e.get("entity") == "form"
            for n in re.findall(r"\d+", str(e.get("value")))
        }
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self.retrieval_intent)
        if not numbers or not selected:
            return
        picked = str(selected[RESPONSE_SELECTOR_PREDICTION_KEY].get(INTENT_RESPONSE_KEY))
        named = [f"{self.retrieval_intent}/cf{n}" for n in sorted(numbers)]
        if picked in named or not re.fullmatch(rf"{re.escape(str(self.retrieval_intent))}/cf\d+", picked):
            return
        for key in named:
            if self.responses.get(intent_response_key_to_template_key(key)):
                self._choose(selected, key)
                return

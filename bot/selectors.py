"""Response selection only when its answer can be used: ``bot.selectors.OnDemandResponseSelector`` in config.yml.

Rasa runs every ResponseSelector on every message, although its pick is used in two cases only:

* the message's intent is the selector's retrieval intent (``faq``): the bot answers with the picked response;
* the FallbackClassifier will replace the intent with ``nlu_fallback``: the first stage of the two-stage fallback
  (``bot/actions/fallback.py``) offers the likeliest answers as buttons, from every selector's ranking.

This selector is Rasa's own (same training, same model, same pick); it only skips the prediction in every other case,
which is about a fifth of a message's computing time with two selectors (measured by ``make bench``). It needs the
FallbackClassifier's two thresholds in its configuration (``config.template.yml`` shares them with YAML anchors) and
errs on the side of selecting: a confidence equal to a threshold counts as a fallback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.core.constants import DEFAULT_NLU_FALLBACK_AMBIGUITY_THRESHOLD, DEFAULT_NLU_FALLBACK_THRESHOLD
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import AMBIGUITY_THRESHOLD_KEY
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from bot.faq_followups import FAQ_CONTEXT, same_group

logger = logging.getLogger(__name__)

FALLBACK_THRESHOLD_KEY = "fallback_threshold"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OnDemandResponseSelector(ResponseSelector):
    """Rasa's ResponseSelector, run only for messages of its retrieval intent or that will fall back."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults, plus the FallbackClassifier's thresholds (Rasa's defaults for them too)."""
        return {
            **ResponseSelector.get_default_config(),
            FALLBACK_THRESHOLD_KEY: DEFAULT_NLU_FALLBACK_THRESHOLD,
            AMBIGUITY_THRESHOLD_KEY: DEFAULT_NLU_FALLBACK_AMBIGUITY_THRESHOLD,
        }

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
        if needed:
            super().process(needed)
            for message in needed:
                self.prefer_context(message)
                self.prefer_named_form(message)
        return messages

    def prefer_context(self, message: Message) -> None:
        """A short follow-up to an FAQ answer gets the likeliest article of the same group as the article followed
        (``bot/faq_followups.py``): "how long does it take?" after how to change Centers is about the change.
        """
        followed = message.get(FAQ_CONTEXT)
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self.retrieval_intent)
        if not followed or not selected:
            return
        group = same_group(str(followed))
        for candidate in selected.get("ranking") or []:
            if candidate.get(INTENT_RESPONSE_KEY) in group:
                self._choose(selected, str(candidate[INTENT_RESPONSE_KEY]))
                return

    def _choose(self, selected: dict[str, Any], key: str) -> None:
        """Make ``key`` (``faq/cf28``) the selector's pick, if it has a response."""
        responses = self.responses.get(intent_response_key_to_template_key(key))
        if responses:
            selected[RESPONSE_SELECTOR_PREDICTION_KEY].update(
                {
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_RESPONSES_KEY: responses,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: intent_response_key_to_template_key(key),
                }
            )

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
        prediction = selected[RESPONSE_SELECTOR_PREDICTION_KEY]
        picked = str(prediction[INTENT_RESPONSE_KEY])
        named = [f"{self.retrieval_intent}/cf{n}" for n in sorted(numbers)]
        if picked in named or not re.fullmatch(rf"{re.escape(str(self.retrieval_intent))}/cf\d+", picked):
            return
        for key in named:
            if self.responses.get(intent_response_key_to_template_key(key)):
                self._choose(selected, key)
                return

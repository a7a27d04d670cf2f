"""Reading a message before the NLU: its language, and its spelling (see ``bot/config.template.yml``).

* ``bot.normalise.MessageLanguage`` comes first: it records the message's language in the parse data
  (``language``: ``bot/language.py`` decides it from the words and the conversation's language so far; a language
  chosen by the user wins: the message's metadata ``language`` for that message, the slot ``language`` that "/es" and
  "/en" set for every later message), for the spelling step and the replies.
* ``bot.normalise.SpellingNormaliser`` comes next: it corrects the message's misspelt words (``bot/spelling.py``), so
  that every later component (spaCy entities, featurizers, DIET, the response selectors) reads "which center handles
  electronics" for "wich centre handels eletronics". It also leaves out a courtesy that opens a question ("Thank
  you. How many partner accounts does it have?", "hi, which center handles steel"): the question is what was asked.
  It does the same to the training examples, so the model is trained on the text it will see. Each language has
  its speller: a Spanish message is corrected with the Spanish one.
* ``bot.normalise.OriginalText`` comes last: it puts the user's own text back (form answers such as names and
  e-mails are taken from it, and logs and tests see what was typed), maps the entities' positions back to it, and
  adds the corrected text to the parse data as ``text_normalised`` for the actions; an entity read in a Spanish
  message without its accents takes them back ("camarón").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    METADATA,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import language
from bot.component import Component
from bot.knowledge import knowledge
from bot.knowledge.words import plain
from bot.settings import ROOT
from bot.spelling import Correction, Speller
from bot.spelling_words import with_examples

ORIGINAL = "text_original"  # kept on the message between the two components, not part of the parse data
NORMALISED = "text_normalised"  # the corrected text, part of the parse data the actions receive
NO_KNOWN_WORDS = "no_known_words"  # set on a message of unknown words ("zxcvbnm lkjhg"): read by bot.followups

# Courtesies that may open a message, each ended by punctuation: "Thank you.", "hi there,", "ok great!".
_COURTESY = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|great|perfect|cool|thanks?(?: you)?(?: (?:so|very) much)?|thx|ty|"
    r"(?:hi|hello|hey)(?: there)?|good (?:morning|afternoon|evening))\s*[.,!;:]+\s+)+",
    re.IGNORECASE,
)
# What follows the courtesy is a question or a request of its own (three words or more).
_QUESTION = re.compile(
    r"\?\s*$|^(?:and|so|how|what|what's|which|where|where's|who|who's|when|why|can|could|would|will|do|does|is|are|"
    r"i|i'd|i'm|we|we're|my|our|please|tell|show|give|find|list)\b",
    re.IGNORECASE,
)


def courtesy_before_question(text: str) -> str:
    """The courtesy that opens ``text`` when a question of three words or more follows it, else ""."""
    found = _COURTESY.match(text)
    if not found:
        return ""
    rest = text[found.end() :]
    return text[: found.end()] if len(rest.split()) >= 3 and _QUESTION.search(rest) else ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageLanguage(Component):
    """Records each message's language (``language`` in the parse data), read against the conversation's."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Each training example's language, from its words alone."""
        for example in training_data.training_examples:
            example.set(language.PARSE_KEY, language.detect(str(example.get(TEXT) or ""), neutral=_borrowed()))
        return training_data

    def process(self, messages: list[Message], tracker: Optional[DialogueStateTracker] = None) -> list[Message]:
        """Each message's language: the one its metadata names, else the one the user chose (``/es``, ``/en``: it
        sticks), else the one its words show in the conversation (:func:`bot.language.of_message`).
        """
        chosen = tracker.get_slot(language.SLOT) if tracker else None
        events = reversed(tracker.events) if tracker else ()
        previous = language.of_conversation((e.parse_data for e in events if isinstance(e, UserUttered)), chosen)
        for message in messages:
            named = (message.get(METADATA) or {}).get(language.PARSE_KEY)
            found = language.of_message(str(message.get(TEXT) or ""), previous, chosen, named, _borrowed())
            message.set(language.PARSE_KEY, found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SpellingNormaliser(GraphComponent):
    """Corrects misspelt words in the text of messages and training examples.

    Training keeps the dictionary in the model, with the words of the training examples added (see
    :func:`bot.spelling_words.with_examples`), so a trained model never depends on a file that a later build
    replaces. Each message is corrected by the speller of its language.
    """

    WORDS = "words.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``dictionary``: the word list built by ``python -m bot.build`` (a path relative to the project)."""
        return {"dictionary": None}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, spellers: dict[str, Speller]
    ) -> None:
        self._config, self._model_storage, self._resource = config, model_storage, resource
        self.spellers = spellers  # by language

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingNormaliser:
        """Read the dictionary named in the configuration (no dictionary: the text is left as it is)."""
        spellers = Speller.load(ROOT / config["dictionary"]) if config.get("dictionary") else {}
        return cls(config, model_storage, resource, spellers)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpellingNormaliser:
        """Read the dictionary kept in the trained model."""
        try:
            with model_storage.read_from(resource) as folder:
                path = Path(folder) / cls.WORDS
                return cls(config, model_storage, resource, Speller.load(path) if path.exists() else {})
        except ValueError:  # nothing stored: a model trained without a dictionary
            return cls(config, model_storage, resource, {})

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the dictionary, with the words of the training examples added, in the model."""
        with self._model_storage.write_to(self._resource) as folder:
            if self._config.get("dictionary"):
                data = json.loads((ROOT / self._config["dictionary"]).read_text(encoding="utf-8"))
                data = with_examples(data, {lang: example_texts(training_data, lang) for lang in data["languages"]})
                (Path(folder) / self.WORDS).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Correct the training examples, moving their entity annotations with the words."""
        for example in training_data.training_examples:
            self._correct(example, keep_original=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct each message, keeping its original text for :class:`OriginalText`."""
        for message in messages:
            text, english = message.get(TEXT), self.spellers.get(language.ENGLISH)
            if (
                english
                and isinstance(text, str)
                and _language(message) == language.ENGLISH
                and english.mostly_unknown(text)
            ):
                message.set(NO_KNOWN_WORDS, True)
            self._correct(message, keep_original=True)
        return messages

    def _correct(self, message: Message, keep_original: bool) -> None:
        text, speller = message.get(TEXT), self.spellers.get(_language(message))
        if speller is None or not isinstance(text, str) or not text:
            return
        correction = speller.correct(text)
        courtesy = courtesy_before_question(correction.text)  # read corrected: "Thnak you. How many ...?"
        if courtesy:
            correction = correction.without_prefix(len(courtesy))
        if not correction.spans:
            return
        message.set(TEXT, correction.text)
        _move_entities(message, correction.to_corrected)
        if keep_original:
            message.set(ORIGINAL, correction)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class OriginalText(Component):
    """Puts the user's own text back after the NLU pipeline, and adds the corrected one as ``text_normalised``."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples stay corrected (nothing after this component reads them)."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Restore each corrected message's text and map its entities back to it."""
        for message in messages:
            correction = message.get(ORIGINAL)
            text = message.get(TEXT)
            message.set(NORMALISED, text, add_to_output=True)
            if isinstance(correction, Correction):
                message.set(TEXT, correction.original)
                _move_entities(message, correction.to_original)
                _accents_back(message)
                message.data.pop(ORIGINAL, None)
        return messages


def _borrowed() -> frozenset[str]:
    """The words that say nothing of a message's language (:attr:`bot.knowledge.Knowledge.borrowed_words`)."""
    return knowledge().borrowed_words


def _language(message: Message) -> str:
    """The message's language (:class:`MessageLanguage`), which picks its speller."""
    return str(message.get(language.PARSE_KEY) or language.ENGLISH)


def example_texts(training_data: TrainingData, in_language: str = language.ENGLISH) -> list[str]:
    """The text of every training example in ``in_language`` (the words its spelling dictionary learns)."""
    return [
        text
        for text in (m.get(TEXT) for m in training_data.training_examples if _language(m) == in_language)
        if isinstance(text, str)
    ]


def _accents_back(message: Message) -> None:
    """An entity read without its accents takes them back from the user's text ("camarón", not "camaron")."""
    text = str(message.get(TEXT) or "")
    for entity in message.get(ENTITIES) or []:
        value, start, end = (
            entity.get(ENTITY_ATTRIBUTE_VALUE),
            entity.get(ENTITY_ATTRIBUTE_START),
            entity.get(ENTITY_ATTRIBUTE_END),
        )
        if isinstance(value, str) and isinstance(start, int) and isinstance(end, int):
            typed = text[start:end]
            if typed != value and plain(typed) == value:
                entity[ENTITY_ATTRIBUTE_VALUE] = typed


def _move_entities(message: Message, mapping: Any) -> None:
    """Map each entity's start and end with ``mapping`` (a :class:`Correction` method)."""
    for entity in message.get(ENTITIES) or []:
        if ENTITY_ATTRIBUTE_START in entity and ENTITY_ATTRIBUTE_END in entity:
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = mapping(
                entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
            )

"""The text the NLU reads (bot/normalise.py): a courtesy that opens a question is left out, and the user's own text,
with its entities' positions, comes back at the end of the pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import CategoricalSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import knowledge
from bot.language import SLOT
from bot.normalise import NORMALISED, MessageLanguage, OriginalText, SpellingNormaliser, courtesy_before_question
from bot.settings import ROOT
from bot.spelling_words import dictionary_path, render_dictionary


@pytest.mark.parametrize(
    "text, courtesy",
    [
        ("Thank you. How many partner accounts does it have?", "Thank you. "),
        ("hi, which center handles steel", "hi, "),
        ("Good morning, could you describe the Machinery Center for me?", "Good morning, "),
        ("ok. thanks! and where is it?", "ok. thanks! "),
        ("hi there, i need the center for 8703", "hi there, "),
        ("thanks, that's all", ""),  # nothing asked after it: the thanks is the message
        ("thanks so much for the help", ""),
        ("ok, go ahead and file it", ""),  # an answer, not a question
        ("hello", ""),
        ("which center handles steel? thanks", ""),
    ],
)
def test_a_courtesy_is_left_out_only_before_a_question(text: str, courtesy: str) -> None:
    assert courtesy_before_question(text) == courtesy


def spelling_and_original(tmp_path: Path) -> tuple[SpellingNormaliser, OriginalText]:
    """The first and last of the reading steps, as Rasa makes them, with the built dictionary."""
    dictionary = dictionary_path(render_dictionary(knowledge())).relative_to(ROOT)
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    first = SpellingNormaliser.create({"dictionary": str(dictionary)}, storage, Resource("spelling"), context)
    return first, OriginalText.create({}, storage, Resource("original"), context)


def test_the_question_is_read_and_the_typed_text_comes_back(tmp_path: Path) -> None:
    first, last = spelling_and_original(tmp_path)
    typed = "Thnak you. Which centre handles Laredo?"
    message = Message(data={"text": typed})
    first.process([message])
    assert message.get("text") == "Which center handles Laredo?"
    start = message.get("text").index("Laredo")
    message.set("entities", [{"entity": "center", "start": start, "end": start + 6, "value": "Laredo"}])
    last.process([message])
    assert message.get("text") == typed and message.get(NORMALISED) == "Which center handles Laredo?"
    entity = message.get("entities")[0]
    assert typed[entity["start"] : entity["end"]] == "Laredo"


def test_spanish_is_read_without_accents_and_its_entities_get_them_back(tmp_path: Path) -> None:
    first, last = spelling_and_original(tmp_path)
    typed = "¿Qué centro maneja el camarón y el acero?"
    message = Message(data={"text": typed, "language": "es"})
    first.process([message])
    read = message.get("text")
    assert read == "¿Que centro maneja el camaron y el acero?"
    spans = [(read.index(word), read.index(word) + len(word)) for word in ("camaron", "acero")]
    entities = [{"entity": "product", "start": s, "end": e, "value": read[s:e]} for s, e in spans]
    entities.append({"entity": "product", "start": spans[0][0], "end": spans[0][1], "value": "shrimp"})  # a synonym
    message.set("entities", entities)
    last.process([message])
    assert [e["value"] for e in message.get("entities")] == ["camarón", "acero", "shrimp"]


def read_language(tmp_path: Path, tracker: DialogueStateTracker, text: str, metadata: object = None) -> str:
    """The language MessageLanguage records for ``text`` in the conversation ``tracker``."""
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    component = MessageLanguage.create({}, storage, Resource("language"), context)
    message = Message(data={"text": text, "metadata": metadata or {}})
    component.process([message], tracker)
    return str(message.get("language"))


def test_a_chosen_language_sticks_whatever_the_words(tmp_path: Path) -> None:
    tracker = DialogueStateTracker("s", [CategoricalSlot(SLOT, mappings=[], values=["en", "es"])])
    tracker.update(UserUttered("hola", parse_data={"language": "es"}))  # type: ignore[arg-type]
    assert read_language(tmp_path, tracker, "ok") == "es"  # no choice: the conversation's language
    assert read_language(tmp_path, tracker, "which center handles steel") == "en"  # the words
    tracker.update(UserUttered("/es", parse_data={"intent": {"name": "es"}}))  # type: ignore[arg-type]
    tracker.update(SlotSet(SLOT, "es"))
    assert read_language(tmp_path, tracker, "which center handles steel") == "es"  # the choice wins
    assert read_language(tmp_path, tracker, "which center handles steel", {"language": "en"}) == "en"  # metadata
    tracker.update(UserUttered("/en", parse_data={"intent": {"name": "en"}}))  # type: ignore[arg-type]
    tracker.update(SlotSet(SLOT, "en"))
    assert read_language(tmp_path, tracker, "que centro maneja el acero") == "en"  # chosen again

"""Spelling normalisation (bot/spelling.py) with the dictionaries built from knowledge/ (bot/spelling_words.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import language
from bot.knowledge import knowledge
from bot.settings import ROOT
from bot.spelling import Speller
from bot.spelling_words import dictionary_path, render_dictionary, with_examples


def _dictionary() -> Path:
    path = ROOT / dictionary_path(render_dictionary(knowledge()))
    assert path.exists(), "run `python -m bot.build` (make test does)"
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dictionary as training builds it: the file plus the words of the training examples of each language."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.normalise import MessageLanguage, example_texts

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "bot" / "data")]
    )
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    reader = MessageLanguage.create({}, storage, Resource("language"), ExecutionContext(GraphSchema({}), "test"))
    nlu = reader.process_training_data(importer.get_nlu_data())  # each example's language, as training reads it
    data = json.loads(_dictionary().read_text(encoding="utf-8"))
    return with_examples(data, {lang: example_texts(nlu, lang) for lang in language.LANGUAGES})


@pytest.fixture(scope="module")
def speller(trained: dict[str, Any]) -> Speller:
    return Speller.from_data(trained)


@pytest.fixture(scope="module")
def spanish(trained: dict[str, Any]) -> Speller:
    return Speller.from_data(trained, language.SPANISH)


@pytest.mark.parametrize(
    "typed, corrected",
    [
        ("can i get in tuch by phone", "can i get in touch by phone"),  # a letter left out, not changed ("much")
        ("the center is basd in laredo", "the center is based in laredo"),
        ("how do i chnage my centre", "how do i change my center"),
        ("wich centre handels steel", "which center handles steel"),
        ("which cntr handles eletronics", "which center handles electronics"),
        ("machinary staf?", "machinery staff?"),
        ("how mnay partner acounts", "how many partner accounts"),
        ("base metal", "base metals"),
    ],
)
def test_corrects_typos(speller: Speller, typed: str, corrected: str) -> None:
    assert speller.correct(typed).text == corrected


@pytest.mark.parametrize(
    "text",
    [
        "importer 12-3456789AB",
        "ssn 123-45-6789",
        "cbp 232704-00123",
        "HTS 8429.51.1010",
        "got a CF-28 from ACE",
        "mail john.smtih@acme.com",
        "status of CR-2026-000123",
        "the KI query in ACE",
        "CTPAT and ISA partners",
        "heading 8429",
        "Q3 FY2025",
    ],
)
def test_never_touches_numbers_codes_emails_or_jargon(speller: Speller, text: str) -> None:
    assert speller.correct(text).text == text


@pytest.mark.parametrize("text", ["blorp zanzibar quux", "lorem ipsum", "Fooboro Traders LLC"])
def test_gibberish_and_names_are_not_made_into_words(speller: Speller, text: str) -> None:
    assert speller.correct(text).text == text


@pytest.mark.parametrize(
    "text, unknown",
    [
        ("zxcvbnm lkjhg", True),
        ("blorp fnarg zzt wub", True),
        ("asdf", True),
        ("blorp zanzibar quux", True),
        ("hi", False),
        ("hi blorp", False),
        ("wich centre handels steel", False),
        ("zxcv 8471", False),
        ("AGPP?", False),
        ("blorp center", False),
        ("", False),
        ("?!", False),
    ],
)
def test_knows_a_message_of_unknown_words(speller: Speller, text: str, unknown: bool) -> None:
    assert speller.mostly_unknown(text) is unknown


def test_known_words_and_spacing_stay(speller: Speller) -> None:
    text = "Which  Center handles   frozen shrimp?\nThanks!"
    assert speller.correct(text).text == text


def test_positions_map_back_to_the_typed_text(speller: Speller) -> None:
    correction = speller.correct("wat is a partnr acount at Laredo")
    assert correction.text == "what is a partner account at Laredo"
    start = correction.text.index("Laredo")
    assert correction.to_original(start, start + 6) == (26, 32)
    assert correction.original[26:32] == "Laredo"
    word = correction.text.index("partner")
    assert correction.to_original(word, word + 7) == (9, 15)  # "partnr"
    assert correction.to_corrected(9, 15) == (word, word + 7)


def test_the_trained_model_keeps_its_own_copy_of_the_dictionary(tmp_path: Path) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.normalise import SpellingNormaliser

    source = tmp_path / "words.json"
    shutil.copyfile(_dictionary(), source)
    (tmp_path / "model").mkdir()
    storage, resource = LocalModelStorage(tmp_path / "model"), Resource("spelling")
    context = ExecutionContext(GraphSchema({}), "test")
    trained = SpellingNormaliser.create({"dictionary": str(source)}, storage, resource, context)
    trained.train(TrainingData([Message(data={"text": "which center handles yesterday"})]))
    source.unlink()  # a later build removes the file the model was trained with
    loaded = SpellingNormaliser.load({"dictionary": str(source)}, storage, resource, context)
    message = Message(data={"text": "wich centre"})
    loaded.process([message])
    assert message.get("text") == "which center"
    with storage.read_from(resource) as folder:  # the example's words are in the model's copy
        kept = json.loads((Path(folder) / SpellingNormaliser.WORDS).read_text())
        assert kept["languages"]["en"]["domain"]["yesterday"] == 1


def test_training_examples_are_added_at_training_not_to_the_dictionary_file() -> None:
    """Adding questions must leave config.yml (which names the dictionary file) as it is, so the model can be
    fine-tuned; the words of the examples are added when the model is trained."""
    data = json.loads(_dictionary().read_text(encoding="utf-8"))
    english = data["languages"]["en"]
    assert "yesterday" not in english["domain"] and "yesterday" in english["known"]
    added = with_examples(data, {"en": ["yesterday and yesterday", "yesterdy"]})["languages"]["en"]["domain"]
    assert added["yesterday"] == 2 and "yesterdy" not in added  # a typo in an example is not a word
    spanish = with_examples(data, {"es": ["¿Cuántos días?", "cuantoz"]})["languages"]["es"]["domain"]
    assert spanish["cuantos"] >= 1 and "cuantoz" not in spanish  # read without accents; a typo is not a word


@pytest.mark.parametrize(
    "typed, corrected",
    [
        ("que cernto maneja los jguuetes", "que centro maneja los juguetes"),
        ("cuantas cuettas socias tienne el centro", "cuantas cuentas socias tienen el centro"),
        ("que hace el centro de Laedo", "que hace el centro de laredo"),  # a Center's city
        ("compara las entradas de Electronics con Machinnery", "compara las entradas de Electronics con machinery"),
        ("evolucion del persoanl en Apparel", "evolucion del personal en Apparel"),
        ("donde queda el centro de maquinaaria", "donde queda el centro de maquinaria"),
        ("cual es el telefno", "cual es el telefono"),  # corrected words come out without accents
    ],
)
def test_corrects_spanish_typos(spanish: Speller, typed: str, corrected: str) -> None:
    assert spanish.correct(typed).text == corrected


@pytest.mark.parametrize(
    "text",
    [
        "¿Cuantas entradas tuvo el Centro de Electronica?",  # opening marks and capitals
        "cuantas entradas tuvo el centro de electronica",
        "cuantos partner accounts tiene Machinery",  # the English trade words Spanish speakers use
        "mi numero es 12-3456789AB, HTS 8471.30",
        "Importadora del Valle SA de CV",
    ],
)
def test_spanish_words_names_and_numbers_stay(spanish: Speller, text: str) -> None:
    assert spanish.correct(text).text == text


def test_spanish_is_read_without_its_accents_as_most_users_write_it(spanish: Speller) -> None:
    correction = spanish.correct("¿Cuántas entradas tuvo el Centro de Electrónica en el último año?")
    assert correction.text == "¿Cuantas entradas tuvo el Centro de Electronica en el ultimo ano?"
    start = correction.text.index("Electronica")
    start, end = correction.to_original(start, start + len("Electronica"))
    assert correction.original[start:end] == "Electrónica"


def test_a_word_known_only_with_its_accents_keeps_them(spanish: Speller) -> None:
    # "te" is a common English word, so the entity rules know the product only as "té" (bot/knowledge/phrases.py)
    assert spanish.correct("¿Qué centro maneja el té?").text == "¿Que centro maneja el té?"


def test_the_english_speller_leaves_accented_words_alone(speller: Speller) -> None:
    assert speller.correct("the centro de electrónica").text == "the centro de electrónica"

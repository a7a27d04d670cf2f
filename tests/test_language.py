"""The conversation's language (bot/language.py): Spanish only when the words clearly are, else as it was; a language
the user chose ("/es", "/en") sticks until changed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import knowledge
from bot.language import (
    ENGLISH,
    SPANISH,
    as_choice,
    chosen_by,
    current,
    detect,
    of_conversation,
    of_message,
    use,
)


@pytest.mark.parametrize(
    "text",
    [
        "¿Qué centro se encarga de las importaciones de acero?",
        "necesito saber cuantos importadores tiene el centro de laredo",
        "como cambio de centro",
        "muchas gracias por la ayuda",
        "entries del CEE005 en el ultimo trimestre",
    ],
)
def test_spanish_is_recognised_from_an_english_conversation(text: str) -> None:
    assert detect(text, ENGLISH) == SPANISH


@pytest.mark.parametrize(
    "text",
    [
        "which center handles steel",
        "wich centre handels eletronics",
        "how many importers does the Miami center have",
        "which center handles acero",  # a Spanish word in an English question
        "no, I meant Base Metals",
    ],
)
def test_english_is_recognised_from_a_spanish_conversation(text: str) -> None:
    assert detect(text, SPANISH) == ENGLISH


@pytest.mark.parametrize("text", ["ok", "CEE007", "8471.30", "12-3456789AB", "", "?"])
def test_a_message_that_says_nothing_of_its_language_keeps_the_conversations(text: str) -> None:
    assert detect(text, ENGLISH) == ENGLISH
    assert detect(text, SPANISH) == SPANISH


def test_the_language_of_the_answer_is_set_for_a_block() -> None:
    assert current() == ENGLISH
    with use(SPANISH):
        assert current() == SPANISH
        with use("fr"):
            assert current() == ENGLISH  # not a language the bot speaks
    assert current() == ENGLISH
    assert of_conversation([{"language": "es"}, {"language": "en"}]) == SPANISH
    assert of_conversation([{"intent": {"name": "affirm"}}, None, {"language": "es"}]) == SPANISH  # a button's payload
    assert of_conversation([]) == ENGLISH and of_conversation([{"language": "fr"}]) == ENGLISH


@pytest.mark.parametrize(
    "text, expected",
    [
        ("partner accounts en CEE003", SPANISH),  # the trade words say nothing; "en" does
        ("entries de Agriculture en FY2026", SPANISH),
        ("email del CEE008", SPANISH),
        ("partner accounts in CEE003", ENGLISH),
        ("entries for Agriculture in FY2026", ENGLISH),
    ],
)
def test_english_trade_words_say_nothing_of_the_language(text: str, expected: str) -> None:
    assert detect(text, ENGLISH, knowledge().borrowed_words) == expected
    assert detect(text, SPANISH, knowledge().borrowed_words) == expected


def test_a_chosen_language_wins_over_the_words_until_the_message_names_one() -> None:
    assert of_message("which center handles steel", ENGLISH, chosen=SPANISH) == SPANISH
    assert of_message("que centro maneja el acero", SPANISH, chosen=ENGLISH) == ENGLISH
    assert of_message("que centro maneja el acero", ENGLISH, chosen=SPANISH, named=ENGLISH) == ENGLISH  # metadata
    assert of_message("que centro maneja el acero", ENGLISH, chosen=None) == SPANISH  # nothing chosen: the words
    assert of_message("which center handles steel", SPANISH, chosen="fr") == ENGLISH  # not a language it speaks


def test_a_message_without_a_language_is_answered_in_the_chosen_one() -> None:
    choice = {"intent": {"name": "es"}, "text": "/es"}  # "/es" skips the NLU: no language recorded
    assert of_conversation([choice, {"language": "en"}], chosen=SPANISH) == SPANISH
    assert of_conversation([{"language": "en"}, choice], chosen=SPANISH) == ENGLISH  # that message's own (metadata)
    assert of_conversation([{"intent": {"name": "help"}}, {"language": "en"}], chosen=SPANISH) == SPANISH  # a button
    assert of_conversation([], chosen=SPANISH) == SPANISH  # a new session: the choice is carried over
    assert of_conversation([choice, {"language": "es"}], chosen=None) == SPANISH  # nothing chosen: as before


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("/es", SPANISH),
        ("español", SPANISH),
        ("¡ESPAÑOL!", SPANISH),
        ("Espanol.", SPANISH),
        ("spanish", SPANISH),
        (" /ES ", SPANISH),
        ("/en!", ENGLISH),
        ("/en", ENGLISH),
        ("English", ENGLISH),
        ("inglés", ENGLISH),
        ("Ingles?", ENGLISH),
        ("answer in Spanish please", SPANISH),  # knowledge/languages.yml: a name with the words around it
        ("en español por favor", SPANISH),
        ("¿Puede responderme en español?", SPANISH),
        ("do you speak spanish", SPANISH),
        ("¿habla inglés?", ENGLISH),
        ("can we continue in English", ENGLISH),
        ("let's switch back to english please", ENGLISH),
    ],
)
def test_a_message_that_chooses_a_language_chooses_it(text: str, language: str) -> None:
    assert chosen_by(text) == language
    assert as_choice(text) == f"/{language}"


@pytest.mark.parametrize(
    "text",
    [
        "es",
        "en",
        "hola",
        "spanish steel",
        "/es please",
        "/help",
        "",
        "how do you say steel in spanish",  # a question that names a language
        "which center handles spanish olive oil",
        "spanish english please",  # two languages: no choice
        "8471 in spanish",  # a number is a word of its own: a question
        "Spanish, please: 9402",
        "please can you answer me in spanish now please please please",  # too long to be only a choice
    ],
)
def test_any_other_message_is_left_as_it_is(text: str) -> None:
    assert chosen_by(text) is None
    assert as_choice(text) == text


def test_a_mistake_in_the_language_words_is_shown(tmp_path: Path) -> None:
    from bot.knowledge import KnowledgeError
    from bot.knowledge.language_choice import load_language_choice

    path = tmp_path / "languages.yml"
    for text, error in [
        ("names:\n  fr: [french]\n", "'fr' must be one of en, es"),
        ("names:\n  es: [spanish]\n  en: [Spanish]\n", "'spanish' is given twice"),
        ("names:\n  es: [spanish]\naround: [in, Spanish]\n", "'spanish' is a language's name"),
        ("names:\n  es: [spanish]\naround: [in, on]\n", "True is not a word: write it in quotes"),
        ("names:\n  es: [spanish]\naround: in please\n", "around be a list"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(KnowledgeError, match=rf"languages.yml, line \d+: .*{re.escape(error)}"):
            load_language_choice(path)

"""The conversation's language (bot/language.py): Spanish only when the words clearly are, else as it was; a language
the user chose ("/es", "/en") sticks until changed.
"""

from __future__ import annotations

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
        ("/en", ENGLISH),
        ("English", ENGLISH),
        ("inglés", ENGLISH),
        ("Ingles?", ENGLISH),
    ],
)
def test_a_message_that_only_names_a_language_chooses_it(text: str, language: str) -> None:
    assert chosen_by(text) == language
    assert as_choice(text) == f"/{language}"


@pytest.mark.parametrize("text", ["es", "en", "hola", "spanish steel", "/es please", "en español", "/help", ""])
def test_any_other_message_is_left_as_it_is(text: str) -> None:
    assert chosen_by(text) is None
    assert as_choice(text) == text

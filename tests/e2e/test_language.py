"""The conversation's language over the real REST channel (issue 16): a Spanish message is answered in Spanish, an
English one in English, and a language the user chose (the message's metadata) wins.
"""

from __future__ import annotations

import re

from bot.knowledge import knowledge
from bot.language import SPANISH, spanish_lean
from tests.running import Bot, new_sender


def fixed_part(name: str, language: str) -> str:
    """The longest text of a reply that the bot does not fill in (its words around the placeholders)."""
    responses = knowledge().translations[language].responses if language != "en" else knowledge().responses
    return max(re.split(r"\{\w+\}", str(responses[name][0]["text"])), key=len).strip()


def test_a_chosen_language_wins_over_the_words(bot: Bot) -> None:
    sender = new_sender()
    spanish = bot.text("which center handles 8471.30", sender, metadata={"language": SPANISH})
    assert "Electronics Center (CEE007)" in spanish and fixed_part("utter_hts_center", SPANISH) in spanish
    english = bot.text("which center handles 8471.30", sender)
    assert fixed_part("utter_hts_center", "en") in english


def test_spanish_words_get_a_spanish_answer_and_english_words_an_english_one(bot: Bot) -> None:
    sender = new_sender()
    answer = bot.text("buenos dias, necesito saber que centro maneja las computadoras portatiles 8471.30", sender)
    assert spanish_lean(answer) > 0, answer  # whatever the answer, it is in Spanish
    assert fixed_part("utter_help", SPANISH) in bot.text("/help", sender)  # a button's payload keeps the language
    assert spanish_lean(bot.text("thanks! and where is the Machinery Center?", sender)) < 0


def test_a_mixed_conversation_answers_each_turn_in_its_language(bot: Bot) -> None:
    """English, then Spanish, then English again (issue 16), in one conversation that keeps its context."""
    sender = new_sender()
    english = bot.text("which center handles 8471.30?", sender)
    assert "Electronics Center (CEE007)" in english and fixed_part("utter_hts_center", "en") in english
    spanish = bot.text("¿y dónde queda ese centro?", sender)
    assert spanish_lean(spanish) > 0 and "Los Angeles" in spanish, spanish
    again = bot.text("thanks. how many staff does it have?", sender)
    assert spanish_lean(again) < 0 and "Electronics Center (CEE007)" in again, again


def test_a_chosen_language_sticks_until_the_user_chooses_again(bot: Bot) -> None:
    sender = new_sender()
    assert bot.text("/es", sender) == knowledge().translations[SPANISH].responses["utter_language_chosen"][0]["text"]
    spanish = bot.text("which center handles 8471.30", sender)  # English words, read in Spanish
    assert "Electronics Center (CEE007)" in spanish and fixed_part("utter_hts_center", SPANISH) in spanish
    assert fixed_part("utter_help", SPANISH) in bot.text("/help", sender)  # a button's payload too
    english = bot.text("which center handles 8471.30", sender, metadata={"language": "en"})  # this message only
    assert fixed_part("utter_hts_center", "en") in english
    assert fixed_part("utter_hts_center", SPANISH) in bot.text("thanks, and which center handles 8471.30?", sender)
    assert bot.text("/en", sender) == knowledge().responses["utter_language_chosen"][0]["text"]
    english = bot.text("que centro maneja el 8471.30", sender)  # Spanish words, read in English
    assert fixed_part("utter_hts_center", "en") in english


def test_a_message_that_only_names_a_language_chooses_it(bot: Bot) -> None:
    sender = new_sender()
    assert bot.text("¡Español!", sender).startswith("De ahora en adelante")
    assert fixed_part("utter_hts_center", SPANISH) in bot.text("which center handles 8471.30", sender)
    assert bot.text("English", sender).startswith("I'll answer in English")
    assert bot.text("can you answer in spanish please", sender).startswith("De ahora en adelante")
    assert bot.text("¿podemos seguir en inglés?", sender).startswith("I'll answer in English")


def test_a_choice_in_the_middle_of_a_request_is_not_taken_for_an_answer(bot: Bot) -> None:
    sender = new_sender()
    question = bot.text("I want to change my center", sender)
    answer = bot.text("/es", sender)
    assert answer.startswith("De ahora en adelante"), answer
    assert spanish_lean(answer.split("\n", 1)[-1]) > 0 and question not in answer, (
        answer
    )  # the question again, in Spanish
    assert "/es" not in bot.text("stop", sender)

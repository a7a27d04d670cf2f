"""Spanish answers to the request forms (the ``answers`` of knowledge/es/words.yml): each is read as the value its
English counterpart gives, so what is stored is the same whatever the language; a wrong Spanish answer is asked
again with the same reply as an English one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import KnowledgeError, knowledge, load_knowledge
from bot.requests.answers import (
    Invalid,
    is_filler,
    is_no,
    is_unsure,
    is_yes,
    parse_company,
    parse_contact_name,
)
from bot.requests.choices import parse_cadence, parse_reason, parse_role, parse_size
from bot.requests.hts_profile import parse_hts_profile
from bot.requests.times import parse_months, parse_time_zone
from tests.knowledge_copy import edit

ES = knowledge().translations["es"].vocabulary.answers


_TEXT_ONLY = (parse_months, parse_hts_profile, parse_company, parse_contact_name)


def _text(parse: Callable[..., Any]) -> Callable[[str], Any]:
    """A reader of the answer's text alone (the readers of a choice get no button's choice)."""
    return parse if parse in _TEXT_ONLY else lambda text: parse(text, None)


@pytest.mark.parametrize(
    "parse, spanish, english",
    [
        (parse_role, "importador", "importer"),
        (parse_role, "somos importadores", "we are the importer"),
        (parse_role, "agente aduanal", "customs broker"),
        (parse_role, "corredor de aduanas", "broker"),
        (parse_role, "broker", "broker"),
        (parse_size, "pequeña", "small"),
        (parse_size, "una pequeña empresa", "small business"),
        (parse_size, "mediana", "mid-sized"),
        (parse_size, "Mediana empresa", "medium"),
        (parse_size, "grande", "large"),
        (parse_size, "gran empresa", "big"),
        (parse_cadence, "mensual", "monthly"),
        (parse_cadence, "cada mes", "once a month"),
        (parse_cadence, "trimestral", "quarterly"),
        (parse_cadence, "cada tres meses", "every three months"),
        (parse_reason, "línea de productos", "product line"),
        (parse_reason, "linea de productos", "product line"),
        (parse_reason, "práctica comercial", "business practice"),
        (parse_reason, "otro", "other"),
        (parse_time_zone, "hora del este", "eastern"),
        (parse_time_zone, "del este", "EST"),
        (parse_time_zone, "hora del centro", "central time"),
        (parse_time_zone, "hora de la montaña", "mountain"),
        (parse_time_zone, "hora del Pacífico", "pacific"),
        (parse_time_zone, "pacifico", "PST"),
        (parse_time_zone, "hora de Alaska", "alaska"),
        (parse_time_zone, "hora de Hawái", "hawaii"),
        (parse_months, "marzo o abril de 2026", "March or April 2026"),
        (parse_months, "de marzo a mayo", "March to May"),
        (parse_months, "enero, febrero, junio, julio, agosto", "January, February, June, July, August"),
        (parse_months, "septiembre u octubre", "September or October"),
        (parse_months, "setiembre, noviembre y diciembre", "Sep, Nov and Dec"),
        (parse_months, "en primavera", "spring"),
        (parse_months, "este verano", "this summer"),
        (parse_months, "en otoño", "this fall"),
        (parse_months, "invierno", "winter"),
        (parse_months, "cualquier mes", "any"),
        (parse_months, "me da igual", "any"),
        (parse_months, "cualquiera", "any"),
        (parse_hts_profile, "84 60 por ciento, 85 30 por ciento", "84 60%, 85 30%"),
        (parse_hts_profile, "capítulo 84: 60% y capítulo 85: 30%", "chapter 84: 60% and chapter 85: 30%"),
        (parse_contact_name, "me llamo Ana Pérez", "my name is Ana Pérez"),
        (parse_contact_name, "Mi nombre es Ana Pérez", "Ana Pérez"),
        (parse_company, "la empresa es Acme SA", "our company name is Acme SA"),
        (parse_company, "somos Acme SA", "we are Acme SA"),
    ],
)
def test_a_spanish_answer_is_stored_as_the_english_one(parse: Callable[..., Any], spanish: str, english: str) -> None:
    read = _text(parse)
    assert read(spanish) == read(english)


def test_a_spanish_other_reason_keeps_its_description() -> None:
    description = "nuestras empresas hermanas están todas en el Centro de Electrónica"
    assert parse_reason(f"otro: {description}", None) == ("other", description)


@pytest.mark.parametrize("text", ["sí", "Si", "claro", "correcto", "de acuerdo", "¡Sí!"])
def test_spanish_yes(text: str) -> None:
    assert is_yes(text) and is_filler(text) and not is_no(text)


@pytest.mark.parametrize("text", ["no", "ninguno", "No."])
def test_spanish_no(text: str) -> None:
    assert is_no(text) and is_filler(text) and not is_yes(text)


@pytest.mark.parametrize("text", ["no sé", "no se", "No estoy seguro", "ni idea"])
def test_spanish_unsure(text: str) -> None:
    assert is_unsure(text)


@pytest.mark.parametrize(
    "parse, text, key",
    [
        (parse_role, "ninguno", "utter_invalid_role"),
        (parse_role, "importador y agente aduanal", "utter_invalid_role"),
        (parse_size, "de pequeña a grande", "utter_invalid_size"),
        (parse_size, "sí", "utter_invalid_size"),
        (parse_cadence, "semanal", "utter_invalid_cadence"),
        (parse_reason, "sí", "utter_invalid_reason"),
        (parse_reason, "no sé", "utter_invalid_reason"),
        (parse_time_zone, "hora del este o del pacífico", "utter_invalid_time_zone"),
        (parse_time_zone, "hora de Europa", "utter_invalid_time_zone"),
        (parse_months, "pronto", "utter_invalid_months"),
        (parse_contact_name, "me llamo 123", "utter_invalid_contact_name"),
        (parse_contact_name, "sí", "utter_invalid_contact_name"),
        (parse_company, "de acuerdo", "utter_invalid_company"),
        (parse_hts_profile, "la mayoría maquinaria", "utter_invalid_hts_profile"),
    ],
)
def test_a_wrong_spanish_answer_is_asked_again(parse: Callable[..., Any], text: str, key: str) -> None:
    with pytest.raises(Invalid) as caught:
        _text(parse)(text)
    assert caught.value.response == key in knowledge().translations["es"].responses


_READ_CHOICE: dict[str, Callable[[str], Any]] = {
    "role": lambda text: parse_role(text, None),
    "size": lambda text: parse_size(text, None),
    "cadence": lambda text: parse_cadence(text, None),
    "reason": lambda text: parse_reason(text, None)[0],
    "time_zone": lambda text: parse_time_zone(text, None)["zone"],
    "month": lambda text: parse_months(text)["months"],
    "season": lambda text: parse_months(text)["months"],
}
# What the English answer for a value is read as (a month's value is its number, a season's its English word).
_ENGLISH_VALUE: dict[str, Callable[[str], Any]] = {
    "month": lambda value: [calendar.month_name[int(value)]],
    "season": lambda value: parse_months(value)["months"],
}


@pytest.mark.parametrize("choice", list(_READ_CHOICE))
def test_every_spanish_choice_word_gives_its_value(choice: str) -> None:
    """Each word of knowledge/es/words.yml, alone, is read as the value it is listed under."""
    english = _ENGLISH_VALUE.get(choice, lambda value: value)
    for value, phrases in ES.values[choice].items():
        for phrase in phrases:
            assert _READ_CHOICE[choice](phrase) == english(value), phrase


# -- the checks of the answer words in knowledge/es/words.yml ------------------------------------------------------
@pytest.mark.parametrize(
    "old, new, error",
    [
        ("  percent: [", "  porcentaje: [", r"answers: 'porcentaje' is not one of affirm, deny"),
        ("    mid: [mediana,", "    medium: [mediana,", r"answers: size: 'medium' is not one of small, mid, large"),
        ("    large: [grande,", "    large: [mediana, grande,", r"answers: size: 'mediana' names mid and large"),
        ('deny: ["no",', "deny: [no,", r"False is not a word \(write it in quotes\)"),
    ],
)
def test_a_mistake_in_the_answer_words_is_shown_with_its_line(kb_copy: Path, old: str, new: str, error: str) -> None:
    edit(kb_copy / "es" / "words.yml", old, new)
    with pytest.raises(KnowledgeError, match=rf"es/words.yml, line \d+: {error}"):
        load_knowledge(kb_copy)

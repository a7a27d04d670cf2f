"""Spanish answers to the request forms' questions are read to the same stored values as their English counterparts
(issue 16: a form started in Spanish stores the same fields, so the staff export is unchanged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.requests.answers import UNSURE, YES, Invalid, is_filler, parse_cadence, parse_reason, parse_role, parse_size
from bot.requests.places import parse_months, parse_time_zone


@pytest.mark.parametrize(
    ("parse", "english", "spanish"),
    [
        (parse_role, "importer", "importador"),
        (parse_role, "we are the importer", "somos la empresa importadora"),
        (parse_role, "broker", "agente aduanal"),
        (parse_role, "customs broker", "soy corredor de aduanas"),
        (parse_size, "small", "pequeña"),
        (parse_size, "small business", "una empresa pequena"),
        (parse_size, "medium", "mediana"),
        (parse_size, "large", "grande"),
        (parse_cadence, "monthly", "mensual"),
        (parse_cadence, "every month", "cada mes"),
        (parse_cadence, "quarterly", "trimestral"),
        (parse_cadence, "every three months", "cada tres meses"),
        (parse_time_zone, "eastern", "hora del este"),
        (parse_time_zone, "central time", "hora del centro"),
        (parse_time_zone, "mountain", "montaña"),
        (parse_time_zone, "pacific", "Pacífico"),
        (parse_time_zone, "hawaii", "Hawái"),
    ],
)
def test_a_spanish_answer_stores_what_its_english_counterpart_does(
    parse: Callable[..., Any], english: str, spanish: str
) -> None:
    assert parse(spanish, None) == parse(english, None)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("March or April 2027", "marzo o abril de 2027"),
        ("March-May", "de marzo a mayo"),
        ("this fall", "en otoño"),
        ("winter", "invierno"),
        ("any month", "cualquier mes"),
        ("no preference", "me da igual"),
        ("September", "setiembre"),
    ],
)
def test_spanish_months_and_seasons_store_the_english_months(english: str, spanish: str) -> None:
    assert parse_months(spanish) == parse_months(english)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("our product line changed", "cambió nuestra línea de productos"),
        ("business practice", "práctica comercial"),
        ("other: we merged with another company last year", "otro: nos fusionamos con otra empresa el año pasado"),
    ],
)
def test_spanish_reasons_store_the_same_reason(english: str, spanish: str) -> None:
    assert parse_reason(spanish, None)[0] == parse_reason(english, None)[0]


@pytest.mark.parametrize(
    ("parse", "text", "reply"),
    [
        (parse_role, "los dos", "utter_invalid_role"),
        (parse_role, "importador y agente aduanal", "utter_invalid_role"),
        (parse_size, "ni idea", "utter_invalid_size"),
        (parse_cadence, "cada semana", "utter_invalid_cadence"),
        (parse_time_zone, "hora de Europa", "utter_invalid_time_zone"),
    ],
)
def test_a_spanish_answer_that_names_none_or_several_is_asked_again(
    parse: Callable[..., Any], text: str, reply: str
) -> None:
    with pytest.raises(Invalid) as raised:
        parse(text, None)
    assert raised.value.response == reply


def test_spanish_yes_no_and_unsure_words() -> None:
    assert all(YES.match(word) for word in ("sí", "si", "claro", "de acuerdo", "¡Correcto!"))
    assert all(is_filler(word) for word in ("sí", "no", "ninguno", "vale"))
    assert all(UNSURE.search(text) for text in ("no sé", "no estoy segura", "ni idea, la verdad"))
    assert not UNSURE.search("nosotros sabemos")

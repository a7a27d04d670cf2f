"""bot.cues: each cue finds its English and Spanish words, accented or not, and leaves other messages alone."""

from __future__ import annotations

import re

import pytest

from bot import cues

FOUND = [
    (cues.MARKER, "y maquinaria?"),
    (cues.MARKER, "¿Y qué tal Laredo?"),
    (cues.MARKER, "perdon, quise decir metales basicos"),
    (cues.MARKER, "and Machinery?"),
    (cues.CONTACT, "¿su teléfono?"),
    (cues.CONTACT, "y el correo del director"),
    (cues.CONTACT, "¿cómo nos comunicamos con el centro de Laredo?"),
    (cues.WHERE_IS, "donde queda"),
    (cues.WHO_HANDLES, "qué centro maneja el acero"),
    (cues.WHO_HANDLES, "cual cee se encarga de los zapatos"),
    (cues.WHO_HANDLES, "a que centro van los juguetes"),
    (cues.TOTAL, "y en total?"),
    (cues.RANKING, "cual tiene mas importadores"),
    (cues.CANCEL, "mejor cancela"),
    (cues.CANCEL, "olvídalo"),
    (cues.STARTS_A_REQUEST, "quiero pedir una visita"),
    (cues.FIGURE_ASKED, "cuántos importadores tiene"),
    (cues.MY_CENTER, "en que centro estamos nosotros"),
    (cues.UNNAMED_PRODUCT, "qué centro ve nuestros productos"),
    (cues.UNNAMED_PRODUCT, "busco el centro de uno de mis articulos"),
    (cues.ASKS_ABOUT, "¿qué debo incluir en la solicitud?"),
    (cues.REFERS_BACK, "¿y eso cuánto tarda?"),
    (cues.NUMBER_CALLED_IMPORTERS, "my IOR is 5555, which center"),
    (cues.NUMBER_CALLED_IMPORTERS, "importador numero 12345"),
    (cues.SUPERLATIVE, "cual centro tiene mas importadores"),
    (cues.EVERY_CENTER, "entradas por centro"),
    (cues.OVER_TIME, "cómo ha cambiado el personal en los últimos trimestres"),
    (cues.ADDED_UP, "cuántos importadores hay en total"),
    (cues.ONE_CENTER, "cuantos empleados tiene mi centro"),
    (cues.COMPARE, "compáralo con maquinaria"),
    (cues.WHO_HANDLES, "importamos llantas, q CEE nos toca"),
    (cues.REQUEST_OPENING, "anotame para las llamadas periodicas"),
    (cues.REQUEST_OPENING, "sign us up for the outreach calls"),
    (cues.REQUEST_OPENING, "solicitar llamadas de seguimiento con nuestro centro"),  # an infinitive that asks
    (cues.FIGURES_WORD, "dame los numeros del centro de Chicago"),
    (cues.WHICH_CENTER, "y en general cual centro procesa mas entradas"),
    (cues.WHO_HANDLES, "que centro las revisa despues del release"),
    (cues.WHO_HANDLES, "hwich centre covers furniture"),
    (cues.ASKS_THE_PROCESS, "so what is the process to move to another center"),
    (cues.ASKS_THE_PROCESS, "hola, ¿cuál es el trámite para pedir otro centro?"),
    (cues.OWN_REQUEST, "what's the status of the request"),
    (cues.OWN_REQUEST, "¿cómo va mi solicitud?"),
    (cues.MARKER, "corrijo: partner accounts"),
    (cues.YOUR_ANSWERS, "wondering whether your answer about which cee handles our product would hold up"),
    (cues.YOUR_ANSWERS, "lo que me dices del cee de mi producto aguanta si cbp no esta de acuerdo?"),
]
NOT_FOUND = [
    (cues.MARKER, "yes please"),
    (cues.MARKER, "ya tengo mi número"),
    (cues.MARKER, "correcto, gracias"),
    (cues.YOUR_ANSWERS, "can you tell me which center handles my product"),
    (cues.YOUR_ANSWERS, "me dice qué centro maneja mi mercancía?"),
    (cues.CONTACT, "qué centro maneja el acero"),
    (cues.CANCEL, "para el centro de electrónica"),
    (cues.WHO_HANDLES, "cuántos importadores tiene"),
    (cues.WHO_HANDLES, "que cubre el centro de electronica"),
    (cues.ASKS_ABOUT, "que me cambien de centro por favor"),
    (cues.MY_CENTER, "qué centro maneja mis zapatos"),
    (cues.REFERS_BACK, "la semana pasada"),
    (cues.NUMBER_CALLED_IMPORTERS, "importer of HTS 8471.30 goods"),
    (cues.OVER_TIME, "cuántos importadores tiene Laredo"),
    (cues.EVERY_CENTER, "qué centro maneja el acero"),
    (cues.RANKING, "el centro revisa la clasificacion de mis entradas?"),  # the goods' HTS classification
    (cues.STARTS_A_REQUEST, "quiero saber a que centro pertenece mi empresa"),
    (cues.REQUEST_OPENING, "does the center do outreach calls"),
    (cues.REQUEST_OPENING, "quiero saber si hacen visitas"),
    (cues.REQUEST_OPENING, "pedimos el cambio hace un mes"),  # what was asked for: its status, not a new request
    (cues.ASKS_THE_PROCESS, "start the process to change centers"),
    (cues.ASKS_THE_PROCESS, "quiero iniciar el trámite de cambio"),
    (cues.OWN_REQUEST, "quien aprueba las solicitudes de cambio de centro"),
    (cues.OWN_REQUEST, "¿quién va a revisar las solicitudes de cambio?"),
    (cues.UNNAMED_PRODUCT, "is the center for a product the same as the importer's center?"),
]


@pytest.mark.parametrize(("cue", "text"), FOUND)
def test_a_cue_finds_its_words(cue: re.Pattern[str], text: str) -> None:
    assert cue.search(text), (cue.pattern[:60], text)


@pytest.mark.parametrize(("cue", "text"), NOT_FOUND)
def test_a_cue_leaves_other_messages_alone(cue: re.Pattern[str], text: str) -> None:
    assert not cue.search(text), (cue.pattern[:60], text)


def test_words_keep_their_accents() -> None:
    assert cues.WORD.findall("¿dónde está, CEE007?") == ["dónde", "está", "CEE"]
    assert {"dónde", "está"} <= cues.WHERE_WORDS

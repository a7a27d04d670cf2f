"""Spanish names of figures, periods, Centers and products (knowledge/es/words.yml, knowledge/es/products.yml): the
real spaCy pipeline finds them with the English labels and ids, with and without accents, the look-ups read them as
the English words, and English messages are read as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import spacy

from bot import fuzzy, language
from bot.actions.context import metric_of
from bot.actions.figures import _asks_fewest
from bot.fiscal import Period, parse_period
from bot.knowledge import KnowledgeError, knowledge, load_knowledge
from bot.knowledge.vocabulary import forms
from bot.nlp import ensure_pipeline
from tests.knowledge_copy import edit

LATEST = Period(2026, 4)


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load(ensure_pipeline(knowledge()))


def entities(nlp: spacy.language.Language, text: str, label: str) -> list[tuple[str, str]]:
    """The ``label`` entities of ``text``: (text, id)."""
    return [(e.text, e.ent_id_) for e in nlp(text).ents if e.label_ == label]


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("¿cuántos importadores registrados tiene Laredo?", "importers"),
        ("cuantas cuentas de socios hay en el centro de electronica", "partner_accounts"),
        ("número de entradas en Chicago", "entries"),
        ("numero de entradas en Chicago", "entries"),
        ("las acciones posteriores a la entrada del centro automotriz", "post_entry_actions"),
        ("¿cuánto personal tiene Miami?", "staff"),
        ("cuanto personal tiene Miami", "staff"),
        ("empleados de Houston", "staff"),
    ],
)
def test_spanish_metric_phrases_are_metric_entities(nlp: spacy.language.Language, text: str, metric: str) -> None:
    found = entities(nlp, text, "metric")
    assert found, text
    assert metric_of(found[0][0]) == metric == metric_of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entradas del tercer trimestre del AF2025", (2025, 3)),
        ("entradas en el T3 AF 2024", (2024, 3)),
        ("personal en el T2", (None, 2)),
        ("importadores del primer trimestre de 2025", (2025, 1)),
        ("socios del 4to trimestre del año fiscal 2025", (2025, 4)),
        ("socios del 4to trimestre del ano fiscal 2025", (2025, 4)),
        ("entradas del año fiscal 2024", (2024, None)),
        ("empleados en el último trimestre", (2026, 4)),
        ("empleados en el ultimo trimestre", (2026, 4)),
        ("entradas del trimestre pasado", (2026, 4)),
        ("entradas del trimestre anterior", (2026, 3)),
        ("entradas del pasado trimestre", (2026, 4)),
        ("socios el año pasado", (2026, None)),
        ("socios este año fiscal", (2026, None)),
        ("socios el año fiscal anterior", (2025, None)),
        ("el trimestre más reciente", (2026, 4)),
        ("el trimestre mas reciente", (2026, 4)),
    ],
)
def test_spanish_periods_parse_as_the_english_ones(
    nlp: spacy.language.Language, text: str, expected: tuple[int | None, int | None]
) -> None:
    found = entities(nlp, text, "period")
    assert len(found) == 1, (text, found)
    assert parse_period(found[0][0], LATEST, knowledge().period_words) == expected


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("tercer trimestre del AF2025", "third quarter of FY2025"),
        ("T1 AF25", "Q1 FY25"),
        ("el trimestre anterior", "previous quarter"),
        ("el año pasado", "last year"),
    ],
)
def test_a_spanish_period_is_the_english_period(spanish: str, english: str) -> None:
    words = knowledge().period_words
    assert parse_period(spanish, LATEST, words) == parse_period(english, LATEST)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¿dónde está el Centro de Electrónica?", "CEE007"),
        ("donde esta el centro de electronica", "CEE007"),
        ("el centro de maquinaria", "CEE010"),
        ("cuántos importadores tiene farmacéuticos", "CEE001"),
        ("cuantos importadores tiene farmaceuticos", "CEE001"),
        ("el centro de Laredo", "CEE010"),
        ("socios en Nueva York y en Detroit", "CEE003"),
    ],
)
def test_centers_by_spanish_gloss_industry_word_or_city(nlp: spacy.language.Language, text: str, code: str) -> None:
    found = entities(nlp, text, "center")
    assert code in [ident for _, ident in found], (text, found)
    assert code in [c.code for c in filter(None, (knowledge().find_center(t) for t, _ in found))]


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("¿qué centro maneja las llantas?", "tires"),
        ("que centro maneja neumaticos", "tires"),
        ("refacciones para camiones", "auto parts"),
        ("importamos autopartes", "auto parts"),
        ("playeras de algodón", "t-shirts"),
        ("camisetas", "t-shirts"),
        ("ordenadores portátiles", "laptops"),
        ("computadoras", "laptops"),
        ("teléfonos móviles", "phones"),
        ("telefonos moviles", "phones"),
        ("celulares", "phones"),
        ("medicamentos genéricos", "medicines"),
        ("acero inoxidable", "steel"),
        ("acero", "steel"),
        ("café en grano", "coffee"),
        ("cafe en grano", "coffee"),
        ("aguacates de Michoacán", "avocados"),
    ],
)
def test_spanish_product_words_find_the_english_products_hts(text: str, english: str) -> None:
    kb = knowledge()
    found = kb.find_product(text)
    assert found is not None, text
    assert found[1] == kb.find_product(english)[1]
    assert fuzzy.product_in([text], found)[1] == found[1]


@pytest.mark.parametrize(
    ("text", "hts"),
    [("llantas", "4011"), ("neumaticos", "4011"), ("playeras", "6109"), ("ordenadores", "8471"), ("móviles", "8517")],
)
def test_spanish_product_words_are_product_entities(nlp: spacy.language.Language, text: str, hts: str) -> None:
    assert (text, hts) in entities(nlp, f"qué centro maneja {text}", "product")


def test_a_spanish_word_that_names_a_center_is_a_center_and_still_a_product(nlp: spacy.language.Language) -> None:
    assert entities(nlp, "qué centro maneja el acero", "center") == [("acero", "CEE005")]
    assert knowledge().find_product("qué centro maneja el acero") == ("acero", "72")


def test_misspelt_spanish_words() -> None:
    assert fuzzy.metric_in("cuantos empelados tiene Laredo") == "staff"
    assert fuzzy.metric_in("importadors de Miami") == "importers"
    assert fuzzy.product_in(["neumaticoss para camion"], None) == ("neumaticos", "4011")


def test_fewest_in_spanish() -> None:
    assert _asks_fewest("¿qué centro tiene menos socios?")
    assert _asks_fewest("el centro con el mínimo de entradas") and _asks_fewest("el minimo de entradas")
    assert not _asks_fewest("¿qué centro tiene más socios?")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("personal information about my company", "metric"),
        ("what about the mayor of Miami", "metric"),
        ("my T1 line is down", "period"),
        ("a cafe near the port", "product"),
        ("Sal from the broker called", "center"),
    ],
)
def test_english_words_are_not_read_as_spanish(nlp: spacy.language.Language, text: str, label: str) -> None:
    assert entities(nlp, text, label) == []
    assert metric_of(text) is None


@pytest.mark.parametrize(
    ("text", "label", "found"),
    [
        ("entries in Q3 FY2025", "period", [("Q3 FY2025", "")]),
        ("which center handles frozen shrimp", "product", [("frozen shrimp", "0306")]),
        ("how many partner accounts", "metric", [("partner accounts", "")]),
        ("the auto center in Detroit", "center", [("auto", "CEE003"), ("Detroit", "CEE003")]),
    ],
)
def test_english_entities_are_unchanged(
    nlp: spacy.language.Language, text: str, label: str, found: list[tuple[str, str]]
) -> None:
    assert entities(nlp, text, label) == found


def test_forms_without_accents() -> None:
    assert forms("neumáticos") == ("neumáticos", "neumaticos")
    assert forms("carbón") == ("carbón",)  # "carbon" is English
    assert forms("acero") == ("acero",)


def test_spanish_words_stay_out_of_the_english_spelling_dictionary() -> None:
    from bot.spelling_words import domain_words

    words = domain_words(knowledge())
    assert not {"neumaticos", "llantas", "importadores", "empleados", "trimestre"} & set(words)


def test_a_product_entry_must_name_an_english_product_word(kb_copy: Path) -> None:
    edit(kb_copy / "es" / "products.yml", "{en: tires,", "{en: tyrez,")
    with pytest.raises(KnowledgeError, match=r"es/products.yml, line \d+: 'tyrez' is not a word of products.yml"):
        load_knowledge(kb_copy)


def test_a_common_english_word_may_not_stand_alone(kb_copy: Path) -> None:
    edit(kb_copy / "es" / "words.yml", "[empleados, funcionarios,", "[empleados, personal, funcionarios,")
    with pytest.raises(KnowledgeError, match=r"es/words.yml, line \d+: 'personal' is also a common English word"):
        load_knowledge(kb_copy)


def test_a_period_word_must_stand_for_an_english_one(kb_copy: Path) -> None:
    edit(kb_copy / "es" / "words.yml", "  quarter: [trimestre]", "  cuarto: [trimestre]")
    with pytest.raises(KnowledgeError, match=r"es/words.yml, line \d+: periods: 'cuarto' is not one of"):
        load_knowledge(kb_copy)


def test_a_product_word_is_listed_once(kb_copy: Path) -> None:
    edit(kb_copy / "es" / "products.yml", "[uvas]", "[uvas, llantas]")
    with pytest.raises(KnowledgeError, match=r"es/products.yml, line \d+: 'llantas' is listed twice \(also line"):
        load_knowledge(kb_copy)


def test_without_the_spanish_word_files_the_knowledge_loads(kb_copy: Path) -> None:
    (kb_copy / "es" / "words.yml").unlink()
    (kb_copy / "es" / "products.yml").unlink()
    assert load_knowledge(kb_copy).translations["es"].vocabulary.products == []


def test_parse_period_in_english_is_unchanged() -> None:
    latest = Period.of(dt.date(2026, 9, 30))
    assert parse_period("last quarter", latest, knowledge().period_words) == parse_period("last quarter", latest)


def test_a_word_that_names_a_figure_only_in_spanish_needs_a_spanish_message() -> None:
    with language.use(language.SPANISH):
        assert metric_of("perdon, queria decir personal") == "staff"
    assert metric_of("personal") is None  # an English message: the English word
    assert metric_of("personal protective equipment importers") == "importers"


def test_a_borrowed_word_is_one_word_of_plain_letters(kb_copy: Path) -> None:
    edit(kb_copy / "es" / "words.yml", "borrowed: [partner,", "borrowed: [partner accounts,")
    with pytest.raises(KnowledgeError, match=r"es/words.yml, line \d+: borrowed: 'partner accounts' must be one word"):
        load_knowledge(kb_copy)

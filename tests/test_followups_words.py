"""The contextual intent step (bot/followups.py): the intent a message's own words decide, whatever the classifier's
unsure guess (requests, figures, rankings, products named with industry words, Spanish figure words)."""

from __future__ import annotations

from typing import Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.followups import FOLLOW_UP, _industry_named, decide
from tests.followup_turns import message, tracker


def test_a_request_goes_to_the_kind_its_words_name() -> None:
    visit = "we think it would help if they saw our operation in person. please start a visit request for us"
    assert decide(message(visit, "request_change_center"), None) == "request_site_visit"
    assert decide(message("can someone from the center call us", "request_site_visit"), None) == "request_outreach_call"
    both = "we want to move to machinery, can someone call us about it"
    assert decide(message(both, "request_change_center"), None) is None  # two kinds named: the classifier's
    assert decide(message("i want to switch centers", "request_change_center"), None) is None


def test_a_question_for_ones_own_center_without_the_number_is_the_importer_look_up() -> None:
    assert decide(message("what center is my company assigned to", "faq"), None) == "center_for_importer"
    assert decide(message("find my cee by importer number", "faq"), None) == "center_for_importer"
    assert decide(message("how do i find my center", "faq"), None) is None  # the FAQ answer: how to find it
    assert decide(message("which center handles our goods", "faq"), None) == "center_for_product"
    assert decide(message("what center is my shrimp in", "faq", ["product"]), None) != "center_for_importer"


def test_a_figure_asked_for_without_a_center_is_a_figure_question() -> None:
    assert decide(message("how many importers r at the cee", "faq", ["metric"]), None) == "ask_figure"
    assert decide(message("post entry actions for the center?", "faq", ["metric"]), None) == "ask_figure"
    assert decide(message("total entries, all centers", "center_info", ["metric"]), None) == "ask_total"
    assert decide(message("how are importers assigned to centers", "faq", ["metric"]), None) is None
    assert decide(message("how many staff at houston", "center_info", ["metric", "center"]), None) != "ask_total"


def test_a_question_for_the_center_of_unnamed_products_is_a_product_question() -> None:
    assert decide(message("need the cee for one of our items", "request_site_visit"), None) == "center_for_product"
    line = "Hello, I need to find out which Center handles our product line, can you help?"
    assert decide(message(line, "help"), None) == "center_for_product"
    assert decide(message("what center handles our goods", "stop"), None) is None
    assert decide(message("wat center is my hts code under", "center_for_importer"), None) == "center_for_product"
    released = "once my goods are released what does the center do with the entry"
    assert decide(message(released, "faq"), None) is None
    asked = "can you tell me which center handles my product"
    assert decide(message(asked, "faq"), None) == "center_for_product"


def test_a_question_about_the_bots_answers_on_products_is_no_product_question() -> None:
    for line in (
        "if you tell me which center handles my product is that official or just guidance",
        "how official are your answers about which center handles a product",
        "que tan oficial es lo que me dices de que centro maneja un producto",
    ):
        assert decide(message(line, "faq"), None) is None, line


def test_a_figure_named_with_its_centers_or_a_ranking_word_is_a_figure_question() -> None:
    two = ["metric", "center", "center"]
    assert decide(message("how do the apparel and IMM centres compare on importers", "faq", two), None) == "ask_figure"
    assert decide(message("entries at Electronics vs Machinery", "ask_trend", two), None) == "ask_figure"
    count = "whats the importer count for the auto cee"
    assert decide(message(count, "faq", ["metric", "center", "period"]), None) == "ask_figure"
    assert decide(message("which centre has the most importers", "list_centers", ["metric"]), None) == "ask_ranking"
    assert decide(message("staff at laredo over time", "ask_trend", ["metric", "center"]), None) == "ask_trend"
    # a figure with no Center and no ranking word, another intent, or another thing named: not decided here
    assert decide(message("is there public data on importers per center somewhere", "faq", ["metric"]), None) is None
    assert (
        decide(message("phone for the Houston center staff", "center_contact", ["metric", "center"]), None)
        != "ask_figure"
    )
    assert decide(message("which center has the most importers like 8471", "faq", ["metric", "hts_code"]), None) != (
        "ask_ranking"
    )


def test_a_question_out_of_scope_about_a_centers_city_stays_out_of_scope() -> None:
    def named(text: str, span: str, intent: str) -> Message:
        start = text.index(span)
        entity = {"entity": "center", "value": "CEE006", "start": start, "end": start + len(span)}
        return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.5}, "entities": [entity]})

    assert decide(named("what's the weather in Houston today", "Houston", "out_of_scope"), None) is None
    assert decide(named("whats the PNGM", "PNGM", "out_of_scope"), None) == "center_info"
    assert decide(named("what is in Houston", "Houston", "faq"), None) == "center_info"


def test_where_a_center_just_talked_about_is_is_a_center_question() -> None:
    assert decide(message("where is that cee", "faq"), tracker("importer")) == "center_info"
    assert decide(message("where is it based", "chitchat"), tracker("product")) == "center_info"
    assert decide(message("where is it based", "chitchat"), None) is None  # nothing talked about
    where_to = message("where do i send my protest", "faq")
    assert decide(where_to, tracker("importer")) is None


def test_a_product_named_after_a_product_answer_is_the_product_question_again() -> None:
    engines = message("and if we started bringing in car engines", "faq", ["product"])
    assert decide(engines, tracker("product")) == FOLLOW_UP
    assert decide(engines, tracker("figure")) != FOLLOW_UP


def test_a_question_about_requests_is_not_a_request() -> None:
    asked = message("what should go in a request to change centers", "request_change_center")
    assert decide(asked, None) == "faq"
    assert decide(message("who decides a change request", "request_change_center"), None) == "faq"
    assert decide(message("please start a change request", "request_change_center"), None) is None
    assert decide(message("what i need is a site visit, can you set it up", "request_site_visit"), None) is None
    assert decide(message("can u look up my importers center", "faq"), None) == "center_for_importer"


def test_a_question_that_says_more_than_where_is_not_about_where_the_center_is() -> None:
    form = message("where's the form for changing to Electronics", "faq", ["center"])
    assert decide(form, tracker("importer")) is None


def test_a_message_with_a_request_reference_asks_for_its_status() -> None:
    update = message("any update on CR-2026-000001? my email is jane@acme.com", "inform", ["request_ref"])
    assert decide(update, None) == "request_status"
    assert decide(message("thanks for CR-2026-000001", "thank", ["request_ref"]), None) is None


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        ("¿a qué centro pertenece el 23-051740021?", "faq", ["ior_number"], "center_for_importer"),
        ("el 07-123456700 en que cee esta", "faq", ["ior_number"], "center_for_importer"),
        ("¿qué formatos tiene el número de importador?", "faq", [], None),
    ],
)
def test_an_importer_number_with_a_center_question_is_a_look_up_in_either_language(
    text: str, intent: str, entities: list[str], expected: Optional[str]
) -> None:
    assert decide(message(text, intent, entities), tracker(None)) == expected


def test_which_center_handles_an_industry_is_a_product_question_even_when_taken_for_the_faq() -> None:
    spanish = Message(
        data={
            "text": "a que centro van los juguetes",
            "intent": {"name": "faq", "confidence": 0.4},
            "entities": [{"entity": "center", "value": "juguetes", "start": 20, "end": 29}],
        }
    )
    assert decide(spanish, tracker(None)) == "center_for_product"


@pytest.mark.parametrize(
    "text, span, product",
    [
        ("y los medicamentos?", "medicamentos", True),  # the Pharmaceuticals Center's word, and a product's
        ("and medicines?", "medicines", True),
        ("and CEE001?", "CEE001", False),  # a Center by code or city is not a product
        ("what about Laredo?", "Laredo", False),
    ],
)
def test_after_a_product_answer_an_industry_word_is_the_next_product(text: str, span: str, product: bool) -> None:
    start = text.index(span)
    asked = Message(
        data={
            "text": text,
            "intent": {"name": "center_info", "confidence": 0.4},
            "entities": [{"entity": "center", "value": span, "start": start, "end": start + len(span)}],
        }
    )
    assert _industry_named(asked) is product
    if product:
        assert decide(asked, tracker("product")) == FOLLOW_UP


def test_a_product_named_with_an_industry_word_and_asked_for_its_center_is_a_product_question() -> None:
    def asked(text: str, center: str) -> Message:
        entities = [
            {"entity": "product", "value": "tenis", "start": 4, "end": 9},
            {"entity": "center", "value": center, "start": text.index(center), "end": text.index(center) + len(center)},
        ]
        return Message(data={"text": text, "intent": {"name": "faq", "confidence": 0.5}, "entities": entities})

    assert decide(asked("los tenis y zapatos deportivos a que centro van", "zapatos"), None) == "center_for_product"
    named = asked("los tenis, el broker dijo Consumer Products. what's the process to move", "Consumer Products")
    assert decide(named, None) != "center_for_product"  # a Center named by its name: not only a product question


def test_wanting_to_know_an_importers_center_starts_no_request() -> None:
    asked = message(
        "quiero saber a que centro pertenece el importador 45-9876543CD", "request_change_center", ["ior_number"]
    )
    assert decide(asked, tracker(None)) == "center_for_importer"
    started = message(
        "quiero cambiar de centro, mi importador es 45-9876543CD", "request_change_center", ["ior_number"]
    )
    assert decide(started, tracker(None)) != "center_for_importer"


def test_a_word_that_names_a_figure_only_in_spanish_is_the_figure_in_a_spanish_message() -> None:
    def said(text: str, language: str) -> Message:
        return Message(data={"text": text, "intent": {"name": "faq", "confidence": 0.5}, "language": language})

    assert decide(said("personal", "es"), tracker("figure", awaiting="metric")) == FOLLOW_UP
    assert decide(said("perdon, queria decir personal", "es"), tracker("ranking")) == FOLLOW_UP
    assert decide(said("personal", "en"), tracker("figure", awaiting="metric")) is None


def test_the_piece_asked_for_is_a_follow_up_whatever_the_classifier_thought() -> None:
    answer = Message(
        data={
            "text": "por numero de importadores",
            "intent": {"name": "faq", "confidence": 0.4},
            "entities": [{"entity": "metric", "value": "numero de importadores", "start": 4, "end": 26}],
        }
    )
    assert decide(answer, tracker("ranking", awaiting="metric")) == FOLLOW_UP
    assert decide(answer, tracker("ranking")) != FOLLOW_UP  # nothing was asked for


def test_a_ranking_question_after_a_figure_is_a_ranking_whatever_its_first_word() -> None:
    asked = Message(
        data={
            "text": "y en general cual centro procesa mas entradas",
            "intent": {"name": "faq", "confidence": 0.6},
            "entities": [{"entity": "metric", "value": "entradas", "start": 38, "end": 46}],
        }
    )
    assert decide(asked, tracker("figure")) == "ask_ranking"


@pytest.mark.parametrize("intent", ["ask_figure", "ask_trend", "faq"])
def test_a_figure_asked_for_is_a_figure_question_whatever_the_unsure_guess(intent: str) -> None:
    asked = message("cuantas entries procesaron ahi el ultimo trimestre", intent, ["metric", "period"])
    assert decide(asked, tracker("center_info")) == "ask_figure"
    changed = message("how many importers over the past quarters", intent, ["metric"])
    assert decide(changed, tracker("center_info")) == "ask_trend"


def test_the_figures_of_a_named_center_are_a_figure_question_but_not_its_phone_numbers() -> None:
    assert decide(message("dame los numeros del centro de Chicago", "center_info", ["center"]), None) == "ask_figure"
    assert decide(message("phone numbers for the Chicago center", "center_info", ["center"]), None) != "ask_figure"


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("anotame para las llamadas periodicas con el centro", "faq", "request_outreach_call"),
        ("queremos que el centro nos visite en la planta", "faq", "request_site_visit"),
        ("please sign us up for the quarterly check-in calls", "faq", "request_outreach_call"),
        ("do centers make site visits to importers", "faq", None),  # a question about visits, not one asked for
    ],
)
def test_a_message_that_opens_by_asking_for_a_request_is_that_request(
    text: str, intent: str, expected: Optional[str]
) -> None:
    assert decide(message(text, intent), None) == expected


def test_a_total_or_ranking_guess_borne_out_by_a_figure_question_is_kept() -> None:
    asked = message("all centres together, how many importers", "ask_total", ["metric"])
    assert decide(asked, None) == "ask_total"

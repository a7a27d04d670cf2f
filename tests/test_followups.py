"""The contextual intent step of the NLU pipeline (bot/followups.py), on real trackers: follow-ups, forms,
numbers and the questions a message's own words settle."""

from __future__ import annotations

from typing import Optional

import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.followups import FOLLOW_UP, decide
from bot.normalise import NO_KNOWN_WORDS
from tests.followup_turns import contextual, message, ranked_message, tracker


@pytest.mark.parametrize(
    "text, intent, entities, awaiting",
    [
        ("electronics", "center_info", ["center"], "center"),
        ("the Miami one", "nlu_fallback", ["center"], "center"),
        ("partner accounts", "faq", ["metric"], "metric"),
        ("laptops mostly", "inform", ["product"], "product"),
    ],
)
def test_a_reply_to_what_the_bot_asked_completes_the_question(
    text: str, intent: str, entities: list[str], awaiting: str
) -> None:
    assert decide(message(text, intent, entities), tracker("figure", awaiting)) == FOLLOW_UP


def test_a_question_while_the_bot_waits_is_still_a_question() -> None:
    question = message("what are partner accounts and how do I become one", "faq", ["metric"])
    assert decide(question, tracker("figure", "metric")) is None


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        ("and Machinery?", "center_info", ["center"], FOLLOW_UP),
        ("no, I meant Base Metals", "deny", ["center"], FOLLOW_UP),
        ("what about last quarter", "nlu_fallback", ["period"], FOLLOW_UP),
        ("and the total?", "nlu_fallback", [], "ask_total"),
        ("and the least?", "center_info", [], "ask_ranking"),
        ("tell me about Machinery", "center_info", ["center"], "center_info"),  # a new question, not a follow-up
    ],
)
def test_short_follow_ups_after_a_figure(text: str, intent: str, entities: list[str], expected: Optional[str]) -> None:
    assert decide(message(text, intent, entities), tracker("figure")) == expected


@pytest.mark.parametrize("topic", ["figure", "center_info", "product"])
def test_a_message_of_nothing_but_a_piece_follows_the_answer_before(topic: str) -> None:
    staff = Message(
        data={
            "text": "staff?",
            "intent": {"name": "ask_figure", "confidence": 0.39},
            "entities": [{"entity": "metric", "value": "staff", "start": 0, "end": 5}],
        }
    )
    assert decide(staff, tracker(topic)) == FOLLOW_UP
    assert decide(staff, None) is None  # nothing to follow: the classifier's figure question stands
    sentence = Message(data={**staff.data, "text": "staff is what I need for my report"})
    assert decide(sentence, tracker(topic)) is None


def test_no_follow_up_without_a_recent_answer_to_follow() -> None:
    stale = tracker("figure", turns=3, turn_of_context=1)  # an FAQ answer came in between
    assert decide(message("and Machinery?", "center_info", ["center"]), stale) is None
    assert decide(message("and the benefits?", FOLLOW_UP, [], ["faq"]), stale) == "faq"
    assert decide(message("and the benefits?", FOLLOW_UP, [], ["faq"]), None) == "faq"
    compare = message(
        "how do the apparel and IMM centres compare on importers", FOLLOW_UP, ["center", "center", "metric"]
    )
    compare.set("intent_ranking", [{"name": FOLLOW_UP, "confidence": 0.43}, {"name": "ask_figure", "confidence": 0.37}])
    assert decide(compare, None) == "ask_figure"
    assert decide(message("CEE006 importers?", FOLLOW_UP, ["center", "metric"], ["greet"]), None) is None


def test_forms_decide_for_themselves() -> None:
    in_form = tracker("figure", "center", form="change_center_form")
    assert decide(message("electronics", "center_info", ["center"]), in_form) is None
    assert decide(message("12-3456789AB", "inform", ["ior_number"]), in_form) is None
    assert decide(message("Sample Sole Proprietor Imports", "request_change_center"), in_form) == "inform"
    assert decide(message("actually I'd rather request a site visit", "request_site_visit"), in_form) is None
    assert decide(message("actually cancel, ill call the center first", "center_info", ["center"]), in_form) == "stop"
    assert decide(message("actually cancel, ill call the center first", "stop"), in_form) == "stop"  # made certain
    assert decide(message("we had to cancel the apparel line", "inform"), in_form) is None  # an answer with the word


def test_a_ranking_needs_a_ranking_word_or_every_center() -> None:
    there = message("cuantas entries procesaron ahi el ultimo trimestre", "ask_ranking", ["metric", "period"])
    assert decide(there, tracker("center_info")) == "ask_figure"
    for text in ("how many importers does each center have", "which center has the most importers"):
        assert decide(message(text, "ask_ranking", ["metric"]), None) == "ask_ranking"


def test_a_question_about_requests_in_general_is_no_status_question() -> None:
    assert decide(message("who signs off on center change requests", "request_status"), None) == "faq"
    assert decide(message("¿cuáles son los pasos para pedir una visita?", "request_site_visit"), None) == "faq"
    assert decide(message("what is the status of my request", "request_status"), None) is None
    assert decide(message("who is handling request CR-2026-000123", "request_status"), None) is None
    assert decide(message("¿cuál es el procedimiento para pedir otro centro?", "request_change_center"), None) == "faq"
    assert decide(message("pedir otro centro, ¿cuál es el trámite?", "faq"), None) == "faq"  # certain
    starting = message("please start a center change request. what are the steps after that?", "request_change_center")
    assert decide(starting, None) is None
    for own in ("when will I hear back about the change request?", "¿cuándo me contestan la solicitud de cambio?"):
        assert decide(message(own, "request_status"), None) is None


def test_a_rephrasing_after_did_you_mean_is_read_as_a_question_of_its_own() -> None:
    rephrasing = tracker(None, form="action_two_stage_fallback")
    asked = message("sorry, which center takes care of gold rings", "faq", ["product"])
    assert decide(asked, rephrasing) == "center_for_product"
    assert decide(asked, tracker(None, form="site_visit_form")) is None  # in a form, an answer


def test_numbers_decide_between_importers_products_and_forms() -> None:
    assert (
        decide(message("and 232704-00123?", "follow_up", ["ior_number"]), tracker("importer")) == "center_for_importer"
    )
    assert decide(message("8703?", "faq", ["hts_code"]), None) == "center_for_product"
    assert decide(message("what is a CF-28", "faq", ["form"]), None) is None
    assert decide(message("is 7501 entry summary the same as 8703?", "faq", ["form", "hts_code"]), None) is None


def test_contact_questions_about_a_named_or_recent_center() -> None:
    assert decide(message("phone number for the houston cee", "faq", ["center"]), None) == "center_contact"
    assert decide(message("how do I get in touch with them", "faq"), tracker("center_info")) == "center_contact"
    unsure = message(
        "And how do I contact it?", "center_contact"
    )  # the classifier was unsure: the context bears it out
    assert decide(unsure, tracker("center_info")) == "center_contact"
    assert decide(message("how do I contact a Center", "faq"), None) is None  # no Center: the FAQ answer


def test_an_importer_number_that_starts_no_request_is_an_importer_question() -> None:
    rambling = "I'm a one-person business and my importer number is my social, 903-00-8608. which center handles me"
    assert decide(message(rambling, "nlu_fallback", ["product", "ior_number"]), None) == "center_for_importer"
    retry = message("oops wrong client. try 28-973021300", "request_change_center", ["ior_number"])
    assert decide(retry, tracker("importer")) == "center_for_importer"
    change = message("change the center of 28-973021300 to machinery", "request_change_center", ["ior_number"])
    assert decide(change, None) is None  # a request, with the number to fill in
    assert decide(message("is my number 903-00-8608 kept?", "faq", ["ior_number"]), None) is None


def test_an_importer_number_in_a_wrong_format_goes_to_the_importer_look_up() -> None:
    assert decide(message("which center is importer 12345", "center_for_product"), None) == "center_for_importer"
    assert decide(message("what center is importer ABC-12345", "request_status"), None) == "center_for_importer"
    assert decide(message("my importer number is 12-34567, what cee", "faq"), None) == "center_for_importer"
    unsure = message("which center is importer ABC-123 in", "center_for_importer")  # certain: no fallback
    assert decide(unsure, None) == "center_for_importer"
    assert decide(message("1234567890123 which center", "center_for_importer"), None) == "center_for_importer"
    ranking = message("largest cee by importer count in FY2025", "ask_ranking", ["metric", "period"])
    assert decide(ranking, None) == "ask_ranking"  # kept, with certainty
    status = message("status of CR-2026-000123 for importer 12345", "request_status", ["request_ref"])
    assert decide(status, None) is None
    assert (
        decide(message("which center handles 8471", "center_for_product", ["hts_code"]), None) == "center_for_product"
    )


def test_a_message_of_unknown_words_is_not_understood() -> None:
    gibberish = message("zxcvbnm lkjhg", "change_answer")
    gibberish.set(NO_KNOWN_WORDS, True)
    assert decide(gibberish, None) == "nlu_fallback"
    assert decide(message("zxcvbnm lkjhg", "change_answer"), None) is None  # the spelling step did not flag it


def test_a_number_too_long_for_an_hts_code_goes_to_the_importer_look_up() -> None:
    assert decide(message("1234567890123 which center", "center_for_product"), None) == "center_for_importer"
    assert decide(message("which center handles 8471300100", "center_for_product"), None) is None


def test_which_center_handles_an_industry_named_like_a_center() -> None:
    def asked(text: str, intent: str, name: str) -> Message:
        start = text.index(name)
        entity = {"entity": "center", "value": name, "start": start, "end": start + len(name)}
        return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.5}, "entities": [entity]})

    assert decide(asked("which center handles apparel", "center_info", "apparel"), None) == "center_for_product"
    contact = asked("who takes care of electronics imports", "center_contact", "electronics")
    assert decide(contact, None) == "center_for_product"
    assert decide(asked("what does the Machinery Center handle", "center_info", "Machinery"), None) is None
    assert decide(message("what centre handles it", "center_info"), None) == "center_for_product"
    assert decide(message("wat centre does laptops", "center_info", ["product"]), None) == "center_for_product"
    assert decide(message("Buffalo center stffa?", "center_info", ["center"]), None) == "ask_figure"
    assert decide(message("Buffalo center?", "center_info", ["center"]), None) is None


def test_a_follow_up_that_names_something_is_kept_without_context() -> None:
    assert decide(message("CEE006?", FOLLOW_UP, ["center"], ["greet"]), None) is None
    assert decide(message("and the benefits?", FOLLOW_UP, [], ["faq"]), None) == "faq"
    compare = message(
        "how do the apparel and IMM centres compare on importers", FOLLOW_UP, ["center", "center", "metric"]
    )
    compare.set("intent_ranking", [{"name": FOLLOW_UP, "confidence": 0.43}, {"name": "ask_figure", "confidence": 0.37}])
    assert decide(compare, None) == "ask_figure"
    assert decide(message("CEE006 importers?", FOLLOW_UP, ["center", "metric"], ["greet"]), None) is None


def test_intents_out_of_place_give_their_share_to_the_others() -> None:
    def read(conversation: Optional[DialogueStateTracker]) -> Message:
        ranked = ranked_message("how do I change to it?", ("faq", 0.45), ("change_answer", 0.34), ("center_info", 0.11))
        [out] = contextual().process([ranked], conversation)
        return out

    no_request = read(tracker("center"))  # after a Center answer, with no request under way: how to change Centers
    assert no_request.get("intent") == {"name": "faq", "confidence": pytest.approx(0.45 / 0.66)}
    assert [r["name"] for r in no_request.get("intent_ranking")] == ["faq", "center_info"]
    assert no_request.get("intent_ranking")[1]["confidence"] == pytest.approx(0.11 / 0.66)
    in_form = read(tracker(None, form="change_center_form"))  # during a request, an answer may be changed
    assert [r["name"] for r in in_form.get("intent_ranking")] == ["faq", "change_answer", "center_info"]
    waiting = tracker(None)
    waiting.update(SlotSet("pending_submit", "change_center"))  # a request waits to be sent after an FAQ answer
    assert [r["name"] for r in read(waiting).get("intent_ranking")] == ["faq", "change_answer", "center_info"]
    asked = ranked_message("change my answer", ("change_answer", 0.9), ("faq", 0.05))
    [kept] = contextual().process([asked], tracker(None))
    assert kept.get("intent") == {"name": "change_answer", "confidence": 0.9}  # told there is no request to change


def test_without_context_follow_up_is_no_rival() -> None:
    figure = message("compare staffing at buffalo and laredo", "ask_figure", ["metric"], [FOLLOW_UP, "ask_trend"])
    [out] = contextual().process([figure], None)
    assert [r["name"] for r in out.get("intent_ranking")] == ["ask_figure", "ask_trend"]
    [kept] = contextual().process(
        [message("and Machinery?", "center_info", ["center"], [FOLLOW_UP])], tracker("figure")
    )
    assert kept.get("intent")["name"] == FOLLOW_UP


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        ("whats the AGPP", "center_info", ["center"], "center_info"),
        ("info on the AFT cee", "faq", ["center"], "center_info"),
        ("what is the partner count at AGPP", "faq", ["center", "metric"], "ask_figure"),  # a figure, not the Center
        ("how do I change to the Electronics center and how long does it take", "faq", ["center"], None),  # a question
    ],
)
def test_a_short_question_about_a_center_is_about_the_center(
    text: str, intent: str, entities: list[str], expected: Optional[str]
) -> None:
    assert decide(message(text, intent, entities), None) == expected


def test_two_close_figure_intents_are_no_ambiguity() -> None:
    def ranked(*ranking: tuple[str, float]) -> Message:
        figure = ranked_message("post entry actions for the center?", *ranking)
        figure.set("entities", [{"entity": "metric"}])
        return figure

    assert decide(ranked(("ask_ranking", 0.49), ("ask_figure", 0.42)), None) == "ask_ranking"
    assert decide(ranked(("ask_ranking", 0.3), ("faq", 0.28)), None) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("toys n stuffed animals who handles those", "center_for_product"),  # unsure, borne out by the product
        ("what cee covers vaccines", "faq"),
        ("excavators and bulldozers, which cee", "list_centers"),
        ("frozen shrimp center?", "chitchat"),
        ("steel", "faq"),  # nothing to follow, in three words at most: its Center is asked for
        ("bolts and nuts, what is the cee", "follow_up"),  # with nothing to follow, no follow-up
        ("portland cement pls", "out_of_scope"),
    ],
)
def test_a_product_and_a_question_for_its_center_is_a_product_question(text: str, intent: str) -> None:
    assert decide(message(text, intent, ["product"]), None) == "center_for_product"


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("can steel importers get outreach calls from their center", "faq", ["product"]),  # long: not only a look-up
        ("what do i do with a CF-28 about our steel", "faq", ["product", "form"]),  # names a form too
        ("how many steel importers does Base Metals have", "ask_figure", ["product", "center", "metric"]),
        ("steel tariffs going up again?", "faq", ["product"]),  # asks for no Center
    ],
)
def test_other_questions_that_name_a_product_keep_their_intent(text: str, intent: str, entities: list[str]) -> None:
    assert decide(message(text, intent, entities), None) is None

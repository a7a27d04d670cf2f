"""The contextual intent step of the NLU pipeline (bot/followups.py), on real trackers."""

from __future__ import annotations

from typing import Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.followups import FOLLOW_UP, ContextualIntent, _industry_named, decide
from bot.normalise import NO_KNOWN_WORDS

DOMAIN = Domain.load("domain.yml")


def tracker(
    topic: Optional[str],
    awaiting: Optional[str] = None,
    turns: int = 1,
    form: Optional[str] = None,
    turn_of_context: Optional[int] = None,
) -> DialogueStateTracker:
    events: list = [UserUttered(f"message {i}") for i in range(turns)]
    if topic:
        events += [
            SlotSet("ctx_topic", topic),
            SlotSet("ctx_turn", float(turn_of_context or turns)),
            SlotSet("ctx_awaiting", awaiting),
            SlotSet("ctx_center", "CEE009"),
        ]
    if form:
        events.append(ActiveLoop(form))
    return DialogueStateTracker.from_events("test", events, DOMAIN.slots)


def message(text: str, intent: str, entities: list[str] = (), ranking: list[str] = ()) -> Message:  # type: ignore[assignment]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.4},
            "intent_ranking": [{"name": n, "confidence": 0.3} for n in (intent, *ranking)],
            "entities": [{"entity": e, "value": "x", "start": 0, "end": 1} for e in entities],
        }
    )


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


def test_without_context_follow_up_is_no_rival() -> None:
    figure = message("compare staffing at buffalo and laredo", "ask_figure", ["metric"], [FOLLOW_UP, "ask_trend"])
    [out] = _contextual().process([figure], None)
    assert [r["name"] for r in out.get("intent_ranking")] == ["ask_figure", "ask_trend"]
    [kept] = _contextual().process(
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
        return Message(
            data={
                "text": "post entry actions for the center?",
                "entities": [{"entity": "metric"}],
                "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
                "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            }
        )

    assert decide(ranked(("ask_ranking", 0.49), ("ask_figure", 0.42)), None) == "ask_ranking"
    assert decide(ranked(("ask_ranking", 0.3), ("faq", 0.28)), None) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("toys n stuffed animals who handles those", "center_for_product"),  # unsure, borne out by the product
        ("what cee covers vaccines", "faq"),
        ("excavators and bulldozers, which cee", "list_centers"),
        ("frozen shrimp center?", "chitchat"),
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
        ("steel", "faq", ["product"]),  # asks for no Center
    ],
)
def test_other_questions_that_name_a_product_keep_their_intent(text: str, intent: str, entities: list[str]) -> None:
    assert decide(message(text, intent, entities), None) is None


def _contextual() -> ContextualIntent:
    """The component as Rasa makes it (it has no configuration and keeps nothing)."""
    return ContextualIntent.create({}, None, None, None)  # type: ignore[arg-type]


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

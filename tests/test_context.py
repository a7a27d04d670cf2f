"""Conversation context (bot/actions/context.py): follow-ups, references and missing pieces, action by action."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from bot.actions.centers import ActionCenterContact, ActionCenterInfo
from bot.actions.context import ActionFollowUp
from bot.actions.figures import ActionFigure, ActionRanking, ActionTotal, ActionTrend
from bot.actions.lookup import ActionCenterForProduct
from tests.conftest import entity, run_action


class Conversation:
    """Runs actions turn after turn, carrying the slots they set, as Rasa does."""

    def __init__(self) -> None:
        self.slots: dict[str, object] = {}
        self.turns = 0

    def say(self, action: object, text: str, intent: str, entities: Optional[list[dict]] = None) -> tuple[str, dict]:
        self.turns += 1
        tracker = Tracker(
            sender_id="context-test",
            slots=dict(self.slots),
            latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
            events=[{"event": "user", "text": f"turn {i}"} for i in range(self.turns)],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )
        messages, events = run_action(action, tracker)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return "\n".join(m.get("text") or "" for m in messages), self.slots


def test_and_another_center_repeats_the_figure(sample_db_url: str) -> None:
    chat = Conversation()
    first, _ = chat.say(
        ActionFigure(),
        "how many staff at electronics",
        "ask_figure",
        [entity("metric", "staff"), entity("center", "Electronics")],
    )
    assert "Electronics Center (CEE007)" in first and "CBP staff" in first
    second, _ = chat.say(ActionFollowUp(), "and Machinery?", "follow_up", [entity("center", "Machinery")])
    assert "Machinery Center (CEE010)" in second and "CBP staff" in second
    third, _ = chat.say(
        ActionFollowUp(), "same for partner accounts", "follow_up", [entity("metric", "partner accounts")]
    )
    assert "Machinery Center (CEE010)" in third and "partner accounts" in third
    total, _ = chat.say(ActionTotal(), "and the total?", "ask_total")
    assert "Across the" in total and "partner accounts" in total


def test_a_missing_center_is_asked_for_then_the_question_answered(sample_db_url: str) -> None:
    chat = Conversation()
    ask, slots = chat.say(ActionFigure(), "how many staff", "ask_figure", [entity("metric", "staff")])
    assert "Which Center" in ask and slots["ctx_awaiting"] == "center"
    answer, slots = chat.say(ActionFollowUp(), "electronics", "follow_up", [entity("center", "electronics")])
    assert "Electronics Center (CEE007)" in answer and "CBP staff" in answer and slots["ctx_awaiting"] is None


def test_references_take_the_center_of_the_last_answer(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionCenterForProduct(),
        "which center handles copper tubing",
        "center_for_product",
        [entity("product", "copper tubing")],
    )
    where, _ = chat.say(ActionCenterInfo(), "where is it?", "center_info")
    assert "Base Metals Center (CEE005)" in where and "Chicago" in where
    phone, _ = chat.say(ActionCenterContact(), "its phone number?", "center_contact")
    assert "Base Metals Center (CEE005)" in phone and "CEE Directory" in phone
    staff, _ = chat.say(ActionFigure(), "how many staff work there?", "ask_figure", [entity("metric", "staff")])
    assert "Base Metals Center (CEE005)" in staff and "CBP staff" in staff


def test_a_correction_redoes_the_answer_with_the_last_center_named(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionFigure(), "entries at laredo", "ask_figure", [entity("metric", "entries"), entity("center", "Laredo")]
    )
    fixed, _ = chat.say(
        ActionFollowUp(), "not laredo, buffalo", "follow_up", [entity("center", "laredo"), entity("center", "buffalo")]
    )
    assert "Industrial & Manufacturing Materials Center (CEE009)" in fixed and "entries" in fixed


def test_two_centers_are_compared_and_the_comparison_followed(sample_db_url: str) -> None:
    chat = Conversation()
    both, _ = chat.say(
        ActionFigure(),
        "does electronics have more staff than machinery",
        "ask_figure",
        [entity("center", "Electronics"), entity("metric", "staff"), entity("center", "Machinery")],
    )
    assert "Electronics Center (CEE007)" in both and "Machinery Center (CEE010)" in both and "more CBP staff" in both
    again, _ = chat.say(ActionFollowUp(), "and importers?", "follow_up", [entity("metric", "importers")])
    assert "Electronics Center (CEE007)" in again and "Machinery Center (CEE010)" in again and "importers" in again


def test_a_new_question_does_not_inherit_the_old_center(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionFigure(),
        "staff at electronics",
        "ask_figure",
        [entity("metric", "staff"), entity("center", "Electronics")],
    )
    ranking, slots = chat.say(
        ActionRanking(), "which center has the most importers", "ask_ranking", [entity("metric", "importers")]
    )
    assert "had the most importers" in ranking and slots["ctx_center"] != "CEE007"


def test_a_follow_up_with_nothing_to_follow_goes_by_what_it_names(sample_db_url: str) -> None:
    chat = Conversation()
    answer, _ = chat.say(ActionFollowUp(), "and Machinery?", "follow_up", [entity("center", "Machinery")])
    assert "Machinery Center (CEE010)" in answer and "is managed from" in answer


def test_compare_it_with_another_center(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionFigure(), "staff at machinery", "ask_figure", [entity("metric", "staff"), entity("center", "Machinery")]
    )
    both, _ = chat.say(ActionFollowUp(), "compare it with base metals", "follow_up", [entity("center", "Base Metals")])
    assert "Machinery Center (CEE010)" in both and "Base Metals Center (CEE005)" in both and "CBP staff" in both
    assert "Cbp" not in both  # the label keeps its capitals at the start of the comparison


def test_a_figure_named_after_a_centers_description_is_that_figure_of_the_center(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(ActionCenterInfo(), "tell me about CEE010", "center_info", [entity("center", "CEE010")])
    staff, _ = chat.say(ActionFollowUp(), "staff?", "follow_up", [entity("metric", "staff")])
    assert "Machinery Center (CEE010)" in staff and "CBP staff" in staff and "is managed from" not in staff
    chat.say(ActionCenterInfo(), "tell me about CEE010", "center_info", [entity("center", "CEE010")])
    again, _ = chat.say(ActionFollowUp(), "and Base Metals?", "follow_up", [entity("center", "Base Metals")])
    assert "Base Metals Center (CEE005)" in again and "is managed from" in again  # no figure named: the description
    chat.say(
        ActionCenterForProduct(),
        "which center handles steel pipe",
        "center_for_product",
        [entity("product", "steel pipe")],
    )
    entries, _ = chat.say(ActionFollowUp(), "entries?", "follow_up", [entity("metric", "entries")])
    assert "Base Metals Center (CEE005)" in entries and " entries" in entries


def test_a_ranking_question_about_two_centers_compares_them(sample_db_url: str) -> None:
    chat = Conversation()
    both, _ = chat.say(
        ActionRanking(),
        "which has more post entry actions, the auto center or the metals center",
        "ask_ranking",
        [entity("center", "auto"), entity("center", "metals")],
    )
    assert "Automotive & Aerospace Center (CEE003)" in both and "Base Metals Center (CEE005)" in both
    assert "post-entry actions" in both and "had the most" not in both


def test_a_figure_asked_of_the_center_then_named_gives_that_figure(sample_db_url: str) -> None:
    chat = Conversation()
    asked, slots = chat.say(ActionRanking(), "entries handled by the center last quarter?", "ask_ranking")
    assert "Which Center" in asked and slots["ctx_topic"] == "figure" and slots["ctx_awaiting"] == "center"
    figure, _ = chat.say(ActionFollowUp(), "houston", "follow_up", [entity("center", "houston")])
    assert "Petroleum, Natural Gas & Minerals Center (CEE006)" in figure and "entries" in figure
    assert "had the most" not in figure


def test_misspelt_centers_and_figures_are_understood(sample_db_url: str) -> None:
    chat = Conversation()
    answer, _ = chat.say(ActionFigure(), "how many entires did Base Meals handle last quarter", "ask_figure")
    assert "Base Metals Center (CEE005)" in answer and "entries" in answer
    again, _ = chat.say(ActionFollowUp(), "oops i meant partner acaoutns", "follow_up")
    assert "Base Metals Center (CEE005)" in again and "partner accounts" in again


def test_a_correction_naming_two_centers_means_the_one_not_asked_before(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionFigure(),
        "how many staff at the new york center",
        "ask_figure",
        [entity("metric", "staff"), entity("center", "new york")],
    )
    corrected, _ = chat.say(
        ActionFollowUp(),
        "no, buffalo, the other NY one",
        "follow_up",
        [entity("center", "buffalo"), entity("center", "NY")],
    )
    assert "Industrial & Manufacturing Materials Center (CEE009)" in corrected and "CBP staff" in corrected


def test_a_correction_of_a_comparison_naming_two_centers_compares_them(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionFigure(),
        "compare staff at base metals and buffalo",
        "ask_figure",
        [entity("metric", "staff"), entity("center", "base metals"), entity("center", "buffalo")],
    )
    corrected, _ = chat.say(
        ActionFollowUp(),
        "no, Base Metals and Machinery",
        "follow_up",
        [entity("center", "Base Metals"), entity("center", "Machinery")],
    )
    assert "Base Metals Center (CEE005)" in corrected and "Machinery Center (CEE010)" in corrected
    assert "CEE009" not in corrected


def test_a_correction_of_the_figure_takes_the_one_not_asked_before(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(ActionFigure(), "entries at miami", "ask_figure", [entity("metric", "entries"), entity("center", "miami")])
    corrected, _ = chat.say(ActionFollowUp(), "no not entries, impotrs", "follow_up", [entity("metric", "entries")])
    assert "Agriculture & Prepared Products Center (CEE002)" in corrected and "importers" in corrected


def test_a_trend_or_total_question_that_names_centers_gets_their_figures(sample_db_url: str) -> None:
    chat = Conversation()
    both, _ = chat.say(
        ActionTrend(),
        "partner accounts at miami compared to atlanta",
        "ask_trend",
        [entity("metric", "partner accounts"), entity("center", "miami"), entity("center", "atlanta")],
    )
    assert "(CEE002)" in both and "(CEE008)" in both and "quarter by quarter" not in both
    one, _ = chat.say(
        ActionTotal(),
        "we're with the chicago one - how many entries did it process last quarter",
        "ask_total",
        [entity("center", "chicago"), entity("metric", "entries")],
    )
    assert "Base Metals Center (CEE005)" in one and "Across the" not in one
    total, _ = chat.say(ActionTotal(), "and the total?", "ask_total")
    assert "Across the" in total and "entries" in total


def test_a_correction_of_the_product_takes_the_one_not_asked_before(sample_db_url: str) -> None:
    chat = Conversation()
    chat.say(
        ActionCenterForProduct(), "which center handles sneakers", "center_for_product", [entity("product", "sneakers")]
    )
    corrected, _ = chat.say(
        ActionCenterForProduct(),
        "sorry no sneakers, bicycles",
        "center_for_product",
        [entity("product", "sneakers"), entity("product", "bicycles")],
    )
    assert "bicycles" in corrected and "(CEE008)" in corrected
    instead, _ = chat.say(
        ActionCenterForProduct(),
        "sneakers instead of bicycles",
        "center_for_product",
        [entity("product", "sneakers"), entity("product", "bicycles")],
    )
    assert "sneakers" in instead and "(CEE004)" in instead

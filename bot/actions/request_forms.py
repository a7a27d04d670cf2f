"""The validation actions of the three request forms: change of Center, outreach-call sign-up, on-site visit.

Each form lists its answers in its ``fields`` table (slot -> how the answer is read, see
:mod:`bot.actions.field_table`): the answers every form asks (:func:`~bot.actions.request_form_base.request_fields`),
IOR numbers with the Center found for them (:func:`importers`), Centers, and answers read by a parse function. The
answers that depend on the other answers, or that add a note, have their own ``validate_<slot>`` method. What the
forms share is in :mod:`bot.actions.request_form_base`.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any, ClassVar, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import common, privacy
from bot.actions.common import say
from bot.actions.field_table import Fields, FieldValidator, from_text, with_choice
from bot.actions.request_form_base import RequestFormValidation, center, center_suggestion, centers_in, request_fields
from bot.ior import IorNumber
from bot.requests.answers import Invalid, is_unsure, parse_free_text, parse_ior_numbers
from bot.requests.choices import parse_cadence, parse_reason, parse_role, parse_size
from bot.requests.hts_profile import parse_hts_profile
from bot.requests.kinds import CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT, ior_value
from bot.requests.places import parse_site
from bot.requests.times import parse_months, parse_time_zone
from bot.vocab import CADENCES, REASONS, ROLES, SIZES, TIME_ZONES


def _one_ior_number(text: str) -> list[IorNumber]:
    """The one IOR number of the answer (as a list of one).

    Raises:
        Invalid: no number, a number in no known format, or more than one number.
    """
    iors = parse_ior_numbers(text)
    if len(iors) > 1:
        raise Invalid("utter_one_ior_number")
    return iors


def importers(suggestion_slot: str, single: bool = False) -> FieldValidator:
    """An entry of ``fields`` for IOR numbers (exactly one when ``single``), kept as
    :func:`~bot.requests.kinds.ior_value`; the Center the database gives for them is offered in ``suggestion_slot``.
    """
    read = from_text(_one_ior_number if single else parse_ior_numbers)

    async def validate_importers(
        slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        iors = (await read(slot, value, dispatcher, tracker))[slot]
        if iors is None:
            return {slot: None}
        kept = ior_value(iors[0]) if single else [ior_value(i) for i in iors]
        decision = await asyncio.to_thread(privacy.allow_lookups, tracker, len(iors))
        if not decision.allowed:  # the question is asked without a Center offered
            dispatcher.utter_message(**privacy.limit_reply(decision, in_form=True))
            return {slot: kept, suggestion_slot: None}
        return {slot: kept, suggestion_slot: await center_suggestion(iors, privacy.is_staff(tracker))}

    return validate_importers


class ValidateChangeCenterForm(RequestFormValidation):
    """The change-of-Center form: IOR numbers, current and requested Center, reason, HTS profile, contact."""

    kind = CHANGE_CENTER
    fields: ClassVar[Fields] = {
        **request_fields(CHANGE_CENTER),
        "cc_ior_numbers": importers("cc_center_suggestion"),
        "cc_reason_detail": from_text(partial(parse_free_text, response="utter_invalid_reason_detail", minimum=8)),
        "cc_hts_profile": from_text(parse_hts_profile),
    }

    def name(self) -> str:
        return "validate_change_center_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = []
        iors = common.entity_values(tracker, "ior_number")
        if iors:
            events += await self._apply(self.validate_cc_ior_numbers, ", ".join(iors), dispatcher, tracker, domain)
        current, requested = _from_and_to(tracker)
        if current:
            events += await self._apply(self.validate_cc_current_center, current, dispatcher, tracker, domain)
        if requested:
            events += await self._apply(self.validate_cc_requested_center, requested, dispatcher, tracker, domain)
        return events

    async def validate_cc_current_center(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The current Center ("not sure" is an answer); the requested one is asked again when it is the same."""
        if is_unsure(str(value or "")) and not centers_in(value, tracker):
            return {"cc_current_center": "unknown"}
        result = await center("cc_center_suggestion")("cc_current_center", value, dispatcher, tracker)
        if result.get("cc_current_center") and result["cc_current_center"] == tracker.get_slot("cc_requested_center"):
            result["cc_requested_center"] = None  # the Center asked for must differ: ask it again
        return result

    async def validate_cc_requested_center(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The Center asked for: the first one named that is not the current Center."""
        current = tracker.get_slot("cc_current_center")
        centers = centers_in(value, tracker)
        other = next((c for c in centers if c.code != current), None)
        if other:
            return {"cc_requested_center": other.code}
        if centers:
            say(dispatcher, "utter_same_center", center=centers[0].label)
        else:
            say(dispatcher, "utter_invalid_center")
        return {"cc_requested_center": None}

    async def validate_cc_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The reason, by button or in words; a sentence is "other" with the sentence as its description."""
        answer = (await with_choice(parse_reason, REASONS)("cc_reason", value, dispatcher, tracker))["cc_reason"]
        if answer is None:
            return {"cc_reason": None}
        reason, detail = answer
        return {"cc_reason": reason, "cc_reason_detail": detail}


def _from_and_to(tracker: Tracker) -> tuple[Optional[str], Optional[str]]:
    """The current and the requested Center named in "move us from Base Metals to Machinery" (either may be None)."""
    text = tracker.latest_message.get("text") or ""
    entities = [e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "center"]
    current = requested = None
    unmarked = []
    for e in entities:
        start = e.get("start")
        if start is None:
            found = text.lower().find(str(e.get("value")).lower())
            start = found if found >= 0 else 0
        before = text[max(0, start - 16) : start].lower()
        if re.search(r"\b(from|out of|leave|leaving)\s+(the\s+)?$", before):
            current = current or str(e["value"])
        elif re.search(r"\b(to|into|under|with|join)\s+(the\s+)?$", before):
            requested = requested or str(e["value"])
        else:
            unmarked.append(str(e["value"]))
    if unmarked and current is None and requested is None and len(unmarked) >= 2:
        current, requested = unmarked[0], unmarked[1]
    elif unmarked and requested is None:
        requested = unmarked[-1]
    return current, requested


class ValidateOutreachCallForm(RequestFormValidation):
    """The outreach-call sign-up: company, role, size, Center, contact, cadence, time zone."""

    kind = OUTREACH_CALL
    fields: ClassVar[Fields] = {
        **request_fields(OUTREACH_CALL),
        "oc_role": with_choice(parse_role, ROLES),
        "oc_center": center(),
        "oc_cadence": with_choice(parse_cadence, CADENCES),
        "oc_time_zone": with_choice(parse_time_zone, TIME_ZONES),
    }

    def name(self) -> str:
        return "validate_outreach_call_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        centers = common.mentioned_centers(tracker)
        return [SlotSet("oc_center", centers[0].code)] if centers else []

    async def validate_oc_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The company's size; a large one is told that it may have an account manager already."""
        result = await with_choice(parse_size, SIZES)("oc_size", value, dispatcher, tracker)
        if result["oc_size"] == "large":
            say(dispatcher, "utter_oc_large_note")
        return result


class ValidateSiteVisitForm(RequestFormValidation):
    """The on-site visit request: company, IOR, Center, site, months, contact, topic."""

    kind = SITE_VISIT
    fields: ClassVar[Fields] = {
        **request_fields(SITE_VISIT),
        "sv_ior_number": importers("sv_center_suggestion", single=True),
        "sv_center": center("sv_center_suggestion"),
        "sv_site": from_text(parse_site),
        "sv_months": from_text(parse_months),
        "sv_topic": from_text(partial(parse_free_text, response="utter_invalid_topic", maximum=500)),
    }

    def name(self) -> str:
        return "validate_site_visit_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = []
        iors = common.entity_values(tracker, "ior_number")
        if len(iors) == 1:
            events += await self._apply(self.validate_sv_ior_number, iors[0], dispatcher, tracker, domain)
        centers = common.mentioned_centers(tracker)
        if centers:
            events += [SlotSet("sv_center", centers[0].code)]
        return events

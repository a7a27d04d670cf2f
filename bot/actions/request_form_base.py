"""What the three request forms share: starting and resuming, questions in the middle, changing an answer, the
summary's answer, the answers every form asks (company, contact name, email) and a Center offered from the database.

Each request is a form (``change_center_form``, ``outreach_call_form``, ``site_visit_form``) whose validation action
(``validate_<form>``, in :mod:`bot.actions.request_forms`) reads every answer, asks again with an example when it is
wrong, and ends with a summary (``<prefix>_confirm``: Confirm / Change an answer / Cancel). The words are in
``knowledge/replies/requests.yml``; answers are read by :mod:`bot.requests.answers`, :mod:`bot.requests.choices`,
:mod:`bot.requests.places` and :mod:`bot.requests.times`.
Database calls go through :mod:`bot.db.store`, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions import common
from bot.actions.common import intent_of, say
from bot.actions.field_table import FieldTable, FieldValidator, Validator, from_text
from bot.db import store
from bot.ior import IorNumber
from bot.knowledge import Center, knowledge
from bot.requests.answers import PAYLOAD, REF, fold, is_no, is_yes, parse_company, parse_contact_name, parse_email
from bot.requests.kinds import BY_FORM, CHANGE_CENTER, CLEARED_WITH, OPTIONAL_FIELDS, RequestKind, field_in

logger = logging.getLogger(__name__)


# -- the request, and the Centers in an answer or the database ---------------------------------------------------------
def active_kind(tracker: Tracker) -> Optional[RequestKind]:
    """The request whose form is active, if any."""
    return BY_FORM.get((tracker.active_loop or {}).get("name") or "")


def centers_in(value: Any, tracker: Tracker) -> list[Center]:
    """The Centers named in an answer, in order: by the message's ``center`` entities when the answer is the
    message, else by searching the answer's text.
    """
    text = str(value or "")
    if text == (tracker.latest_message.get("text") or ""):
        found = common.mentioned_centers(tracker)
        if found:
            return found
    center = knowledge().find_center(text)
    return [center] if center else []


def _find_importers(iors: Sequence[IorNumber]) -> list[tuple[IorNumber, Any]]:
    return [(ior, record) for ior in iors for record in [store.find_importer(ior)] if record]


async def center_suggestion(iors: Sequence[IorNumber], staff: bool = False) -> Optional[dict[str, Any]]:
    """The Center the database gives for these importers, to offer as the answer; None when none is known or the
    database cannot be reached (then the question is simply asked). The importers' names only for ``staff``.
    """
    try:
        found = await asyncio.to_thread(_find_importers, list(iors))
    except store.DatabaseUnavailable:
        logger.warning("Center suggestion skipped: the database is unavailable")
        return None
    if not found:
        return None
    code = Counter(r.center_code for _, r in found).most_common(1)[0][0]
    return {
        "code": code,
        "found": [
            {
                "ior": i.display,
                "name": r.name if staff else None,
                "center": r.center_code,
                "sample": "sample" in r.source.lower(),
            }
            for i, r in found
        ],
    }


# -- a question in the middle of a form --------------------------------------------------------------------------------
def _activating(tracker: Tracker, form: str) -> bool:
    """True while the form is being activated (it was set active after the latest user message)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return False


FREE_TEXT_FIELDS = ("cc_reason_detail", "sv_topic")
_QUESTION_START = re.compile(
    r"^\W*((actually|actualy|wait|hold on|first|before that|but|so|ok|okay|oh|well|sorry|hmm|um|also|btw|"
    r"quick question|and|just)\W+){0,3}"  # "wait whats ...", "actually, first tell me how ..."
    r"(how|what|what's|whats|when|where|why|who|which|is|are|can|could|do|does|did|will|would|should|may|"
    r"tell me|explain)\b",
    re.I,
)
_CONFIRM_WORDS = re.compile(r"^(yes|y|yep|yeah|confirm(ed)?|submit( it)?|send( it)?|store( it)?)\b")
_STATUS_WORDS = re.compile(r"\b(status|update|news|submitted|go through|went through|request)\b", re.I)


def is_digression(tracker: Tracker, slot: str) -> bool:
    """True when the message is an FAQ or a status question rather than an answer to the form's question.

    The model can take an unusual company name for an FAQ ("Gulf Energy Traders") or "every week" for a status
    question, so the intent alone does not decide. An FAQ must also read like a question (a question mark; for names
    and other short answers a question word at the start is enough too); a status question must hold a reference or
    the words of one.
    """
    intent = intent_of(tracker)
    text = str(tracker.latest_message.get("text") or "")
    if intent == "faq":
        return "?" in text or (slot not in FREE_TEXT_FIELDS and bool(_QUESTION_START.match(text)))
    if intent == "request_status":
        return bool(REF.search(text) or _STATUS_WORDS.search(text))
    return False


# -- changing an answer ------------------------------------------------------------------------------------------------
def field_titles(kind: RequestKind) -> dict[str, str]:
    """{slot: title} of the answers, as on the "which answer" buttons."""
    titles = replies.button_titles(f"utter_which_answer_{kind.kind}", "field")
    titles.update({"cc_reason_detail": titles.get("cc_reason", "Reason")} if kind is CHANGE_CENTER else {})
    return titles


def field_named(tracker: Tracker, text: Any, kind: RequestKind) -> Optional[str]:
    """The answer named by a "which answer" button or in words ("change my email"), if any."""
    field = common.first_entity(tracker, "field")
    if field in kind.fields:
        return field
    return None if PAYLOAD.match(str(text or "")) else field_in(str(text or ""), kind)


def reopen(dispatcher: CollectingDispatcher, tracker: Tracker, kind: RequestKind, field: str) -> dict[str, Any]:
    """Clear an answer so that the form asks it again (and then shows the summary again)."""
    title = field_titles(kind).get(field, field)
    done: dict[str, Any] = {"edit_field": None, "edit_pending": None}
    if tracker.get_slot(field) is None:
        say(dispatcher, "utter_not_answered_yet", field=title)
        return done
    say(dispatcher, "utter_change_field", field=title)
    return {**done, field: None, kind.confirm: None, **dict.fromkeys(CLEARED_WITH.get(field, ()))}


# -- answers every request form reads the same way ---------------------------------------------------------------------
async def summary_answer(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The answer to the summary (``<prefix>_confirm``): yes stores it; no asks which answer to change; anything else
    asks again.
    """
    intent, text = intent_of(tracker), fold(value).lower()
    if intent == "affirm" or _CONFIRM_WORDS.match(text) or is_yes(text):
        return {slot: "yes"}
    if intent == "deny" or re.match(r"^(no|nope|not quite|wrong)\b", text):
        return {slot: None, "edit_pending": True}
    say(dispatcher, "utter_invalid_confirm")
    return {slot: None}


def center(suggestion_slot: Optional[str] = None) -> FieldValidator:
    """An entry of ``fields`` for a Center: named in the answer, or the one offered from the database (in
    ``suggestion_slot``) accepted ("yes") or refused (then the offer is dropped and the question asked).
    """

    async def validate_center(
        slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        suggestion = tracker.get_slot(suggestion_slot) if suggestion_slot else None
        text = fold(value)
        centers = centers_in(value, tracker)
        if centers:
            return {slot: centers[0].code}
        if suggestion and (intent_of(tracker) == "affirm" or is_yes(text)):
            return {slot: suggestion["code"]}
        if (
            suggestion_slot
            and suggestion
            and (intent_of(tracker) == "deny" or re.match(r"^\W*(no|nope|nah)\b", text, re.I))
        ):
            return {slot: None, suggestion_slot: None}
        say(dispatcher, "utter_invalid_center")
        return {slot: None}

    return validate_center


def request_fields(kind: RequestKind) -> dict[str, FieldValidator]:
    """The answers every request form reads the same way: company, contact name, email and the summary's answer."""
    return {
        f"{kind.prefix}_company": from_text(parse_company),
        f"{kind.prefix}_contact_name": from_text(parse_contact_name),
        kind.email: from_text(parse_email),
        kind.confirm: summary_answer,
    }


# -- the form validation -----------------------------------------------------------------------------------------------
class RequestFormValidation(FieldTable):
    """What the three request forms share: activation (start, resume, prefill), a question in the middle, and "which
    answer to change". Each form lists its answers in ``fields`` (with :func:`request_fields`).
    """

    kind: RequestKind

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Starts or resumes the form, or validates an answer (a question in the middle goes to the rules)."""
        if not _activating(tracker, self.kind.form):
            asked = tracker.get_slot("requested_slot")
            if asked in tracker.slots_to_validate() and is_digression(tracker, asked):
                # Not an answer: the rules answer the question, then the form asks its question again.
                return [SlotSet(asked, None), ActionExecutionRejected(self.kind.form)]
            return await super().run(dispatcher, tracker, domain)
        events = await self._activate(dispatcher, tracker, domain)
        following = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([following] if following else [])

    async def _activate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A new request starts afresh (also after one was stored); an unfinished one continues where it stopped."""
        kind = self.kind
        events: list[EventType] = [SlotSet("edit_pending", None), SlotSet("edit_field", None)]
        if tracker.get_slot(kind.ref_slot) is not None:  # the previous one was stored: this is a new request
            events += [SlotSet(s, None) for s in kind.all_slots]
        tracker.add_slots(events)
        if any(tracker.get_slot(s) is not None for s in kind.fields):
            say(dispatcher, "utter_request_resumed", what=kind.what)
            resumed = [SlotSet(kind.confirm, None)]
            tracker.add_slots(resumed)
            return events + resumed
        say(dispatcher, f"utter_{kind.prefix}_intro")
        if intent_of(tracker) == kind.trigger:
            events += await self._prefill(dispatcher, tracker, domain)
        return events

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Answers given with the request itself ("move 12-3456789AB from Base Metals to Machinery")."""
        return []

    async def _apply(
        self, validator: Validator, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validates an answer given with the request itself; its slots are set at once."""
        result = await validator(value, dispatcher, tracker, domain)
        events = [SlotSet(k, v) for k, v in result.items()]
        tracker.add_slots(events)
        return events

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The form's answers (the reason's description only for "other"), after "which answer" while changing."""
        slots = [
            s for s in domain_slots if s != "edit_field" and (s not in OPTIONAL_FIELDS or self._needed(s, tracker))
        ]
        return ["edit_field", *slots] if tracker.get_slot("edit_pending") else slots

    def _needed(self, slot: str, tracker: Tracker) -> bool:
        return slot == "cc_reason_detail" and tracker.get_slot("cc_reason") == "other"

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always says which slot comes next (rasa_sdk leaves it to Rasa when the list equals the domain's, and
        Rasa's own order would ask the optional slots).
        """
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((s for s in required if tracker.get_slot(s) is None), None))

    async def validate_edit_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Which answer to change: one named (it is asked again), none ("keep my answers"), or asked again."""
        field = field_named(tracker, value, self.kind)
        if field:
            return reopen(dispatcher, tracker, self.kind, field)
        text = fold(value).lower()
        keep = re.search(r"\b(keep|nothing|none|no change|all good|fine|back)\b", text) or is_no(text)
        if intent_of(tracker) == "affirm" or keep:
            return {"edit_field": None, "edit_pending": None}
        say(dispatcher, "utter_invalid_edit_field")
        return {"edit_field": None}

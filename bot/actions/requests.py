"""Guided requests: a change of Center, outreach calls, an on-site visit, and the status of a request.

Each request is a form (``change_center_form``, ``outreach_call_form``, ``site_visit_form``). Its validation action
(``validate_<form>``) reads every answer, asks again with an example when it is wrong, and ends with a summary
(``<prefix>_confirm``: Confirm / Change an answer / Cancel). ``action_submit_<kind>`` stores the confirmed request
once: the idempotency key is made from the conversation id and the answers, so a repeated "yes" or a channel retry
returns the same reference. Nothing is stored before the confirmation; when the database is unreachable the answers
are kept and "try again" stores them later.

The words the bot says are in ``knowledge/replies/requests.yml``; answers are read by :mod:`bot.requests.answers`
and :mod:`bot.requests.places`. Database calls go
through :mod:`bot.db.store`, off the event loop. Social Security-format numbers are never shown in full: IOR numbers
are shown with :attr:`bot.ior.IorNumber.display` and every message is masked by :func:`bot.replies.render`.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import hashlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions import common
from bot.db import store
from bot.ior import IorNumber
from bot.knowledge import Center, knowledge
from bot.requests.answers import (
    CADENCES, PAYLOAD, REF, ROLES, SIZES, UNSURE, YES, Invalid, find_ref, fold, parse_cadence, parse_company,
    parse_contact_name, parse_email, parse_free_text, parse_hts_profile, parse_ior_numbers, parse_reason, parse_role,
    parse_size,
)  # fmt: skip
from bot.requests.kinds import (
    BY_FORM, CHANGE_CENTER, CLEARED_WITH, FIELD_WORDS, KINDS, OPTIONAL_FIELDS, OUTREACH_CALL, SITE_VISIT, RequestKind,
    ior_from_value, ior_value,
)  # fmt: skip
from bot.requests.places import TIME_ZONES, parse_months, parse_site, parse_time_zone
from bot.requests.wording import center_label, hts_lines, hts_summary, months_label, suggestion_text, time_zone_label

logger = logging.getLogger(__name__)


# -- small helpers -----------------------------------------------------------------------------------------------------
def say(dispatcher: CollectingDispatcher, response: str, **values: Any) -> None:
    """Send a reply from knowledge/replies (placeholders filled, SSN-format numbers masked)."""
    dispatcher.utter_message(**replies.render(response, **values))


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def entity_of(tracker: Tracker, name: str) -> Optional[str]:
    return common.first_entity(tracker, name)


def _payload_values(payload: str) -> Dict[str, Any]:
    """The entities of a button payload such as ``/inform{"choice":"other"}``."""
    match = re.match(r"^/\w+(\{.*\})\s*$", payload or "")
    try:
        return json.loads(match.group(1)) if match else {}
    except ValueError:
        return {}


def button_titles(response: str, key: str) -> Dict[str, str]:
    """The titles of a reply's buttons by the value they send for ``key`` (e.g. ``choice``): {value: title}."""
    buttons = knowledge().responses[response][0].get("buttons") or []
    return {str(value): str(button["title"]) for button in buttons
            for k, value in _payload_values(str(button.get("payload"))).items() if k == key}  # fmt: skip


# -- answers in a form -------------------------------------------------------------------------------------------------
def centers_in(value: Any, tracker: Tracker) -> List[Center]:
    """The Centers named in an answer, in order: by the message's ``center`` entities when the answer is the
    message, else by searching the answer's text."""
    text = str(value or "")
    if text == (tracker.latest_message.get("text") or ""):
        found = common.mentioned_centers(tracker)
        if found:
            return found
    center = knowledge().find_center(text)
    return [center] if center else []


def _choice_or(tracker: Tracker, allowed: Sequence[str]) -> Optional[str]:
    choice = entity_of(tracker, "choice")
    return choice if choice in allowed else None


# -- the answers of a form, as shown and as stored -------------------------------------------------------------------
def _answers(tracker: Tracker, kind: RequestKind) -> Dict[str, Any]:
    return {slot[len(kind.prefix) + 1:]: tracker.get_slot(slot) for slot in kind.fields}


def complete(tracker: Tracker, kind: RequestKind) -> bool:
    """True when every answer the request needs is there."""
    return all(tracker.get_slot(s) is not None for s in kind.fields if s not in OPTIONAL_FIELDS)


def _iors(values: Any) -> List[IorNumber]:
    return [i for i in (ior_from_value(v) for v in (values or [])) if i]


def reason_label(reason: str, detail: Optional[str]) -> str:
    title = button_titles("utter_ask_change_center_form_cc_reason", "choice").get(reason, reason)
    return f"{title}: {detail}" if detail else title


def details_of(tracker: Tracker, kind: RequestKind) -> Dict[str, Any]:
    """The request as stored (JSON): codes and keys, never display text; the email is stored apart."""
    answers = _answers(tracker, kind)
    answers.pop("email", None)
    return answers


def idempotency_key(conversation: str, kind: str, details: Dict[str, Any], email: str) -> str:
    """The same conversation confirming the same answers gets the same key (and so the same stored request)."""
    payload = json.dumps({"conversation": conversation, "details": details, "email": email}, sort_keys=True)
    return f"{kind}:{hashlib.sha256(payload.encode()).hexdigest()}"


def _profile_note(profile: Sequence[Dict[str, Any]], requested: Optional[str]) -> str:
    if not profile or not requested:
        return ""
    first = max(profile, key=lambda p: p["share"] if p.get("share") is not None else -1) if any(
        p.get("share") is not None for p in profile) else profile[0]
    answer = knowledge().classify_hts(first["chapter"])
    if answer is None or answer.center is None:
        return ""
    name = "utter_cc_profile_matches" if answer.center.code == requested else "utter_cc_profile_differs"
    return replies.text(name, chapter=first["chapter"], center=answer.center.label)


def summary_values(tracker: Tracker, kind: RequestKind) -> Dict[str, str]:
    """The answers as shown in the summary (IOR numbers masked, Centers by name)."""
    a = _answers(tracker, kind)
    common = {"company": a["company"], "contact_name": a["contact_name"], "email": a["email"]}
    if kind is CHANGE_CENTER:
        return {
            **common,
            "ior_numbers": ", ".join(i.display for i in _iors(a["ior_numbers"])),
            "current_center": center_label(a["current_center"]),
            "requested_center": center_label(a["requested_center"]),
            "reason": reason_label(a["reason"], a["reason_detail"]),
            "hts_profile": hts_summary(a["hts_profile"]),
            "profile_note": _profile_note(a["hts_profile"], a["requested_center"]),
        }
    if kind is OUTREACH_CALL:
        return {
            **common,
            "role": button_titles("utter_ask_outreach_call_form_oc_role", "choice")[a["role"]].lower(),
            "size": button_titles("utter_ask_outreach_call_form_oc_size", "choice")[a["size"]].lower(),
            "center": center_label(a["center"]),
            "cadence": button_titles("utter_ask_outreach_call_form_oc_cadence", "choice")[a["cadence"]],
            "time_zone": time_zone_label(a["time_zone"]),
        }
    ior = ior_from_value(a["ior_number"])
    return {
        **common,
        "ior_number": ior.display if ior else "",
        "center": center_label(a["center"]),
        "site": f"{a['site']['city']}, {a['site']['state']}",
        "months": months_label(a["months"]),
        "topic": a["topic"],
    }


def change_center_draft(tracker: Tracker, ref: str, today: Optional[dt.date] = None) -> str:
    """The written change-of-Center request, ready to copy (SSN-format IOR numbers masked)."""
    a = _answers(tracker, CHANGE_CENTER)
    day = today or dt.datetime.now(dt.timezone.utc).date()
    return replies.text(
        "utter_cc_draft",
        date=replies.text("utter_date", month=calendar.month_name[day.month], day=day.day, year=day.year),
        company=a["company"],
        ior_lines="\n".join(f"- {i.display}" for i in _iors(a["ior_numbers"])),
        current_center=center_label(a["current_center"]),
        requested_center=center_label(a["requested_center"]),
        reason=reason_label(a["reason"], a["reason_detail"]),
        hts_lines=hts_lines(a["hts_profile"]),
        contact_name=a["contact_name"],
        email=a["email"],
        ref=ref,
    )


# -- database look-ups -------------------------------------------------------------------------------------------------
def _find_importers(iors: Sequence[IorNumber]) -> List[Tuple[IorNumber, Any]]:
    return [(ior, record) for ior in iors for record in [store.find_importer(ior)] if record]


async def center_suggestion(iors: Sequence[IorNumber]) -> Optional[Dict[str, Any]]:
    """The Center the database gives for these importers, to offer as the answer; None when none is known or the
    database cannot be reached (then the question is simply asked)."""
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
        "found": [{"ior": i.display, "name": r.name, "center": r.center_code, "sample": "sample" in r.source.lower()}
                  for i, r in found],
    }  # fmt: skip


# -- the form validations ----------------------------------------------------------------------------------------------
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


def field_titles(kind: RequestKind) -> Dict[str, str]:
    """{slot: title} of the answers, as on the "which answer" buttons."""
    titles = button_titles(f"utter_which_answer_{kind.kind}", "field")
    titles.update({"cc_reason_detail": titles.get("cc_reason", "Reason")} if kind is CHANGE_CENTER else {})
    return titles


def field_named(tracker: Tracker, text: Any, kind: RequestKind) -> Optional[str]:
    """The answer named by a "which answer" button or in words ("change my email"), if any."""
    field = entity_of(tracker, "field")
    if field in kind.fields:
        return field
    lower = str(text or "").lower()
    if PAYLOAD.match(lower):
        return None
    return next((slot for slot, pattern in FIELD_WORDS[kind.kind] if re.search(pattern, lower)), None)


def reopen(dispatcher: CollectingDispatcher, tracker: Tracker, kind: RequestKind, field: str) -> Dict[str, Any]:
    """Clear an answer so that the form asks it again (and then shows the summary again)."""
    title = field_titles(kind).get(field, field)
    done: Dict[str, Any] = {"edit_field": None, "edit_pending": None}
    if tracker.get_slot(field) is None:
        say(dispatcher, "utter_not_answered_yet", field=title)
        return done
    say(dispatcher, "utter_change_field", field=title)
    return {**done, field: None, kind.confirm: None, **{s: None for s in CLEARED_WITH.get(field, ())}}


Validator = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Any]


class _RequestFormValidation(FormValidationAction, ABC):
    """What the three request forms share: activation (start, resume, prefill), "which answer to change", the
    summary's answer, and the answers every form asks (company, contact name, email)."""

    kind: RequestKind

    @abstractmethod
    def name(self) -> Text:
        """validate_<form>."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
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
    ) -> List[EventType]:
        """A new request starts afresh (also after one was stored); an unfinished one continues where it stopped."""
        kind = self.kind
        events: List[EventType] = [SlotSet("edit_pending", None), SlotSet("edit_field", None)]
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

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Answers given with the request itself ("move 12-3456789AB from Base Metals to Machinery")."""
        return []

    async def _apply(self, validator: Validator, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> List[EventType]:  # fmt: skip
        result = await validator(value, dispatcher, tracker, domain)
        events = [SlotSet(k, v) for k, v in result.items()]
        tracker.add_slots(events)
        return events

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        slots = [s for s in domain_slots
                 if s != "edit_field" and (s not in OPTIONAL_FIELDS or self._needed(s, tracker))]  # fmt: skip
        return ["edit_field", *slots] if tracker.get_slot("edit_pending") else slots

    def _needed(self, slot: str, tracker: Tracker) -> bool:
        return slot == "cc_reason_detail" and tracker.get_slot("cc_reason") == "other"

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always says which slot comes next (rasa_sdk leaves it to Rasa when the list equals the domain's, and
        Rasa's own order would ask the optional slots)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((s for s in required if tracker.get_slot(s) is None), None))

    # -- answers shared by the three forms
    def _simple(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, parse: Callable[[str], Any]
    ) -> Dict[str, Any]:
        try:
            return {slot: parse(str(value or ""))}
        except Invalid as invalid:
            say(dispatcher, invalid.response, **invalid.values)
            return {slot: None}

    async def _company(self, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        return self._simple(f"{self.kind.prefix}_company", value, dispatcher, parse_company)

    async def _contact_name(self, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        return self._simple(f"{self.kind.prefix}_contact_name", value, dispatcher, parse_contact_name)

    async def _email(self, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        return self._simple(self.kind.email, value, dispatcher, parse_email)

    async def _confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        """The answer to the summary: yes stores it; no asks which answer to change; anything else asks again."""
        intent, text = intent_of(tracker), fold(value).lower()
        if intent == "affirm" or _CONFIRM_WORDS.match(text):
            return {self.kind.confirm: "yes"}
        if intent == "deny" or re.match(r"^(no|nope|not quite|wrong)\b", text):
            return {self.kind.confirm: None, "edit_pending": True}
        say(dispatcher, "utter_invalid_confirm")
        return {self.kind.confirm: None}

    async def validate_edit_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        field = field_named(tracker, value, self.kind)
        if field:
            return reopen(dispatcher, tracker, self.kind, field)
        text = fold(value).lower()
        if intent_of(tracker) == "affirm" or re.search(r"\b(keep|nothing|none|no change|all good|fine|back)\b", text):
            return {"edit_field": None, "edit_pending": None}
        say(dispatcher, "utter_invalid_edit_field")
        return {"edit_field": None}

    # -- a Center, possibly offered from the database
    async def _center(self, slot: str, suggestion_slot: str, value: Any, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> Dict[str, Any]:  # fmt: skip
        suggestion = tracker.get_slot(suggestion_slot) if suggestion_slot else None
        text = fold(value)
        centers = centers_in(value, tracker)
        if centers:
            return {slot: centers[0].code}
        if suggestion and (intent_of(tracker) == "affirm" or YES.match(text)):
            return {slot: suggestion["code"]}
        if suggestion and (intent_of(tracker) == "deny" or re.match(r"^\W*(no|nope|nah)\b", text, re.I)):
            return {slot: None, suggestion_slot: None}
        say(dispatcher, "utter_invalid_center")
        return {slot: None}


class ValidateChangeCenterForm(_RequestFormValidation):
    """The change-of-Center form: IOR numbers, current and requested Center, reason, HTS profile, contact."""

    kind = CHANGE_CENTER

    def name(self) -> Text:
        return "validate_change_center_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = []
        iors = common.entity_values(tracker, "ior_number")
        if iors:
            events += await self._apply(self.validate_cc_ior_numbers, ", ".join(iors), dispatcher, tracker, domain)
        current, requested = _from_and_to(tracker)
        if current:
            events += await self._apply(self.validate_cc_current_center, current, dispatcher, tracker, domain)
        if requested:
            events += await self._apply(self.validate_cc_requested_center, requested, dispatcher, tracker, domain)
        return events

    async def validate_cc_ior_numbers(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        try:
            iors = parse_ior_numbers(str(value or ""))
        except Invalid as invalid:
            say(dispatcher, invalid.response, **invalid.values)
            return {"cc_ior_numbers": None}
        return {"cc_ior_numbers": [ior_value(i) for i in iors], "cc_center_suggestion": await center_suggestion(iors)}

    async def validate_cc_current_center(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if UNSURE.search(fold(value)) and not centers_in(value, tracker):
            return {"cc_current_center": "unknown"}
        result = await self._center("cc_current_center", "cc_center_suggestion", value, dispatcher, tracker)
        if result.get("cc_current_center") and result["cc_current_center"] == tracker.get_slot("cc_requested_center"):
            result["cc_requested_center"] = None  # the Center asked for must differ: ask it again
        return result

    async def validate_cc_requested_center(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
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
    ) -> Dict[str, Any]:
        try:
            reason, detail = parse_reason(str(value or ""), entity_of(tracker, "choice"))
        except Invalid as invalid:
            say(dispatcher, invalid.response)
            return {"cc_reason": None}
        return {"cc_reason": reason, "cc_reason_detail": detail}

    async def validate_cc_reason_detail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._simple("cc_reason_detail", value, dispatcher,
                            lambda text: parse_free_text(text, "utter_invalid_reason_detail", minimum=8))  # fmt: skip

    async def validate_cc_hts_profile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._simple("cc_hts_profile", value, dispatcher, parse_hts_profile)

    async def validate_cc_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._company(value, dispatcher)

    async def validate_cc_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._contact_name(value, dispatcher)

    async def validate_cc_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._email(value, dispatcher)

    async def validate_cc_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._confirm(value, dispatcher, tracker)


def _from_and_to(tracker: Tracker) -> Tuple[Optional[str], Optional[str]]:
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
        before = text[max(0, start - 16): start].lower()
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


class ValidateOutreachCallForm(_RequestFormValidation):
    """The outreach-call sign-up: company, role, size, Center, contact, cadence, time zone."""

    kind = OUTREACH_CALL

    def name(self) -> Text:
        return "validate_outreach_call_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        centers = common.mentioned_centers(tracker)
        return [SlotSet("oc_center", centers[0].code)] if centers else []

    async def validate_oc_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._company(value, dispatcher)

    async def validate_oc_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("oc_role", value, dispatcher, lambda t: parse_role(t, _choice_or(tracker, ROLES)))

    async def validate_oc_size(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        result = self._simple("oc_size", value, dispatcher, lambda t: parse_size(t, _choice_or(tracker, SIZES)))
        if result["oc_size"] == "large":
            say(dispatcher, "utter_oc_large_note")
        return result

    async def validate_oc_center(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._center("oc_center", "", value, dispatcher, tracker)

    async def validate_oc_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._contact_name(value, dispatcher)

    async def validate_oc_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._email(value, dispatcher)

    async def validate_oc_cadence(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("oc_cadence", value, dispatcher, lambda t: parse_cadence(t, _choice_or(tracker, CADENCES)))

    async def validate_oc_time_zone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("oc_time_zone", value, dispatcher,
                            lambda t: parse_time_zone(t, _choice_or(tracker, tuple(TIME_ZONES))))  # fmt: skip

    async def validate_oc_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._confirm(value, dispatcher, tracker)


class ValidateSiteVisitForm(_RequestFormValidation):
    """The on-site visit request: company, IOR, Center, site, months, contact, topic."""

    kind = SITE_VISIT

    def name(self) -> Text:
        return "validate_site_visit_form"

    async def _prefill(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = []
        iors = common.entity_values(tracker, "ior_number")
        if len(iors) == 1:
            events += await self._apply(self.validate_sv_ior_number, iors[0], dispatcher, tracker, domain)
        centers = common.mentioned_centers(tracker)
        if centers:
            events += [SlotSet("sv_center", centers[0].code)]
        return events

    async def validate_sv_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._company(value, dispatcher)

    async def validate_sv_ior_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        try:
            iors = parse_ior_numbers(str(value or ""))
            if len(iors) > 1:
                raise Invalid("utter_one_ior_number")
        except Invalid as invalid:
            say(dispatcher, invalid.response, **invalid.values)
            return {"sv_ior_number": None}
        return {"sv_ior_number": ior_value(iors[0]), "sv_center_suggestion": await center_suggestion(iors)}

    async def validate_sv_center(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._center("sv_center", "sv_center_suggestion", value, dispatcher, tracker)

    async def validate_sv_site(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("sv_site", value, dispatcher, parse_site)

    async def validate_sv_months(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("sv_months", value, dispatcher, parse_months)

    async def validate_sv_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._contact_name(value, dispatcher)

    async def validate_sv_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._email(value, dispatcher)

    async def validate_sv_topic(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return self._simple("sv_topic", value, dispatcher,
                            lambda text: parse_free_text(text, "utter_invalid_topic", maximum=500))  # fmt: skip

    async def validate_sv_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:  # fmt: skip
        return await self._confirm(value, dispatcher, tracker)


class ValidateRequestStatusForm(FormValidationAction):
    """The reference of the request whose status is asked."""

    def name(self) -> Text:
        return "validate_request_status_form"

    async def validate_request_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        ref = find_ref(str(value or ""))
        if ref is None:
            say(dispatcher, "utter_invalid_request_ref")
        return {"request_ref": ref}


# -- questions that depend on the answers so far ---------------------------------------------------------------------
class ActionAskCcCurrentCenter(Action):
    """Offers the Center found in the database for the IOR numbers, or asks for the current Center."""

    def name(self) -> Text:
        return "action_ask_cc_current_center"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        suggestion = tracker.get_slot("cc_center_suggestion")
        if suggestion:
            say(dispatcher, "utter_cc_current_center_found", importers=suggestion_text(suggestion),
                center=knowledge().center(suggestion["code"]).label)  # fmt: skip
        else:
            say(dispatcher, "utter_cc_current_center_question")
        return []


class ActionAskSvCenter(Action):
    """Offers the importer's Center from the database for the visit, or asks which Center."""

    def name(self) -> Text:
        return "action_ask_sv_center"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        suggestion = tracker.get_slot("sv_center_suggestion")
        if suggestion:
            say(dispatcher, "utter_sv_center_found", importers=suggestion_text(suggestion),
                center=knowledge().center(suggestion["code"]).label)  # fmt: skip
        else:
            say(dispatcher, "utter_sv_center_question")
        return []


class _AskConfirm(Action, ABC):
    """The summary of the answers, with Confirm / Change an answer / Cancel."""

    kind: RequestKind

    @abstractmethod
    def name(self) -> Text:
        """action_ask_<prefix>_confirm."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, f"utter_{self.kind.prefix}_summary", **summary_values(tracker, self.kind))
        return []


class ActionAskCcConfirm(_AskConfirm):
    kind = CHANGE_CENTER

    def name(self) -> Text:
        return "action_ask_cc_confirm"


class ActionAskOcConfirm(_AskConfirm):
    kind = OUTREACH_CALL

    def name(self) -> Text:
        return "action_ask_oc_confirm"


class ActionAskSvConfirm(_AskConfirm):
    kind = SITE_VISIT

    def name(self) -> Text:
        return "action_ask_sv_confirm"


class ActionAskEditField(Action):
    """Which answer to change: one button per answer given so far."""

    def name(self) -> Text:
        return "action_ask_edit_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = BY_FORM.get((tracker.active_loop or {}).get("name") or "")
        if kind is None:
            return []
        message = replies.render(f"utter_which_answer_{kind.kind}")
        message["buttons"] = [
            b for b in message.get("buttons", [])
            if (field := _payload_values(b["payload"]).get("field")) is None or tracker.get_slot(field) is not None
        ]  # fmt: skip
        dispatcher.utter_message(**message)
        return []


# -- storing, cancelling, changing and resuming ------------------------------------------------------------------------
class _SubmitRequest(Action, ABC):
    """Stores the confirmed request once and gives its reference and the next steps."""

    kind: RequestKind

    @abstractmethod
    def name(self) -> Text:
        """action_submit_<kind>."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = self.kind
        if not complete(tracker, kind):
            say(dispatcher, "utter_nothing_to_confirm")
            return [SlotSet("pending_submit", None)]
        details, email = details_of(tracker, kind), str(tracker.get_slot(kind.email))
        key = idempotency_key(tracker.sender_id, kind.kind, details, email)
        try:
            record = await asyncio.to_thread(store.create_request, kind.kind, details, email, key)
        except store.DatabaseUnavailable:
            logger.warning("A %s request could not be stored: the database is unavailable", kind.kind)
            stored = tracker.get_slot(kind.ref_slot)
            if stored:  # this is a repeat of a request stored before: its reference is known
                say(dispatcher, "utter_request_already_stored", what=kind.what, ref=stored)
                return []
            say(dispatcher, "utter_request_not_stored", what=kind.what)
            return [SlotSet("pending_submit", kind.kind)]
        if record.created:
            logger.info("Stored %s request %s", kind.kind, record.ref)
            self.submitted(dispatcher, tracker, record.ref)
        else:
            logger.info("Repeated confirmation of %s: nothing new stored", record.ref)
            say(dispatcher, "utter_request_already_stored", what=kind.what, ref=record.ref)
            self.repeated(dispatcher, tracker, record.ref)
        return [SlotSet(kind.ref_slot, record.ref), SlotSet("last_request_ref", record.ref),
                SlotSet("pending_submit", None)]  # fmt: skip

    def submitted(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        say(dispatcher, f"utter_{self.kind.prefix}_submitted", ref=ref, **summary_values(tracker, self.kind))

    def repeated(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        """What else a repeated confirmation gets (nothing by default)."""


class ActionSubmitChangeCenter(_SubmitRequest):
    kind = CHANGE_CENTER

    def name(self) -> Text:
        return "action_submit_change_center"

    def submitted(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        super().submitted(dispatcher, tracker, ref)
        self.offer_draft(dispatcher, tracker, ref)

    def repeated(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        self.offer_draft(dispatcher, tracker, ref)

    @staticmethod
    def offer_draft(dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        """The written request, in the text (to copy) and as a file for channels that can offer a download."""
        draft = change_center_draft(tracker, ref)
        message = replies.render("utter_cc_draft_offer", draft=draft)
        dispatcher.utter_message(
            text=message["text"],
            json_message={"type": "download", "filename": replies.text("utter_cc_draft_filename", ref=ref), "text": draft},
        )


class ActionSubmitOutreachCall(_SubmitRequest):
    kind = OUTREACH_CALL

    def name(self) -> Text:
        return "action_submit_outreach_call"


class ActionSubmitSiteVisit(_SubmitRequest):
    kind = SITE_VISIT

    def name(self) -> Text:
        return "action_submit_site_visit"


def _latest_form(tracker: Tracker, among: Sequence[RequestKind]) -> Optional[RequestKind]:
    """Of these requests, the one whose form was active most recently."""
    forms = {k.form: k for k in among}
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") in forms:
            return forms[event["name"]]
    return among[0] if among else None


class ActionCancelRequest(Action):
    """Drops the request that was stopped (or the one waiting to be stored): nothing is stored."""

    def name(self) -> Text:
        return "action_cancel_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = self._cancelled(tracker)
        if kind is None:
            dispatcher.utter_message(**replies.render("utter_nothing_to_cancel"))
            return [SlotSet("pending_submit", None)]
        say(dispatcher, "utter_request_cancelled", what=kind.what)
        events = [SlotSet(s, None) for s in kind.all_slots]
        # pending_submit is always cleared (the rules expect it): another request waiting to be stored keeps its
        # answers, and "continue my request" brings it back to its summary.
        events += [SlotSet("requested_slot", None), SlotSet("edit_pending", None), SlotSet("edit_field", None),
                   SlotSet("pending_submit", None)]
        return events

    @staticmethod
    def _cancelled(tracker: Tracker) -> Optional[RequestKind]:
        deactivated = False
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                break
            if event.get("event") == "action" and event.get("name") == "action_deactivate_loop":
                deactivated = True
        if deactivated:
            return _latest_form(tracker, list(KINDS.values()))
        pending = tracker.get_slot("pending_submit")
        if pending in KINDS:
            return KINDS[pending]
        return BY_FORM.get((tracker.active_loop or {}).get("name") or "")


class ActionChangeAnswer(Action):
    """ "Change an answer": clears the answer named (then the form asks it again), or asks which one."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = BY_FORM.get((tracker.active_loop or {}).get("name") or "")
        if kind is None:
            pending = tracker.get_slot("pending_submit")
            if pending in KINDS:
                say(dispatcher, "utter_request_resume_to_change", what=KINDS[pending].what)
            elif tracker.get_slot("last_request_ref"):
                say(dispatcher, "utter_stored_cannot_change", ref=tracker.get_slot("last_request_ref"))
            else:
                say(dispatcher, "utter_nothing_to_change")
            return []
        field = field_named(tracker, tracker.latest_message.get("text"), kind)
        if field:
            return [SlotSet(k, v) for k, v in reopen(dispatcher, tracker, kind, field).items()]
        if not any(tracker.get_slot(s) is not None for s in kind.fields):
            return []  # nothing answered yet: the form asks its question again
        return [SlotSet("edit_pending", True), SlotSet(kind.confirm, None)]


class ActionResumeRequest(Action):
    """ "Continue my request": goes back to the unfinished request (the rules run its form)."""

    def name(self) -> Text:
        return "action_resume_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = BY_FORM.get((tracker.active_loop or {}).get("name") or "")
        if kind is None:
            unfinished = [k for k in KINDS.values() if tracker.get_slot(k.ref_slot) is None
                          and any(tracker.get_slot(s) is not None for s in k.fields)]  # fmt: skip
            kind = _latest_form(tracker, unfinished)
        if kind is None:
            say(dispatcher, "utter_no_request_to_continue")
            return [SlotSet("resume_form", "none")]
        return [SlotSet("resume_form", kind.kind)]


# -- status ------------------------------------------------------------------------------------------------------------
def _when(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.timezone.utc)
    return replies.text("utter_date_time", month=calendar.month_name[moment.month], day=moment.day, year=moment.year,
                        time=f"{moment:%H:%M}")


def status_message(record: store.RequestRecord) -> Dict[str, Any]:
    """The status of a stored request, with its dates and history."""
    history = "\n".join(
        f"- {_when(step.at)}: {replies.text(f'utter_request_status_step_{step.status}')}"
        for step in record.history
    )
    return replies.render(
        f"utter_request_status_{record.status}",
        ref=record.ref,
        what=KINDS[record.kind].what,
        created=_when(record.created_at),
        updated=_when(record.updated_at),
        history=history,
    )


class ActionRequestStatus(Action):
    """Answers "what's the status of CR-2026-000123?" from the database."""

    def name(self) -> Text:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_request = (tracker.active_loop or {}).get("name") in BY_FORM
        ref = (None if in_request else tracker.get_slot("request_ref")) or find_ref(
            entity_of(tracker, "request_ref") or tracker.latest_message.get("text"))
        done = [SlotSet("request_ref", None)]
        if ref is None:
            say(dispatcher, "utter_status_ref_later" if in_request else "utter_invalid_request_ref")
            return done
        try:
            record = await asyncio.to_thread(store.get_request, ref)
        except store.DatabaseUnavailable:
            logger.warning("Status look-up failed: the database is unavailable")
            say(dispatcher, "utter_request_status_unavailable")
            return done
        if record is None:
            say(dispatcher, "utter_request_unknown", ref=ref)
        else:
            dispatcher.utter_message(**status_message(record))
        return done

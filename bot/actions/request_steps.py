"""The steps of a request after and around its form: storing it, cancelling it, changing an answer, resuming it.

``action_submit_<kind>`` stores the confirmed request once: the idempotency key is made from the conversation id and
the answers, so a repeated "yes" or a channel retry returns the same reference. Nothing is stored before the
confirmation; when the database is unreachable the answers are kept and "try again" stores them later. Database calls
go through :mod:`bot.db.store`, off the event loop. The words are in ``knowledge/replies/requests.yml``.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions.common import say
from bot.actions.request_form_base import active_kind, field_named, reopen
from bot.actions.request_summary import change_center_draft, complete, details_of, idempotency_key, summary_values
from bot.db import store
from bot.requests.kinds import CHANGE_CENTER, KINDS, OUTREACH_CALL, SITE_VISIT, RequestKind
from bot.vocab import PENDING_SUBMIT

logger = logging.getLogger(__name__)


class _SubmitRequest(Action, ABC):
    """Stores the confirmed request once and gives its reference and the next steps."""

    kind: RequestKind

    @abstractmethod
    def name(self) -> str:
        """action_submit_<kind>."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = self.kind
        if not complete(tracker, kind):
            say(dispatcher, "utter_nothing_to_confirm")
            return [SlotSet(PENDING_SUBMIT, None)]
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
            return [SlotSet(PENDING_SUBMIT, kind.kind)]
        if record.created:
            logger.info("Stored %s request %s", kind.kind, record.ref)
            self.submitted(dispatcher, tracker, record.ref)
        else:
            logger.info("Repeated confirmation of %s: nothing new stored", record.ref)
            say(dispatcher, "utter_request_already_stored", what=kind.what, ref=record.ref)
            self.repeated(dispatcher, tracker, record.ref)
        return [
            SlotSet(kind.ref_slot, record.ref),
            SlotSet("last_request_ref", record.ref),
            SlotSet(PENDING_SUBMIT, None),
        ]

    def submitted(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        """What a newly stored request gets: its reference and the next steps."""
        say(dispatcher, f"utter_{self.kind.prefix}_submitted", ref=ref, **summary_values(tracker, self.kind))

    def repeated(self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str) -> None:
        """What else a repeated confirmation gets (nothing by default)."""


class ActionSubmitChangeCenter(_SubmitRequest):
    """Stores a confirmed change-of-Center request."""

    kind = CHANGE_CENTER

    def name(self) -> str:
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
            json_message={
                "type": "download",
                "filename": replies.text("utter_cc_draft_filename", ref=ref),
                "text": draft,
            },
        )


class ActionSubmitOutreachCall(_SubmitRequest):
    """Stores a confirmed outreach call request."""

    kind = OUTREACH_CALL

    def name(self) -> str:
        return "action_submit_outreach_call"


class ActionSubmitSiteVisit(_SubmitRequest):
    """Stores a confirmed site visit request."""

    kind = SITE_VISIT

    def name(self) -> str:
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

    def name(self) -> str:
        return "action_cancel_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = self._cancelled(tracker)
        if kind is None:
            say(dispatcher, "utter_nothing_to_cancel")
            return [SlotSet(PENDING_SUBMIT, None)]
        say(dispatcher, "utter_request_cancelled", what=kind.what)
        events = [SlotSet(s, None) for s in kind.all_slots]
        # pending_submit is always cleared (the rules expect it): another request waiting to be stored keeps its
        # answers, and "continue my request" brings it back to its summary.
        events += [
            SlotSet("requested_slot", None),
            SlotSet("edit_pending", None),
            SlotSet("edit_field", None),
            SlotSet(PENDING_SUBMIT, None),
        ]
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
        pending = tracker.get_slot(PENDING_SUBMIT)
        if pending in KINDS:
            return KINDS[pending]
        return active_kind(tracker)


class ActionChangeAnswer(Action):
    """Change an answer: clears the answer named (then the form asks it again), or asks which one."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = active_kind(tracker)
        if kind is None:
            pending = tracker.get_slot(PENDING_SUBMIT)
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
    """Continue my request: goes back to the unfinished request (the rules run its form)."""

    def name(self) -> str:
        return "action_resume_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = active_kind(tracker)
        if kind is None:
            unfinished = [
                k
                for k in KINDS.values()
                if tracker.get_slot(k.ref_slot) is None and any(tracker.get_slot(s) is not None for s in k.fields)
            ]
            kind = _latest_form(tracker, unfinished)
        if kind is None:
            say(dispatcher, "utter_no_request_to_continue")
            return [SlotSet("resume_form", "none")]
        return [SlotSet("resume_form", kind.kind)]

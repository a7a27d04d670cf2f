"""The status of a stored request ("what's the status of CR-2026-000123?"): its reference and the email address given
with it asked for and checked, and its status, dates and history read from the database (off the event loop).

A stored request is shown only to someone who gives both its reference and its contact email (references are
numbered in sequence, so a reference alone proves nothing); a wrong pair gets one answer, whichever of the two was
wrong, so that it does not tell which references exist. The email is asked within ``request_status_form`` with the
model as trained: the validation action asks for it and sets ``requested_slot`` to :data:`EMAIL_STEP`, a name with no
question of its own, so the form asks nothing more and its next message is read here; ``request_ref`` then holds
"reference email" for :class:`ActionRequestStatus`.

The words are in ``knowledge/replies/requests.yml`` and ``privacy.yml``; staff notes in the history are never shown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions import privacy
from bot.actions.common import intent_of, say
from bot.actions.request_form_base import active_kind
from bot.db import store
from bot.requests.answers import Invalid, find_ref, parse_email
from bot.requests.kinds import KINDS

logger = logging.getLogger(__name__)

EMAIL_STEP = "request_email"  # requested_slot while the email is asked (no slot or question has this name)
FORM = "request_status_form"
# Intents that are no answer (as in request_ref's mapping, bot/domain/requests.yml): the rules handle them.
NOT_ANSWERS = frozenset(
    {
        *("faq", "chitchat", "stop", "change_answer", "continue_request", "retry", "help", "human_handoff"),
        *("request_change_center", "request_outreach_call", "request_site_visit"),
    }
)


def find_email(text: Any) -> Optional[str]:
    """The email address in the text, if there is a valid one."""
    try:
        return parse_email(str(text or ""))
    except Invalid:
        return None


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


class ValidateRequestStatusForm(FormValidationAction):
    """The reference of the request whose status is asked, then the email address given with it."""

    def name(self) -> str:
        return "validate_request_status_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """The answer to the email question, or rasa_sdk's validation of a new reference."""
        if tracker.get_slot(REQUESTED_SLOT) != EMAIL_STEP:
            return await super().run(dispatcher, tracker, domain)
        ref = find_ref(_text(tracker)) or find_ref(tracker.get_slot("request_ref"))
        email = find_email(_text(tracker))
        if email is None and not _answered_already(tracker) and intent_of(tracker) in NOT_ANSWERS:
            return [ActionExecutionRejected(FORM)]  # "stop", an FAQ...: the rules, then the email is asked again
        if ref is None:  # nothing to ask the email for: the reference is asked again
            return [SlotSet("request_ref", None), SlotSet(REQUESTED_SLOT, "request_ref")]
        if email:
            return [SlotSet("request_ref", f"{ref} {email}")]  # the form is done: action_request_status answers
        if not _answered_already(tracker):  # else an FAQ was answered: ask for the email again
            say(dispatcher, "utter_readback_invalid_email", ref=ref)
        else:
            say(dispatcher, "utter_readback_ask_email", ref=ref)
        return [SlotSet("request_ref", ref), SlotSet(REQUESTED_SLOT, EMAIL_STEP)]

    async def validate_request_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reference (and the email, when the message has it too); else the question is asked again."""
        ref = find_ref(_text(tracker))  # from this message only: not one left from an earlier question
        if ref is None:
            if tracker.get_slot(REQUESTED_SLOT) == "request_ref":  # an answer to the question, not the activation
                say(dispatcher, "utter_invalid_request_ref")
            return {"request_ref": None}
        email = find_email(_text(tracker))
        if email:
            return {"request_ref": f"{ref} {email}"}
        say(dispatcher, "utter_readback_ask_email", ref=ref)
        return {"request_ref": ref, REQUESTED_SLOT: EMAIL_STEP}


def _answered_already(tracker: Tracker) -> bool:
    """Whether the bot already answered the latest message (an FAQ in the middle of the form)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def _when(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.timezone.utc)
    return replies.text(
        "utter_date_time",
        month=replies.month(moment.month),
        day=moment.day,
        year=moment.year,
        time=f"{moment:%H:%M}",
    )


def status_message(record: store.RequestRecord) -> dict[str, Any]:
    """The status of a stored request, with its dates and history."""
    history = "\n".join(
        f"- {_when(step.at)}: {replies.text(f'utter_request_status_step_{step.status}')}" for step in record.history
    )
    return replies.render(
        f"utter_request_status_{record.status}",
        ref=record.ref,
        what=KINDS[record.kind].what,
        created=_when(record.created_at),
        updated=_when(record.updated_at),
        history=history,
    )


def _same_email(given: str, stored: str) -> bool:
    """Email addresses compared without letter case, in constant time."""
    return hmac.compare_digest(given.strip().casefold().encode(), stored.strip().casefold().encode())


class ActionRequestStatus(Action):
    """Answers "what's the status of CR-2026-000123?" from the database, when the email given with it matches."""

    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        in_request = active_kind(tracker) is not None  # then both must be in the question itself
        asked = _text(tracker) if in_request else str(tracker.get_slot("request_ref") or _text(tracker))
        ref, email = find_ref(asked), find_email(asked)
        done = [SlotSet("request_ref", None)]
        if ref is None or email is None:
            say(dispatcher, "utter_status_ref_later" if in_request else "utter_invalid_request_ref")
            return done
        decision = await asyncio.to_thread(privacy.allow_lookups, tracker, 1, privacy.REQUEST_READBACK)
        if not decision.allowed:  # guessing emails for the sequential references stops here
            logger.info("Status look-up refused: the rate limit is reached")
            dispatcher.utter_message(**privacy.limit_reply(decision, what=privacy.REQUEST_READBACK))
            return done
        try:
            record = await asyncio.to_thread(store.get_request, ref)
        except store.DatabaseUnavailable:
            logger.warning("Status look-up failed: the database is unavailable")
            say(dispatcher, "utter_request_status_unavailable")
            return done
        if record is None or not _same_email(email, record.contact_email):
            logger.info("Status look-up refused: no request with this reference and email")
            say(dispatcher, "utter_request_unknown", ref=ref)
        else:
            dispatcher.utter_message(**status_message(record))
        return done

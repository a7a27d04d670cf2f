"""The status of a stored request ("what's the status of CR-2026-000123?"): its reference asked for and checked, and
its status, dates and history read from the database (off the event loop).

The words are in ``knowledge/replies/requests.yml``; staff notes in the history are never shown.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import logging
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions import common
from bot.actions.common import say
from bot.actions.field_table import Fields, FieldTable, from_text
from bot.actions.request_form_base import active_kind
from bot.db import store
from bot.requests.answers import Invalid, find_ref
from bot.requests.kinds import KINDS

logger = logging.getLogger(__name__)


def _request_ref(text: str) -> str:
    """The request reference in the answer, normalised.

    Raises:
        Invalid: the answer holds no reference.
    """
    ref = find_ref(text)
    if ref is None:
        raise Invalid("utter_invalid_request_ref")
    return ref


class ValidateRequestStatusForm(FieldTable):
    """The reference of the request whose status is asked."""

    fields: ClassVar[Fields] = {"request_ref": from_text(_request_ref)}

    def name(self) -> str:
        return "validate_request_status_form"


def _when(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.timezone.utc)
    return replies.text(
        "utter_date_time",
        month=calendar.month_name[moment.month],
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


class ActionRequestStatus(Action):
    """Answers "what's the status of CR-2026-000123?" from the database."""

    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        in_request = active_kind(tracker) is not None
        ref = (None if in_request else tracker.get_slot("request_ref")) or find_ref(
            common.first_entity(tracker, "request_ref") or tracker.latest_message.get("text")
        )
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

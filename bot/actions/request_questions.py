"""The questions of the request forms that depend on the answers so far: a Center offered from the database, the
summary with Confirm / Change an answer / Cancel, and "which answer" with a button per answer given.

The words are in ``knowledge/replies/requests.yml``. IOR numbers in the questions are masked
(:func:`bot.requests.wording.suggestion_text`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions.common import say
from bot.actions.request_form_base import active_kind
from bot.actions.request_summary import summary_values
from bot.knowledge import knowledge
from bot.requests.kinds import CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT, RequestKind
from bot.requests.wording import suggestion_text


class _AskCenter(Action, ABC):
    """Offers the Center found in the database for the IOR numbers given, or asks the question."""

    suggestion_slot: str  # the Center found, as set by the IOR number's validation
    found: str  # the reply that offers it
    question: str  # the reply that asks

    @abstractmethod
    def name(self) -> str:
        """action_ask_<slot>."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        suggestion = tracker.get_slot(self.suggestion_slot)
        if suggestion:
            say(
                dispatcher,
                self.found,
                importers=suggestion_text(suggestion),
                center=knowledge().center(suggestion["code"]).label,
            )
        else:
            say(dispatcher, self.question)
        return []


class ActionAskCcCurrentCenter(_AskCenter):
    """Offers the Center found in the database for the IOR numbers, or asks for the current Center."""

    suggestion_slot = "cc_center_suggestion"
    found, question = "utter_cc_current_center_found", "utter_cc_current_center_question"

    def name(self) -> str:
        return "action_ask_cc_current_center"


class ActionAskSvCenter(_AskCenter):
    """Offers the importer's Center from the database for the visit, or asks which Center."""

    suggestion_slot = "sv_center_suggestion"
    found, question = "utter_sv_center_found", "utter_sv_center_question"

    def name(self) -> str:
        return "action_ask_sv_center"


class _AskConfirm(Action, ABC):
    """The summary of the answers, with Confirm / Change an answer / Cancel."""

    kind: RequestKind

    @abstractmethod
    def name(self) -> str:
        """action_ask_<prefix>_confirm."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, f"utter_{self.kind.prefix}_summary", **summary_values(tracker, self.kind))
        return []


class ActionAskCcConfirm(_AskConfirm):
    """The summary of a change-of-Center request, to confirm."""

    kind = CHANGE_CENTER

    def name(self) -> str:
        return "action_ask_cc_confirm"


class ActionAskOcConfirm(_AskConfirm):
    """The summary of an outreach call request, to confirm."""

    kind = OUTREACH_CALL

    def name(self) -> str:
        return "action_ask_oc_confirm"


class ActionAskSvConfirm(_AskConfirm):
    """The summary of a site visit request, to confirm."""

    kind = SITE_VISIT

    def name(self) -> str:
        return "action_ask_sv_confirm"


class ActionAskEditField(Action):
    """Which answer to change: one button per answer given so far."""

    def name(self) -> str:
        return "action_ask_edit_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = active_kind(tracker)
        if kind is None:
            return []
        message = replies.render(f"utter_which_answer_{kind.kind}")
        message["buttons"] = [
            b
            for b in message.get("buttons", [])
            if (field := replies.payload_values(b["payload"]).get("field")) is None
            or tracker.get_slot(field) is not None
        ]
        dispatcher.utter_message(**message)
        return []

"""Playing the request forms and actions (bot/actions/request_*.py) with real rasa_sdk trackers, as Rasa plays them.

The validation action gets the answer as the slot candidate of the requested slot, its events are applied to the
slots, and the next requested slot is read from them. The tests use the ``sample_db_url`` fixture (tests/conftest.py):
a SQLite database with the sample data (12-3456789AB: CEE010, 232704-00123: CEE006, 123-45-6789: CEE004).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.request_forms import ValidateChangeCenterForm, ValidateOutreachCallForm, ValidateSiteVisitForm
from bot.actions.request_questions import (
    ActionAskCcConfirm,
    ActionAskCcCurrentCenter,
    ActionAskEditField,
    ActionAskOcConfirm,
    ActionAskSvCenter,
    ActionAskSvConfirm,
)
from bot.build import render_domain
from bot.db import store
from bot.knowledge import knowledge
from bot.requests.kinds import RequestKind
from tests.conftest import make_tracker, run_action

DOMAIN = yaml.safe_load(render_domain(knowledge()))
SSN = "123-45-6789"
SSN_DIGITS = "123456789"


def database_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A database that cannot be used (its tables were never created)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")
    store.dispose_engines()


def database_back(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    store.dispose_engines()


def ent(name: str, value: str, text: str = "") -> dict[str, Any]:
    start = text.find(value)
    found = {"entity": name, "value": value}
    return {**found, "start": start, "end": start + len(value)} if start >= 0 else found


def make(
    text: str = "",
    intent: str = "inform",
    entities: Sequence[dict] = (),
    slots: Optional[dict] = None,
    events: Sequence[dict] = (),
    active_loop: Optional[str] = None,
    sender: str = "conv-1",
) -> Tracker:
    return make_tracker(text, intent, entities, slots, sender, active_loop, events)


def run(action: Action, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    return run_action(action, tracker, DOMAIN)


def validate(
    validator: Any,
    slot: str,
    text: str,
    intent: str = "inform",
    entities: Sequence[dict] = (),
    slots: Optional[dict] = None,
) -> tuple[dict, list[dict]]:
    """Call one validate_<slot> method; returns (result, messages)."""
    dispatcher = CollectingDispatcher()
    tracker = make(text, intent, entities, slots)
    result = asyncio.run(getattr(validator, f"validate_{slot}")(text, dispatcher, tracker, DOMAIN))
    return result, dispatcher.messages


def texts(messages: Sequence[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def no_full_ssn(text: str) -> bool:
    return SSN not in text and not re.search(rf"(?<!\d){SSN_DIGITS}(?!\d)", text)


class Conversation:
    """A conversation with one request form, played the way Rasa runs forms and their validation action."""

    def __init__(self, kind: RequestKind, sender: str = "conv-1", slots: Optional[dict] = None) -> None:
        self.kind, self.sender = kind, sender
        self.validator = {
            "change_center": ValidateChangeCenterForm,
            "outreach_call": ValidateOutreachCallForm,
            "site_visit": ValidateSiteVisitForm,
        }[kind.kind]()
        self.slots: dict[str, Any] = dict(slots or {})
        self.events: list[dict] = []
        self.active = False

    @property
    def requested(self) -> Optional[str]:
        return self.slots.get("requested_slot")

    def _user(self, text: str, intent: str, entities: Sequence[dict]) -> dict:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}

    def _apply(self, events: list[dict]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.events += events

    def start(self, text: str, intent: Optional[str] = None, entities: Sequence[dict] = ()) -> list[dict]:
        """The request's first message: the form is activated."""
        intent = intent or self.kind.trigger
        events = [*self.events, self._user(text, intent, entities), {"event": "active_loop", "name": self.kind.form}]
        tracker = make(text, intent, entities, self.slots, events, self.kind.form, self.sender)
        dispatcher = CollectingDispatcher()
        result = asyncio.run(self.validator.run(dispatcher, tracker, DOMAIN))
        self.events = events
        self._apply(result)
        self.active = True
        return dispatcher.messages

    def say(self, text: str, intent: str = "inform", entities: Sequence[dict] = ()) -> list[dict]:
        """An answer to the requested slot."""
        slot = self.requested
        assert slot, "no question is asked"
        candidate = {"event": "slot", "name": slot, "value": text}
        events = [
            *self.events,
            self._user(text, intent, entities),
            {"event": "slot", "name": "requested_slot", "value": slot},
            {"event": "action", "name": self.kind.form},
            candidate,
        ]
        tracker = make(text, intent, entities, {**self.slots, slot: text}, events, self.kind.form, self.sender)
        dispatcher = CollectingDispatcher()
        result = asyncio.run(self.validator.run(dispatcher, tracker, DOMAIN))
        self.events = events
        self.last = result
        self._apply(result)
        return dispatcher.messages

    def after(
        self, action: Action, text: str = "", intent: str = "inform", entities: Sequence[dict] = ()
    ) -> list[dict]:
        """Run another action (a rule's action) on the conversation's state; its events are applied."""
        events = [*self.events, self._user(text, intent, entities)]
        tracker = make(text, intent, entities, self.slots, events, self.kind.form if self.active else None, self.sender)
        messages, result = run(action, tracker)
        self.events = events
        self._apply(result)
        return messages

    def resume_form(self) -> list[dict]:
        """The form runs again after a rule (no validation of an answer: Rasa sends no candidate)."""
        events = [*self.events, {"event": "action", "name": self.kind.form}]
        tracker = make("", "inform", (), self.slots, events, self.kind.form, self.sender)
        dispatcher = CollectingDispatcher()
        result = asyncio.run(self.validator.run(dispatcher, tracker, DOMAIN))
        self._apply(result)
        return dispatcher.messages

    def ask(self) -> list[dict]:
        """What the bot says to ask the requested slot, when a custom action asks it."""
        action = {
            "cc_current_center": ActionAskCcCurrentCenter(),
            "sv_center": ActionAskSvCenter(),
            "cc_confirm": ActionAskCcConfirm(),
            "oc_confirm": ActionAskOcConfirm(),
            "sv_confirm": ActionAskSvConfirm(),
            "edit_field": ActionAskEditField(),
        }[self.requested]
        tracker = make("", "inform", (), self.slots, self.events, self.kind.form, self.sender)
        messages, _ = run(action, tracker)
        return messages

    def tracker(self, text: str = "yes", intent: str = "affirm") -> Tracker:
        return make(text, intent, (), self.slots, self.events, None, self.sender)


def choice(value: str) -> tuple[str, str, list[dict]]:
    payload = f'/inform{{"choice":"{value}"}}'
    return payload, "inform", [{"entity": "choice", "value": value}]


def fill_change_center(conv: Conversation, iors: str = "12-3456789AB") -> None:
    conv.start("I want to request a change of Center")
    conv.say(iors, "center_for_importer")
    conv.say("/affirm", "affirm") if conv.slots.get("cc_center_suggestion") else conv.say("Machinery", "center_info")
    conv.say("Electronics", "center_info", [ent("center", "Electronics")])
    conv.say(*choice("product_line"))
    conv.say("85 70%, 84 20%")
    conv.say("Acme Imports LLC")
    conv.say("Jane Smith")
    conv.say("jane.smith@acme.com")
    assert conv.requested == "cc_confirm"


def fill_outreach_call(conv: Conversation) -> None:
    conv.start("sign me up for outreach calls")
    for answer in (
        "Harbor Tools Group",
        choice("broker"),
        choice("small"),
        ("Base Metals", "center_info", [ent("center", "Base Metals")]),
        "Tom Becker",
        "tom@harbortools.com",
        choice("quarterly"),
        choice("Central"),
    ):
        conv.say(*answer) if isinstance(answer, tuple) else conv.say(answer)
    assert conv.requested == "oc_confirm"


def fill_site_visit(conv: Conversation, ior: str = "232704-00123") -> None:
    conv.start("I'd like to request an on-site visit")
    conv.say("Gulf Energy Traders")
    conv.say(ior, "center_for_importer")
    conv.say("/affirm", "affirm")
    for answer in (
        "Houston, TX",
        "March or April 2026",
        "Ana Ruiz",
        "ana@gulfenergy.com",
        "a walkthrough of our classification process",
    ):
        conv.say(answer)
    assert conv.requested == "sv_confirm"


def stored(kind: Optional[str] = None) -> list[store.RequestRecord]:
    return store.export_requests(kind)

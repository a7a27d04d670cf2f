"""The request actions (bot/actions/requests.py) with real rasa_sdk trackers and a real SQLite database.

The forms are played as Rasa plays them: the validation action gets the answer as the slot candidate of the requested
slot, its events are applied to the slots, and the next requested slot is read from them.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import requests as r
from bot.build import render_domain
from bot.db import importer, store
from bot.knowledge import knowledge
from bot.requests import answers, places

DOMAIN = yaml.safe_load(render_domain(knowledge()))
SSN = "123-45-6789"
SSN_DIGITS = "123456789"


# -- fixtures and helpers ----------------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite database with the sample data (12-3456789AB: CEE010, 232704-00123: CEE006, 123-45-6789: CEE004)."""
    url = f"sqlite:///{tmp_path / 'requests.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store.dispose_engines()
    assert importer.seed_sample_data() is not None
    yield url
    store.dispose_engines()


def database_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A database that cannot be used (its tables were never created)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")
    store.dispose_engines()


def database_back(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    store.dispose_engines()


def ent(name: str, value: str, text: str = "") -> Dict[str, Any]:
    start = text.find(value)
    found = {"entity": name, "value": value}
    return {**found, "start": start, "end": start + len(value)} if start >= 0 else found


def make(text: str = "", intent: str = "inform", entities: Sequence[dict] = (), slots: Optional[dict] = None,
         events: Sequence[dict] = (), active_loop: Optional[str] = None,
         sender: str = "conv-1") -> Tracker:  # fmt: skip
    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)},
        events=list(events),
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action: Action, tracker: Tracker) -> Tuple[List[dict], List[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def validate(validator: Any, slot: str, text: str, intent: str = "inform", entities: Sequence[dict] = (),
             slots: Optional[dict] = None) -> Tuple[dict, List[dict]]:  # fmt: skip
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

    def __init__(self, kind: r.RequestKind, sender: str = "conv-1", slots: Optional[dict] = None) -> None:
        self.kind, self.sender = kind, sender
        self.validator = {"change_center": r.ValidateChangeCenterForm, "outreach_call": r.ValidateOutreachCallForm,
                          "site_visit": r.ValidateSiteVisitForm}[kind.kind]()  # fmt: skip
        self.slots: Dict[str, Any] = dict(slots or {})
        self.events: List[dict] = []
        self.active = False

    @property
    def requested(self) -> Optional[str]:
        return self.slots.get("requested_slot")

    def _user(self, text: str, intent: str, entities: Sequence[dict]) -> dict:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}

    def _apply(self, events: List[dict]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.events += events

    def start(self, text: str, intent: Optional[str] = None, entities: Sequence[dict] = ()) -> List[dict]:
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

    def say(self, text: str, intent: str = "inform", entities: Sequence[dict] = ()) -> List[dict]:
        """An answer to the requested slot."""
        slot = self.requested
        assert slot, "no question is asked"
        candidate = {"event": "slot", "name": slot, "value": text}
        events = [*self.events, self._user(text, intent, entities),
                  {"event": "slot", "name": "requested_slot", "value": slot},
                  {"event": "action", "name": self.kind.form}, candidate]  # fmt: skip
        tracker = make(text, intent, entities, {**self.slots, slot: text}, events, self.kind.form, self.sender)
        dispatcher = CollectingDispatcher()
        result = asyncio.run(self.validator.run(dispatcher, tracker, DOMAIN))
        self.events = events
        self.last = result
        self._apply(result)
        return dispatcher.messages

    def after(
        self, action: Action, text: str = "", intent: str = "inform", entities: Sequence[dict] = ()
    ) -> List[dict]:
        """Run another action (a rule's action) on the conversation's state; its events are applied."""
        events = [*self.events, self._user(text, intent, entities)]
        tracker = make(text, intent, entities, self.slots, events, self.kind.form if self.active else None, self.sender)
        messages, result = run(action, tracker)
        self.events = events
        self._apply(result)
        return messages

    def resume_form(self) -> List[dict]:
        """The form runs again after a rule (no validation of an answer: Rasa sends no candidate)."""
        events = [*self.events, {"event": "action", "name": self.kind.form}]
        tracker = make("", "inform", (), self.slots, events, self.kind.form, self.sender)
        dispatcher = CollectingDispatcher()
        result = asyncio.run(self.validator.run(dispatcher, tracker, DOMAIN))
        self._apply(result)
        return dispatcher.messages

    def ask(self) -> List[dict]:
        """What the bot says to ask the requested slot, when a custom action asks it."""
        action = {"cc_current_center": r.ActionAskCcCurrentCenter(), "sv_center": r.ActionAskSvCenter(),
                  "cc_confirm": r.ActionAskCcConfirm(), "oc_confirm": r.ActionAskOcConfirm(),
                  "sv_confirm": r.ActionAskSvConfirm(),
                  "edit_field": r.ActionAskEditField()}[self.requested]  # fmt: skip
        tracker = make("", "inform", (), self.slots, self.events, self.kind.form, self.sender)
        messages, _ = run(action, tracker)
        return messages

    def tracker(self, text: str = "yes", intent: str = "affirm") -> Tracker:
        return make(text, intent, (), self.slots, self.events, None, self.sender)


def choice(value: str) -> Tuple[str, str, List[dict]]:
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
    for answer in ("Harbor Tools Group", choice("broker"), choice("small"), ("Base Metals", "center_info",
                   [ent("center", "Base Metals")]), "Tom Becker", "tom@harbortools.com", choice("quarterly"),
                   choice("Central")):  # fmt: skip
        conv.say(*answer) if isinstance(answer, tuple) else conv.say(answer)
    assert conv.requested == "oc_confirm"


def fill_site_visit(conv: Conversation, ior: str = "232704-00123") -> None:
    conv.start("I'd like to request an on-site visit")
    conv.say("Gulf Energy Traders")
    conv.say(ior, "center_for_importer")
    conv.say("/affirm", "affirm")
    for answer in ("Houston, TX", "March or April 2026", "Ana Ruiz", "ana@gulfenergy.com",
                   "a walkthrough of our classification process"):  # fmt: skip
        conv.say(answer)
    assert conv.requested == "sv_confirm"


def stored(kind: Optional[str] = None) -> List[store.RequestRecord]:
    return store.export_requests(kind)


# -- validators: good and bad answers ----------------------------------------------------------------------------------
V_CC, V_OC, V_SV = r.ValidateChangeCenterForm(), r.ValidateOutreachCallForm(), r.ValidateSiteVisitForm()


@pytest.mark.parametrize(
    "text, keys",
    [
        ("12-3456789AB", ["123456789AB"]),
        ("our IORs are 12-3456789AB, 232704-00123 and 123-45-6789", ["123456789AB", "23270400123", "123456789"]),
        ("123456789ab; 232704-00123", ["123456789AB", "23270400123"]),
        ("12-3456789AB 12-3456789AB", ["123456789AB"]),
    ],
)
def test_ior_numbers_one_or_several_in_any_format(db: str, text: str, keys: List[str]) -> None:
    result, messages = validate(V_CC, "cc_ior_numbers", text)
    assert [i["key"] for i in result["cc_ior_numbers"]] == keys
    assert not messages


@pytest.mark.parametrize("text, which", [("my number", "That"), ("12-34567", "That"),
                                        ("12-3456789AB, 99-99", "The 2nd number"), ("1234567890123", "That")])
def test_ior_numbers_wrong_are_asked_again_with_examples(db: str, text: str, which: str) -> None:
    result, messages = validate(V_CC, "cc_ior_numbers", text)
    assert result == {"cc_ior_numbers": None}
    assert f"{which} isn't an importer of record number" in texts(messages) and "12-3456789AB" in texts(messages)


def test_ior_numbers_offer_the_current_center_from_the_database(db: str) -> None:
    result, _ = validate(V_CC, "cc_ior_numbers", f"12-3456789AB, {SSN}")
    assert result["cc_center_suggestion"]["code"] == "CEE010"
    messages, _ = run(r.ActionAskCcCurrentCenter(), make(slots=result))
    answer = texts(messages)
    assert "Is the **Machinery Center (CEE010)** your current Center?" in answer
    assert "***-**-6789" in answer and no_full_ssn(answer) and "fictional sample data" in answer
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_unknown_importer_means_the_current_center_is_asked(db: str) -> None:
    result, _ = validate(V_CC, "cc_ior_numbers", "99-9999999ZZ")
    assert result["cc_center_suggestion"] is None
    messages, _ = run(r.ActionAskCcCurrentCenter(), make(slots=result))
    assert "Which Center is the importer assigned to now?" in texts(messages)


def test_current_center_confirmed_corrected_or_named() -> None:
    suggestion = {"code": "CEE010", "found": []}
    assert validate(V_CC, "cc_current_center", "/affirm", "affirm", slots={"cc_center_suggestion": suggestion})[0] == {
        "cc_current_center": "CEE010"}
    assert validate(V_CC, "cc_current_center", "/deny", "deny", slots={"cc_center_suggestion": suggestion})[0] == {
        "cc_current_center": None, "cc_center_suggestion": None}
    for name in ("Base Metals", "CEE005", "Chicago", "the metals center"):
        assert validate(V_CC, "cc_current_center", name, "center_info")[0] == {"cc_current_center": "CEE005"}, name
    assert validate(V_CC, "cc_current_center", "not sure")[0] == {"cc_current_center": "unknown"}
    result, messages = validate(V_CC, "cc_current_center", "the big one")
    assert result == {"cc_current_center": None} and "CEE010" in texts(messages)


def test_requested_center_must_differ_from_the_current_one() -> None:
    current = {"cc_current_center": "CEE010"}
    assert validate(V_CC, "cc_requested_center", "Electronics", slots=current)[0] == {"cc_requested_center": "CEE007"}
    assert validate(V_CC, "cc_requested_center", "Los Angeles", slots=current)[0] == {"cc_requested_center": "CEE007"}
    result, messages = validate(V_CC, "cc_requested_center", "Machinery", slots=current)
    assert result == {"cc_requested_center": None} and "must be a different one" in texts(messages)
    result, messages = validate(V_CC, "cc_requested_center", "somewhere nice", slots=current)
    assert result == {"cc_requested_center": None} and "I don't know which Center" in texts(messages)
    text = "from Machinery to Automotive please"
    entities = [ent("center", "Machinery", text), ent("center", "Automotive", text)]
    assert validate(V_CC, "cc_requested_center", text, entities=entities, slots=current)[0] == {
        "cc_requested_center": "CEE003"}


def test_reason_by_button_by_words_or_in_a_sentence() -> None:
    assert validate(V_CC, "cc_reason", *choice("business_practice"))[0] == {"cc_reason": "business_practice",
                                                                             "cc_reason_detail": None}
    assert validate(V_CC, "cc_reason", "primary product line changed")[0]["cc_reason"] == "product_line"
    sentence = "we stopped importing steel and now bring in mostly machinery"
    assert validate(V_CC, "cc_reason", sentence)[0] == {"cc_reason": "other", "cc_reason_detail": sentence}
    result, messages = validate(V_CC, "cc_reason", "hmm")
    assert result == {"cc_reason": None} and "for example" in texts(messages)


def test_reason_other_asks_for_a_description(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    conv.start("start a change request")
    conv.say("12-3456789AB")
    conv.say("/affirm", "affirm")
    conv.say("Electronics", "center_info")
    conv.say(*choice("other"))
    assert conv.requested == "cc_reason_detail"
    messages = conv.say("ok")
    assert conv.requested == "cc_reason_detail" and "for example" in texts(messages)
    conv.say("our sister companies are all with the Electronics Center")
    assert conv.requested == "cc_hts_profile"


@pytest.mark.parametrize(
    "text, profile",
    [
        ("84 60%, 85 30%", [("84", 60), ("85", 30)]),
        ("84, 85", [("84", None), ("85", None)]),
        ("chapter 87: 80; chapter 40: 15", [("87", 80), ("40", 15)]),
        ("8471.30 50% and 8517 25.5%", [("84", 50), ("85", 25.5)]),
        ("mostly 73, some 72", [("73", None), ("72", None)]),
        ("3 90%", [("03", 90)]),
    ],
)
def test_hts_profile_good(text: str, profile: List[Tuple[str, Any]]) -> None:
    result, messages = validate(V_CC, "cc_hts_profile", text)
    assert [(p["chapter"], p["share"]) for p in result["cc_hts_profile"]] == profile and not messages


@pytest.mark.parametrize(
    "text, says",
    [
        ("machinery mostly", "couldn't read that as HTS chapters"),
        ("77 50%", "There is no HTS chapter 77"),
        ("84 60%, 85 60%", "add up to 100% at most"),
        ("84 0%", "more than 0%"),
        ("98 50%", "special provisions"),
        ("84, 84", "chapter 84 twice"),
        ("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11", "10 at most"),
    ],
)
def test_hts_profile_bad(text: str, says: str) -> None:
    result, messages = validate(V_CC, "cc_hts_profile", text)
    assert result == {"cc_hts_profile": None}
    assert says in texts(messages) and "84 60%, 85 30%" in texts(messages)


@pytest.mark.parametrize("validator, prefix", [(V_CC, "cc"), (V_OC, "oc"), (V_SV, "sv")])
def test_company_contact_and_email(validator: Any, prefix: str) -> None:
    assert validate(validator, f"{prefix}_company", "our company is Acme Imports LLC")[0] == {
        f"{prefix}_company": "Acme Imports LLC"}
    assert validate(validator, f"{prefix}_contact_name", "my name is Jane Smith")[0] == {
        f"{prefix}_contact_name": "Jane Smith"}
    assert validate(validator, f"{prefix}_email", "it's Jane.Smith@Acme.COM")[0] == {
        f"{prefix}_email": "Jane.Smith@acme.com"}
    for slot, bad, example in [("company", "yes", "Acme Imports LLC"), ("company", "x", "Acme Imports LLC"),
                               ("company", "thanks!", "Acme Imports LLC"), ("contact_name", "bye", "Jane Smith"),
                               ("contact_name", "jane@acme.com", "Jane Smith"), ("contact_name", "42", "Jane Smith"),
                               ("email", "jane at acme dot com", "name@company.com"),
                               ("email", "jane@acme", "name@company.com"),
                               ("email", "jane@@acme.com", "name@company.com")]:  # fmt: skip
        result, messages = validate(validator, f"{prefix}_{slot}", bad)
        assert result == {f"{prefix}_{slot}": None}, bad
        assert example in texts(messages), bad


def test_outreach_role_size_cadence_and_time_zone() -> None:
    assert validate(V_OC, "oc_role", *choice("broker"))[0] == {"oc_role": "broker"}
    assert validate(V_OC, "oc_role", "we are an importer")[0] == {"oc_role": "importer"}
    assert validate(V_OC, "oc_size", "mid-sized")[0] == {"oc_size": "mid"}
    large, note = validate(V_OC, "oc_size", *choice("large"))
    assert large == {"oc_size": "large"} and "account manager" in texts(note)
    assert validate(V_OC, "oc_cadence", "once a month")[0] == {"oc_cadence": "monthly"}
    assert validate(V_OC, "oc_cadence", "every three months")[0] == {"oc_cadence": "quarterly"}
    for text, zone, name in [("Eastern", "Eastern", None), ("we're on pacific time", "Pacific", None),
                             ("CST", "Central", None), ("America/Denver", "Mountain", "America/Denver"),
                             ("pacific/honolulu", "Hawaii", "Pacific/Honolulu"),
                             ("Alaska", "Alaska", None)]:  # fmt: skip
        assert validate(V_OC, "oc_time_zone", text)[0] == {"oc_time_zone": {"zone": zone, "name": name}}, text
    for slot, bad, says in [("oc_role", "both, sort of importer and broker", "importer"), ("oc_size", "huge", "small"),
                            ("oc_cadence", "weekly", "monthly"), ("oc_time_zone", "Europe/Paris", "Eastern"),
                            ("oc_time_zone", "GMT", "America/Chicago")]:  # fmt: skip
        result, messages = validate(V_OC, slot, bad)
        assert result == {slot: None} and says in texts(messages), bad


def test_outreach_center() -> None:
    assert validate(V_OC, "oc_center", "Houston")[0] == {"oc_center": "CEE006"}
    result, messages = validate(V_OC, "oc_center", "the one near me")
    assert result == {"oc_center": None} and "CEE010" in texts(messages)


def test_site_visit_ior_site_months_topic(db: str) -> None:
    result, _ = validate(V_SV, "sv_ior_number", "232704-00123")
    assert result["sv_ior_number"] == {"key": "23270400123", "kind": "cbp"}
    assert result["sv_center_suggestion"]["code"] == "CEE006"
    result, messages = validate(V_SV, "sv_ior_number", "12-3456789AB, 232704-00123")
    assert result == {"sv_ior_number": None} and "just one" in texts(messages)
    for text, site in [("Dayton, OH", ("Dayton", "OH")), ("Fresno, California", ("Fresno", "CA")),
                       ("the plant is in Spartanburg, South Carolina", ("Spartanburg", "SC")),
                       ("Greenville SC 29601", ("Greenville", "SC")),
                       ("washington, d.c.", ("Washington", "DC"))]:  # fmt: skip
        assert validate(V_SV, "sv_site", text)[0] == {"sv_site": {"city": site[0], "state": site[1]}}, text
    for bad in ("Dayton", "Ohio", "Dayton, XX", "123 Main Street"):
        result, messages = validate(V_SV, "sv_site", bad)
        assert result == {"sv_site": None} and "Dayton, OH" in texts(messages), bad
    assert validate(V_SV, "sv_months", "March to May 2026")[0] == {
        "sv_months": {"months": ["March", "April", "May"], "years": ["2026"]}}
    assert validate(V_SV, "sv_months", "this fall")[0]["sv_months"]["months"] == ["September", "October", "November"]
    assert validate(V_SV, "sv_months", "any month works")[0] == {"sv_months": {"months": [], "years": []}}
    result, messages = validate(V_SV, "sv_months", "soon")
    assert result == {"sv_months": None} and "March or April 2026" in texts(messages)
    assert validate(V_SV, "sv_topic", "our CTPAT program")[0] == {"sv_topic": "our CTPAT program"}
    result, messages = validate(V_SV, "sv_topic", "no")
    assert result == {"sv_topic": None} and "classification process" in texts(messages)


@pytest.mark.parametrize("validator, slot", [(V_CC, "cc_confirm"), (V_OC, "oc_confirm"), (V_SV, "sv_confirm")])
def test_the_summary_answer(validator: Any, slot: str) -> None:
    assert validate(validator, slot, "/affirm", "affirm")[0] == {slot: "yes"}
    assert validate(validator, slot, "no", "deny")[0] == {slot: None, "edit_pending": True}
    result, messages = validate(validator, slot, "maybe later", "out_of_scope")
    assert result == {slot: None} and "**Confirm**" in texts(messages)


def test_status_reference_validation() -> None:
    validator = r.ValidateRequestStatusForm()
    assert validate(validator, "request_ref", "status of cr-2026-000123?")[0] == {"request_ref": "CR-2026-000123"}
    result, messages = validate(validator, "request_ref", "CR-123")
    assert result == {"request_ref": None} and "CR-2026-000123" in texts(messages)


# -- whole forms -------------------------------------------------------------------------------------------------------
def test_change_center_start_prefills_what_the_request_said(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    text = "request to move 232704-00123 from Base Metals to Machinery"
    messages = conv.start(text, entities=[ent("ior_number", "232704-00123", text), ent("center", "Base Metals", text),
                                          ent("center", "Machinery", text)])  # fmt: skip
    assert "Let's prepare your change-of-Center request" in texts(messages)
    assert conv.slots["cc_ior_numbers"] == [{"key": "23270400123", "kind": "cbp"}]
    assert conv.slots["cc_current_center"] == "CEE005" and conv.slots["cc_requested_center"] == "CEE010"
    assert conv.requested == "cc_reason"


def test_change_center_happy_path_summary_and_store(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    fill_change_center(conv, iors=f"12-3456789AB, {SSN}")
    summary = conv.ask()
    text = texts(summary)
    assert "12-3456789AB, ***-**-6789" in text and no_full_ssn(text)
    assert "Machinery Center (CEE010) in Laredo, TX" in text and "Electronics Center (CEE007) in Los Angeles" in text
    assert "chapter 85: 70%, chapter 84: 20%" in text and "Acme Imports LLC" in text and "jane.smith@acme.com" in text
    assert "usually handled by the Electronics Center (CEE007), the Center you are asking for" in text
    assert [b["title"] for b in summary[0]["buttons"]] == ["Confirm", "Change an answer", "Cancel"]
    conv.say("/affirm", "affirm")
    assert conv.slots["cc_confirm"] == "yes" and conv.requested is None

    messages = conv.after(r.ActionSubmitChangeCenter(), "/affirm", "affirm")
    ref = conv.slots["cc_ref"]
    assert re.fullmatch(r"CR-\d{4}-\d{6}", ref) and conv.slots["last_request_ref"] == ref
    answer = texts(messages)
    assert f"Your reference is **{ref}**" in answer and "Office of Field Operations" in answer
    assert "current Center" in answer and "not an official CBP form" in answer and "no form and no timeline" in answer
    download = next(m["custom"] for m in messages if m.get("custom"))
    assert download["type"] == "download" and download["filename"] == f"change-of-center-request-{ref}.txt"
    draft = download["text"]
    assert draft in answer  # the draft is also in the text, to copy
    assert "***-**-6789" in draft and no_full_ssn(draft) and no_full_ssn(answer)
    assert "To: U.S. Customs and Border Protection, Office of Field Operations" in draft
    assert "Chapter 85 (Electrical machinery" in draft and ": 70% of entries" in draft and ref in draft

    records = stored()
    assert len(records) == 1
    details = records[0].details
    assert records[0].kind == "change_center" and records[0].contact_email == "jane.smith@acme.com"
    assert details["current_center"] == "CEE010" and details["requested_center"] == "CEE007"
    assert details["ior_numbers"] == [{"key": "123456789AB", "kind": "ein"}, {"key": SSN_DIGITS, "kind": "ssn"}]
    assert details["reason"] == "product_line" and details["company"] == "Acme Imports LLC"


def test_confirming_twice_stores_one_request(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    fill_change_center(conv)
    conv.say("yes", "affirm")
    first = conv.after(r.ActionSubmitChangeCenter(), "yes", "affirm")
    ref = conv.slots["cc_ref"]
    again = conv.after(r.ActionSubmitChangeCenter(), "yes", "affirm")
    assert len(stored()) == 1
    assert f"already stored, with the reference **{ref}**" in texts(again) and "Nothing new was stored" in texts(again)
    assert conv.slots["cc_ref"] == ref and "Your reference is" in texts(first)
    # the same answers in another conversation are another request
    other = Conversation(r.CHANGE_CENTER, sender="conv-2")
    fill_change_center(other)
    other.say("yes", "affirm")
    other.after(r.ActionSubmitChangeCenter(), "yes", "affirm")
    assert len(stored()) == 2 and other.slots["cc_ref"] != ref


def test_outreach_call_happy_path(db: str) -> None:
    conv = Conversation(r.OUTREACH_CALL)
    fill_outreach_call(conv)
    text = texts(conv.ask())
    assert "Harbor Tools Group (customs broker, small)" in text and "Base Metals Center (CEE005)" in text
    assert "Quarterly, Central time" in text
    conv.say("/affirm", "affirm")
    messages = conv.after(r.ActionSubmitOutreachCall(), "/affirm", "affirm")
    ref = conv.slots["oc_ref"]
    assert ref.startswith("OC-") and f"**{ref}**" in texts(messages) and "tom@harbortools.com" in texts(messages)
    conv.after(r.ActionSubmitOutreachCall(), "/affirm", "affirm")
    (record,) = stored("outreach_call")
    assert record.details == {"company": "Harbor Tools Group", "role": "broker", "size": "small", "center": "CEE005",
                              "contact_name": "Tom Becker", "cadence": "quarterly",
                              "time_zone": {"zone": "Central", "name": None}}  # fmt: skip


def test_site_visit_happy_path_with_the_center_from_the_database(db: str) -> None:
    conv = Conversation(r.SITE_VISIT)
    conv.start("I'd like to request an on-site visit")
    conv.say("Sole Prop Imports")
    conv.say(SSN, "center_for_importer")
    asked = texts(conv.ask())
    assert "Apparel, Footwear & Textiles Center (CEE004)" in asked and no_full_ssn(asked)
    conv.say("no", "deny")
    assert conv.requested == "sv_center" and conv.slots["sv_center_suggestion"] is None
    assert "Which Center would you like to visit you?" in texts(conv.ask())
    conv.say("Footwear", "center_info")
    for answer in ("Fresno, California", "June", "Sam Lee", "sam@solprop.com", "partnership"):
        conv.say(answer)
    text = texts(conv.ask())
    assert "***-**-6789" in text and no_full_ssn(text) and "Fresno, CA" in text and "June" in text
    conv.say("yes", "affirm")
    messages = conv.after(r.ActionSubmitSiteVisit(), "yes", "affirm")
    assert conv.slots["sv_ref"].startswith("SV-") and no_full_ssn(texts(messages))
    (record,) = stored("site_visit")
    assert record.details["ior_number"] == {"key": SSN_DIGITS, "kind": "ssn"} and record.details["center"] == "CEE004"
    assert record.details["site"] == {"city": "Fresno", "state": "CA"}


def test_change_an_answer_at_the_summary_then_back_to_the_summary(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    fill_change_center(conv)
    conv.after(r.ActionChangeAnswer(), "/change_answer", "change_answer")
    conv.resume_form()
    assert conv.requested == "edit_field"
    buttons = conv.ask()[0]["buttons"]
    assert [b["title"] for b in buttons] == ["IOR numbers", "Current Center", "Requested Center", "Reason",
                                             "HTS profile", "Company", "Contact name", "Email", "Keep my answers"]
    # a typed answer names the field
    messages = conv.say("the email")
    assert "**Email**" in texts(messages) and conv.requested == "cc_email"
    conv.say("j.smith@acme.com")
    assert conv.requested == "cc_confirm" and "j.smith@acme.com" in texts(conv.ask())
    # a "which answer" button: /change_answer{"field": ...} goes through the rule's action
    conv.after(r.ActionChangeAnswer(), '/change_answer{"field":"cc_company"}', "change_answer",
               [{"entity": "field", "value": "cc_company"}])  # fmt: skip
    conv.resume_form()
    assert conv.requested == "cc_company"
    conv.say("Acme Global Inc")
    assert conv.requested == "cc_confirm"
    # "no" at the summary asks which answer; "keep" goes back to the summary
    conv.say("no", "deny")
    assert conv.requested == "edit_field"
    conv.say("/affirm", "affirm")
    assert conv.requested == "cc_confirm"
    # changing the reason to "other" asks for the description
    conv.after(r.ActionChangeAnswer(), "I want to change the reason", "change_answer")
    conv.resume_form()
    conv.say(*choice("other"))
    assert conv.requested == "cc_reason_detail"
    conv.say("our group wants one Center for all its companies")
    assert conv.requested == "cc_confirm"
    conv.say("yes", "affirm")
    conv.after(r.ActionSubmitChangeCenter(), "yes", "affirm")
    (record,) = stored()
    assert record.contact_email == "j.smith@acme.com" and record.details["company"] == "Acme Global Inc"
    assert record.details["reason"] == "other" and "one Center" in record.details["reason_detail"]


def test_change_an_answer_in_the_middle_of_the_form(db: str) -> None:
    conv = Conversation(r.OUTREACH_CALL)
    conv.start("sign me up for outreach calls")
    conv.say("Harbor Tools")
    conv.say(*choice("importer"))
    assert conv.requested == "oc_size"
    messages = conv.after(r.ActionChangeAnswer(), "wait, fix the company name", "change_answer")
    assert "**Company**" in texts(messages)
    conv.resume_form()
    assert conv.requested == "oc_company"
    conv.say("Harbor Tools Group")
    assert conv.requested == "oc_size"
    not_yet = conv.after(r.ActionChangeAnswer(), "change the email", "change_answer")
    assert "haven't got to **Email**" in texts(not_yet)
    conv.resume_form()
    assert conv.requested == "oc_size"
    bad = conv.say("the purple one")  # a wrong size: asked again
    assert conv.requested == "oc_size" and "small" in texts(bad)


def test_the_edit_question_asks_again_when_unclear(db: str) -> None:
    conv = Conversation(r.SITE_VISIT)
    fill_site_visit(conv)
    conv.say("nope", "deny")
    assert conv.requested == "edit_field"
    messages = conv.say("hmm")
    assert conv.requested == "edit_field" and "one of the buttons" in texts(messages)
    conv.say("the months")
    assert conv.requested == "sv_months"


def test_an_faq_question_in_the_middle_goes_to_the_rules_but_a_name_like_an_faq_is_an_answer(db: str) -> None:
    conv = Conversation(r.SITE_VISIT)
    conv.start("I'd like to request an on-site visit")
    conv.say("how long does it take to get a visit?", "faq")
    assert {"event": "action_execution_rejected", "name": "site_visit_form", "policy": None, "confidence": None,
            "timestamp": None} in conv.last  # fmt: skip
    assert conv.slots["sv_company"] is None and conv.requested == "sv_company"
    conv.say("Gulf Energy Traders", "faq")  # the model takes this name for an FAQ: it is still the answer
    assert conv.slots["sv_company"] == "Gulf Energy Traders" and conv.requested == "sv_ior_number"
    for slot, text in [("sv_ior_number", "what is an IOR number"), ("sv_ior_number", "Which format?"),
                       ("sv_ior_number", "wait whats a site visit for"), ("sv_ior_number", "ok first tell me who decides")]:
        conv.say(text, "faq")
        assert conv.requested == slot and any(e.get("event") == "action_execution_rejected" for e in conv.last)


def test_a_status_question_in_the_middle_goes_to_the_rules_but_every_week_is_an_answer(db: str) -> None:
    conv = Conversation(r.OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.after(r.ActionChangeAnswer(), '/change_answer{"field":"oc_cadence"}', "change_answer",
               [{"entity": "field", "value": "oc_cadence"}])  # fmt: skip
    conv.resume_form()
    conv.say("what's the status of CR-2026-000001", "request_status",
             [{"entity": "request_ref", "value": "CR-2026-000001"}])  # fmt: skip
    assert any(e.get("event") == "action_execution_rejected" for e in conv.last) and conv.requested == "oc_cadence"
    messages = conv.say("every week", "request_status")  # an answer (a wrong one), not a status question
    assert conv.requested == "oc_cadence" and "**monthly** or **quarterly**" in texts(messages)
    conv.say("every month", "inform")
    assert conv.slots["oc_cadence"] == "monthly" and conv.requested == "oc_confirm"


def test_no_answer_to_change_outside_a_request() -> None:
    messages, events = run(r.ActionChangeAnswer(), make("change an answer", "change_answer"))
    assert "no answer to change" in texts(messages) and events == []
    messages, _ = run(r.ActionChangeAnswer(), make("change my email", "change_answer",
                                                  slots={"last_request_ref": "CR-2026-000001"}))  # fmt: skip
    assert "CR-2026-000001" in texts(messages) and "already stored" in texts(messages)


def test_stop_cancels_and_stores_nothing(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    fill_change_center(conv)
    conv.events += [{"event": "user", "text": "cancel", "parse_data": {"intent": {"name": "stop"}}},
                    {"event": "action", "name": "action_deactivate_loop"}, {"event": "active_loop", "name": None}]
    conv.active = False
    messages, events = run(r.ActionCancelRequest(), make("cancel", "stop", slots=conv.slots, events=conv.events))
    assert "cancelled your change-of-Center request. Nothing was stored" in texts(messages)
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert set(r.CHANGE_CENTER.all_slots) <= cleared and "requested_slot" in cleared
    assert stored() == []


def test_a_new_request_after_one_was_stored_starts_afresh_and_an_unfinished_one_resumes(db: str) -> None:
    conv = Conversation(r.OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.say("yes", "affirm")
    conv.after(r.ActionSubmitOutreachCall(), "yes", "affirm")
    messages = conv.start("sign me up for outreach calls")
    assert "Let's sign you up" in texts(messages) and conv.slots["oc_company"] is None and conv.slots["oc_ref"] is None
    assert conv.requested == "oc_company"
    conv.say("Another Co")
    conv.say(*choice("importer"))
    # the user leaves the form (e.g. another request), then comes back
    messages, events = run(r.ActionResumeRequest(), make("continue my request", "continue_request", slots=conv.slots,
                                                         events=conv.events))  # fmt: skip
    assert events == [{"event": "slot", "timestamp": None, "name": "resume_form", "value": "outreach_call"}]
    messages = conv.start("continue my request", "continue_request")
    assert "Let's continue your outreach-call sign-up where we left off" in texts(messages)
    assert conv.slots["oc_company"] == "Another Co" and conv.requested == "oc_size"


def test_nothing_to_resume() -> None:
    messages, events = run(r.ActionResumeRequest(), make("continue", "continue_request"))
    assert "no unfinished request" in texts(messages) and events[0]["value"] == "none"


# -- database unavailable ----------------------------------------------------------------------------------------------
def test_database_down_at_submit_keeps_the_answers_and_try_again_stores_once(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = Conversation(r.SITE_VISIT)
    fill_site_visit(conv)
    conv.say("yes", "affirm")
    database_down(monkeypatch, tmp_path)
    messages = conv.after(r.ActionSubmitSiteVisit(), "yes", "affirm")
    assert "couldn't store your site-visit request" in texts(messages) and "answers are kept" in texts(messages)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/retry", "/stop"]
    assert conv.slots["pending_submit"] == "site_visit" and conv.slots["sv_company"] == "Gulf Energy Traders"
    database_back(monkeypatch, db)
    messages = conv.after(r.ActionSubmitSiteVisit(), "try again", "retry")
    assert "Your site-visit request is stored" in texts(messages) and conv.slots["pending_submit"] is None
    conv.after(r.ActionSubmitSiteVisit(), "try again", "retry")
    assert len(stored("site_visit")) == 1


def test_database_down_then_cancel(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conv = Conversation(r.OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.say("yes", "affirm")
    database_down(monkeypatch, tmp_path)
    conv.after(r.ActionSubmitOutreachCall(), "yes", "affirm")
    conv.active = False
    messages = conv.after(r.ActionCancelRequest(), "cancel", "stop")
    assert "cancelled your outreach-call sign-up" in texts(messages) and conv.slots["pending_submit"] is None


def test_database_down_when_looking_up_the_importer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database_down(monkeypatch, tmp_path)
    result, messages = validate(V_CC, "cc_ior_numbers", "12-3456789AB")
    assert result["cc_ior_numbers"] == [{"key": "123456789AB", "kind": "ein"}]
    assert result["cc_center_suggestion"] is None


# -- status ------------------------------------------------------------------------------------------------------------
def test_status_of_a_known_request_with_its_history(db: str) -> None:
    record = store.create_request("change_center", {"company": "X"}, "x@example.com", "status-test")
    store.set_status(record.ref, "under_review", "assigned to a reviewer")
    asked = make(record.ref, "request_status", slots={"request_ref": record.ref})
    messages, events = run(r.ActionRequestStatus(), asked)
    answer = texts(messages)
    assert f"**{record.ref}** (change-of-Center request) is **under review**" in answer
    assert "Submitted:" in answer and "Last change:" in answer and "UTC: submitted" in answer
    assert "UTC: under review" in answer and "assigned to a reviewer" not in answer  # staff notes stay internal
    assert events == [{"event": "slot", "timestamp": None, "name": "request_ref", "value": None}]
    store.set_status(record.ref, "closed")
    closed, _ = run(r.ActionRequestStatus(), make(record.ref, "request_status", slots={"request_ref": record.ref}))
    assert "is **closed**" in texts(closed)


def test_status_of_an_unknown_request(db: str) -> None:
    messages, _ = run(r.ActionRequestStatus(), make("x", "request_status", slots={"request_ref": "CR-2026-999999"}))
    assert "couldn't find a request with the reference **CR-2026-999999**" in texts(messages)


def test_status_question_inside_a_form(db: str) -> None:
    record = store.create_request("site_visit", {"company": "X"}, "x@example.com", "inside-form")
    text = f"what's the status of {record.ref.lower()}"
    messages, _ = run(r.ActionRequestStatus(), make(text, "request_status", active_loop="change_center_form"))
    assert f"**{record.ref}** (site-visit request) is **submitted**" in texts(messages)
    messages, _ = run(r.ActionRequestStatus(), make("did my request go through", "request_status",
                                                    active_loop="change_center_form"))  # fmt: skip
    assert "Let's finish this one first" in texts(messages)


def test_status_with_the_database_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database_down(monkeypatch, tmp_path)
    messages, _ = run(r.ActionRequestStatus(), make("x", "request_status", slots={"request_ref": "CR-2026-000001"}))
    assert "can't look up requests right now" in texts(messages)


# -- content -----------------------------------------------------------------------------------------------------------
def test_every_reply_the_actions_use_exists() -> None:
    source = "".join(Path(m.__file__).read_text() for m in (r, answers, places))
    names = set(re.findall(r'"(utter_[a-z_]+)"', source))
    names |= {f"utter_{k.prefix}_{suffix}" for k in r.KINDS.values() for suffix in ("intro", "summary", "submitted")}
    names |= {f"utter_which_answer_{k}" for k in r.KINDS} | {f"utter_request_what_{k}" for k in r.KINDS}
    names |= {f"utter_request_status_{s}" for s in ("submitted", "under_review", "closed")}
    names |= {f"utter_request_status_step_{s}" for s in ("submitted", "under_review", "closed")}
    missing = sorted(n for n in names if n not in knowledge().responses)
    assert not missing


def test_every_which_answer_button_names_a_field_of_its_form() -> None:
    for kind in r.KINDS.values():
        fields = r.button_titles(f"utter_which_answer_{kind.kind}", "field")
        assert set(fields) == set(kind.fields) - set(r.OPTIONAL_FIELDS), kind.kind
        asked = {s for s in DOMAIN["forms"][kind.form]["required_slots"]} - {"edit_field", kind.confirm}
        assert asked == set(kind.fields)


def test_reply_buttons_send_the_choices_the_validators_know() -> None:
    assert set(r.button_titles("utter_ask_change_center_form_cc_reason", "choice")) == set(answers.REASONS)
    assert set(r.button_titles("utter_ask_outreach_call_form_oc_role", "choice")) == set(answers.ROLES)
    assert set(r.button_titles("utter_ask_outreach_call_form_oc_size", "choice")) == set(answers.SIZES)
    assert set(r.button_titles("utter_ask_outreach_call_form_oc_cadence", "choice")) == set(answers.CADENCES)
    assert set(r.button_titles("utter_ask_outreach_call_form_oc_time_zone", "choice")) == set(places.TIME_ZONES)


def test_stored_details_are_json_and_hold_no_display_text(db: str) -> None:
    conv = Conversation(r.CHANGE_CENTER)
    fill_change_center(conv, iors=SSN)
    details = r.details_of(conv.tracker(), r.CHANGE_CENTER)
    assert json.loads(json.dumps(details)) == details
    assert "***" not in json.dumps(details) and "email" not in details

"""The status of a request (bot/actions/request_status.py): its reference and the email given with it checked, and
its status read from the database only when both match.

Helpers and the database fixture are described in tests/request_play.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.request_status import EMAIL_STEP, ActionRequestStatus, ValidateRequestStatusForm
from bot.db import store
from tests.request_play import DOMAIN, database_down, make, run, texts, validate


def test_status_reference_validation() -> None:
    validator = ValidateRequestStatusForm()
    result, messages = validate(validator, "request_ref", "status of cr-2026-000123?")
    assert result == {"request_ref": "CR-2026-000123", "requested_slot": EMAIL_STEP}
    assert "email address that was given with it" in texts(messages)
    asked = {"requested_slot": "request_ref"}
    result, messages = validate(validator, "request_ref", "CR-123", slots=asked)
    assert result == {"request_ref": None} and "CR-2026-000123" in texts(messages)
    result, messages = validate(validator, "request_ref", "status of my request")  # the activation: the form asks
    assert result == {"request_ref": None} and messages == []
    result, messages = validate(validator, "request_ref", "status of CR-2026-000123 for Jane@Acme.COM")
    assert result == {"request_ref": "CR-2026-000123 Jane@acme.com"} and messages == []


def _email_step(text: str, ref: str = "CR-2026-000123") -> tuple[list, list]:
    tracker = make(text, "inform", slots={"request_ref": ref, "requested_slot": EMAIL_STEP})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateRequestStatusForm().run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def test_the_email_is_read_after_the_reference() -> None:
    messages, events = _email_step("it was jane@acme.com")
    assert messages == [] and [(e["name"], e["value"]) for e in events] == [
        ("request_ref", "CR-2026-000123 jane@acme.com")
    ]
    messages, events = _email_step("no idea")
    assert "doesn't look like an email address" in texts(messages) and "CR-2026-000123" in texts(messages)
    assert [(e["name"], e["value"]) for e in events] == [
        ("request_ref", "CR-2026-000123"),
        ("requested_slot", EMAIL_STEP),
    ]


def _status(value: str, **options: object) -> str:
    messages, events = run(ActionRequestStatus(), make(value, "request_status", slots={"request_ref": value}))
    assert events == [{"event": "slot", "timestamp": None, "name": "request_ref", "value": None}]
    return texts(messages)


def test_status_of_a_known_request_with_its_history(sample_db_url: str) -> None:
    record = store.create_request("change_center", {"company": "X"}, "x@example.com", "status-test")
    store.set_status(record.ref, "under_review", "assigned to a reviewer")
    answer = _status(f"{record.ref} X@Example.com")  # the address in any letter case
    assert f"**{record.ref}** (change-of-Center request) is **under review**" in answer
    assert "Submitted:" in answer and "Last change:" in answer and "UTC: submitted" in answer
    assert "UTC: under review" in answer and "assigned to a reviewer" not in answer  # staff notes stay internal
    store.set_status(record.ref, "closed")
    assert "is **closed**" in _status(f"{record.ref} x@example.com")


def test_a_wrong_email_and_an_unknown_reference_get_the_same_answer(sample_db_url: str) -> None:
    record = store.create_request("change_center", {"company": "X"}, "x@example.com", "wrong-pair")
    wrong_email = _status(f"{record.ref} y@example.com")
    unknown_ref = _status("CR-2026-999999 x@example.com")
    assert "couldn't find a request with the reference" in wrong_email and "submitted" not in wrong_email
    assert wrong_email.replace(record.ref, "REF") == unknown_ref.replace("CR-2026-999999", "REF")


def test_status_question_inside_a_form(sample_db_url: str) -> None:
    record = store.create_request("site_visit", {"company": "X"}, "x@example.com", "inside-form")
    text = f"what's the status of {record.ref.lower()} x@example.com"
    messages, _ = run(ActionRequestStatus(), make(text, "request_status", active_loop="change_center_form"))
    assert f"**{record.ref}** (site-visit request) is **submitted**" in texts(messages)
    for question in (f"status of {record.ref}", "did my request go through"):  # no email: nothing shown
        messages, _ = run(ActionRequestStatus(), make(question, "request_status", active_loop="change_center_form"))
        assert "Let's finish this one first" in texts(messages) and "submitted" not in texts(messages)


def test_status_with_the_database_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database_down(monkeypatch, tmp_path)
    assert "can't look up requests right now" in _status("CR-2026-000001 x@example.com")


def test_stop_or_an_faq_instead_of_the_email_goes_to_the_rules() -> None:
    for intent in ("stop", "faq"):
        tracker = make(
            "how long does it take?", intent, slots={"request_ref": "CR-2026-000123", "requested_slot": EMAIL_STEP}
        )
        events = asyncio.run(ValidateRequestStatusForm().run(CollectingDispatcher(), tracker, DOMAIN))
        assert [e["event"] for e in events] == ["action_execution_rejected"]
    answered = make(  # the rules answered the FAQ, then the form runs again: the email is asked again
        "how long does it take?",
        "faq",
        slots={"request_ref": "CR-2026-000123", "requested_slot": EMAIL_STEP},
        events=[{"event": "user", "text": "how long does it take?"}, {"event": "bot", "text": "A few weeks."}],
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateRequestStatusForm().run(dispatcher, answered, DOMAIN))
    assert "I also need the email address" in texts(dispatcher.messages)


def test_read_backs_are_limited(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTER_LOOKUP_LIMIT", "2")
    record = store.create_request("change_center", {"company": "X"}, "x@example.com", "limited")
    assert "couldn't find" in _status(f"{record.ref} a@example.com")
    assert "couldn't find" in _status(f"{record.ref} b@example.com")
    refused = _status(f"{record.ref} x@example.com")  # even the right email, once the limit is reached
    assert "Please try again in 10 minutes" in refused and "submitted" not in refused

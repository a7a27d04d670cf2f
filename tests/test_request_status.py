"""The status of a request (bot/actions/request_status.py): its reference checked, and its status read from the
database.

Helpers and the database fixture are described in tests/request_play.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.actions.request_status import ActionRequestStatus, ValidateRequestStatusForm
from bot.db import store
from tests.request_play import database_down, make, run, texts, validate


def test_status_reference_validation() -> None:
    validator = ValidateRequestStatusForm()
    assert validate(validator, "request_ref", "status of cr-2026-000123?")[0] == {"request_ref": "CR-2026-000123"}
    result, messages = validate(validator, "request_ref", "CR-123")
    assert result == {"request_ref": None} and "CR-2026-000123" in texts(messages)


def test_status_of_a_known_request_with_its_history(sample_db_url: str) -> None:
    record = store.create_request("change_center", {"company": "X"}, "x@example.com", "status-test")
    store.set_status(record.ref, "under_review", "assigned to a reviewer")
    asked = make(record.ref, "request_status", slots={"request_ref": record.ref})
    messages, events = run(ActionRequestStatus(), asked)
    answer = texts(messages)
    assert f"**{record.ref}** (change-of-Center request) is **under review**" in answer
    assert "Submitted:" in answer and "Last change:" in answer and "UTC: submitted" in answer
    assert "UTC: under review" in answer and "assigned to a reviewer" not in answer  # staff notes stay internal
    assert events == [{"event": "slot", "timestamp": None, "name": "request_ref", "value": None}]
    store.set_status(record.ref, "closed")
    closed, _ = run(ActionRequestStatus(), make(record.ref, "request_status", slots={"request_ref": record.ref}))
    assert "is **closed**" in texts(closed)


def test_status_of_an_unknown_request(sample_db_url: str) -> None:
    messages, _ = run(ActionRequestStatus(), make("x", "request_status", slots={"request_ref": "CR-2026-999999"}))
    assert "couldn't find a request with the reference **CR-2026-999999**" in texts(messages)


def test_status_question_inside_a_form(sample_db_url: str) -> None:
    record = store.create_request("site_visit", {"company": "X"}, "x@example.com", "inside-form")
    text = f"what's the status of {record.ref.lower()}"
    messages, _ = run(ActionRequestStatus(), make(text, "request_status", active_loop="change_center_form"))
    assert f"**{record.ref}** (site-visit request) is **submitted**" in texts(messages)
    messages, _ = run(
        ActionRequestStatus(), make("did my request go through", "request_status", active_loop="change_center_form")
    )
    assert "Let's finish this one first" in texts(messages)


def test_status_with_the_database_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database_down(monkeypatch, tmp_path)
    messages, _ = run(ActionRequestStatus(), make("x", "request_status", slots={"request_ref": "CR-2026-000001"}))
    assert "can't look up requests right now" in texts(messages)

"""The request steps (bot/actions/request_steps.py) on whole forms: the summary and storing once, changing an answer,
questions in the middle, cancelling, resuming, and a database that cannot be reached.

Helpers and the database fixture are described in tests/request_play.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.actions.request_steps import (
    ActionCancelRequest,
    ActionChangeAnswer,
    ActionResumeRequest,
    ActionSubmitChangeCenter,
    ActionSubmitOutreachCall,
    ActionSubmitSiteVisit,
)
from bot.actions.request_summary import details_of
from bot.requests.kinds import CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT
from tests.request_play import (
    SSN,
    SSN_DIGITS,
    Conversation,
    choice,
    database_back,
    database_down,
    ent,
    fill_change_center,
    fill_outreach_call,
    fill_site_visit,
    make,
    no_full_ssn,
    run,
    stored,
    texts,
)


# -- whole forms -------------------------------------------------------------------------------------------------------
def test_change_center_start_prefills_what_the_request_said(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
    text = "request to move 232704-00123 from Base Metals to Machinery"
    messages = conv.start(
        text,
        entities=[
            ent("ior_number", "232704-00123", text),
            ent("center", "Base Metals", text),
            ent("center", "Machinery", text),
        ],
    )
    assert "Let's prepare your change-of-Center request" in texts(messages)
    assert conv.slots["cc_ior_numbers"] == [{"key": "23270400123", "kind": "cbp"}]
    assert conv.slots["cc_current_center"] == "CEE005" and conv.slots["cc_requested_center"] == "CEE010"
    assert conv.requested == "cc_reason"


def test_change_center_happy_path_summary_and_store(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
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

    messages = conv.after(ActionSubmitChangeCenter(), "/affirm", "affirm")
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


def test_confirming_twice_stores_one_request(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
    fill_change_center(conv)
    conv.say("yes", "affirm")
    first = conv.after(ActionSubmitChangeCenter(), "yes", "affirm")
    ref = conv.slots["cc_ref"]
    again = conv.after(ActionSubmitChangeCenter(), "yes", "affirm")
    assert len(stored()) == 1
    assert f"already stored, with the reference **{ref}**" in texts(again) and "Nothing new was stored" in texts(again)
    assert conv.slots["cc_ref"] == ref and "Your reference is" in texts(first)
    # the same answers in another conversation are another request
    other = Conversation(CHANGE_CENTER, sender="conv-2")
    fill_change_center(other)
    other.say("yes", "affirm")
    other.after(ActionSubmitChangeCenter(), "yes", "affirm")
    assert len(stored()) == 2 and other.slots["cc_ref"] != ref


def test_outreach_call_happy_path(sample_db_url: str) -> None:
    conv = Conversation(OUTREACH_CALL)
    fill_outreach_call(conv)
    text = texts(conv.ask())
    assert "Harbor Tools Group (customs broker, small)" in text and "Base Metals Center (CEE005)" in text
    assert "Quarterly, Central time" in text
    conv.say("/affirm", "affirm")
    messages = conv.after(ActionSubmitOutreachCall(), "/affirm", "affirm")
    ref = conv.slots["oc_ref"]
    assert ref.startswith("OC-") and f"**{ref}**" in texts(messages) and "tom@harbortools.com" in texts(messages)
    conv.after(ActionSubmitOutreachCall(), "/affirm", "affirm")
    (record,) = stored("outreach_call")
    assert record.details == {
        "company": "Harbor Tools Group",
        "role": "broker",
        "size": "small",
        "center": "CEE005",
        "contact_name": "Tom Becker",
        "cadence": "quarterly",
        "time_zone": {"zone": "Central", "name": None},
    }


def test_site_visit_happy_path_with_the_center_from_the_database(sample_db_url: str) -> None:
    conv = Conversation(SITE_VISIT)
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
    messages = conv.after(ActionSubmitSiteVisit(), "yes", "affirm")
    assert conv.slots["sv_ref"].startswith("SV-") and no_full_ssn(texts(messages))
    (record,) = stored("site_visit")
    assert record.details["ior_number"] == {"key": SSN_DIGITS, "kind": "ssn"} and record.details["center"] == "CEE004"
    assert record.details["site"] == {"city": "Fresno", "state": "CA"}


def test_change_an_answer_at_the_summary_then_back_to_the_summary(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
    fill_change_center(conv)
    conv.after(ActionChangeAnswer(), "/change_answer", "change_answer")
    conv.resume_form()
    assert conv.requested == "edit_field"
    buttons = conv.ask()[0]["buttons"]
    assert [b["title"] for b in buttons] == [
        "IOR numbers",
        "Current Center",
        "Requested Center",
        "Reason",
        "HTS profile",
        "Company",
        "Contact name",
        "Email",
        "Keep my answers",
    ]
    # a typed answer names the field
    messages = conv.say("the email")
    assert "**Email**" in texts(messages) and conv.requested == "cc_email"
    conv.say("j.smith@acme.com")
    assert conv.requested == "cc_confirm" and "j.smith@acme.com" in texts(conv.ask())
    # a "which answer" button: /change_answer{"field": ...} goes through the rule's action
    conv.after(
        ActionChangeAnswer(),
        '/change_answer{"field":"cc_company"}',
        "change_answer",
        [{"entity": "field", "value": "cc_company"}],
    )
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
    conv.after(ActionChangeAnswer(), "I want to change the reason", "change_answer")
    conv.resume_form()
    conv.say(*choice("other"))
    assert conv.requested == "cc_reason_detail"
    conv.say("our group wants one Center for all its companies")
    assert conv.requested == "cc_confirm"
    conv.say("yes", "affirm")
    conv.after(ActionSubmitChangeCenter(), "yes", "affirm")
    (record,) = stored()
    assert record.contact_email == "j.smith@acme.com" and record.details["company"] == "Acme Global Inc"
    assert record.details["reason"] == "other" and "one Center" in record.details["reason_detail"]


def test_change_an_answer_in_the_middle_of_the_form(sample_db_url: str) -> None:
    conv = Conversation(OUTREACH_CALL)
    conv.start("sign me up for outreach calls")
    conv.say("Harbor Tools")
    conv.say(*choice("importer"))
    assert conv.requested == "oc_size"
    messages = conv.after(ActionChangeAnswer(), "wait, fix the company name", "change_answer")
    assert "**Company**" in texts(messages)
    conv.resume_form()
    assert conv.requested == "oc_company"
    conv.say("Harbor Tools Group")
    assert conv.requested == "oc_size"
    not_yet = conv.after(ActionChangeAnswer(), "change the email", "change_answer")
    assert "haven't got to **Email**" in texts(not_yet)
    conv.resume_form()
    assert conv.requested == "oc_size"
    bad = conv.say("the purple one")  # a wrong size: asked again
    assert conv.requested == "oc_size" and "small" in texts(bad)


def test_the_edit_question_asks_again_when_unclear(sample_db_url: str) -> None:
    conv = Conversation(SITE_VISIT)
    fill_site_visit(conv)
    conv.say("nope", "deny")
    assert conv.requested == "edit_field"
    messages = conv.say("hmm")
    assert conv.requested == "edit_field" and "one of the buttons" in texts(messages)
    conv.say("the months")
    assert conv.requested == "sv_months"


def test_an_faq_question_in_the_middle_goes_to_the_rules_but_a_name_like_an_faq_is_an_answer(
    sample_db_url: str,
) -> None:
    conv = Conversation(SITE_VISIT)
    conv.start("I'd like to request an on-site visit")
    conv.say("how long does it take to get a visit?", "faq")
    assert {
        "event": "action_execution_rejected",
        "name": "site_visit_form",
        "policy": None,
        "confidence": None,
        "timestamp": None,
    } in conv.last
    assert conv.slots["sv_company"] is None and conv.requested == "sv_company"
    conv.say("Gulf Energy Traders", "faq")  # the model takes this name for an FAQ: it is still the answer
    assert conv.slots["sv_company"] == "Gulf Energy Traders" and conv.requested == "sv_ior_number"
    for slot, text in [
        ("sv_ior_number", "what is an IOR number"),
        ("sv_ior_number", "Which format?"),
        ("sv_ior_number", "wait whats a site visit for"),
        ("sv_ior_number", "ok first tell me who decides"),
    ]:
        conv.say(text, "faq")
        assert conv.requested == slot and any(e.get("event") == "action_execution_rejected" for e in conv.last)


def test_a_status_question_in_the_middle_goes_to_the_rules_but_every_week_is_an_answer(sample_db_url: str) -> None:
    conv = Conversation(OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.after(
        ActionChangeAnswer(),
        '/change_answer{"field":"oc_cadence"}',
        "change_answer",
        [{"entity": "field", "value": "oc_cadence"}],
    )
    conv.resume_form()
    conv.say(
        "what's the status of CR-2026-000001", "request_status", [{"entity": "request_ref", "value": "CR-2026-000001"}]
    )
    assert any(e.get("event") == "action_execution_rejected" for e in conv.last) and conv.requested == "oc_cadence"
    messages = conv.say("every week", "request_status")  # an answer (a wrong one), not a status question
    assert conv.requested == "oc_cadence" and "**monthly** or **quarterly**" in texts(messages)
    conv.say("every month", "inform")
    assert conv.slots["oc_cadence"] == "monthly" and conv.requested == "oc_confirm"


def test_no_answer_to_change_outside_a_request() -> None:
    messages, events = run(ActionChangeAnswer(), make("change an answer", "change_answer"))
    assert "no answer to change" in texts(messages) and events == []
    messages, _ = run(
        ActionChangeAnswer(), make("change my email", "change_answer", slots={"last_request_ref": "CR-2026-000001"})
    )
    assert "CR-2026-000001" in texts(messages) and "already stored" in texts(messages)


def test_stop_cancels_and_stores_nothing(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
    fill_change_center(conv)
    conv.events += [
        {"event": "user", "text": "cancel", "parse_data": {"intent": {"name": "stop"}}},
        {"event": "action", "name": "action_deactivate_loop"},
        {"event": "active_loop", "name": None},
    ]
    conv.active = False
    messages, events = run(ActionCancelRequest(), make("cancel", "stop", slots=conv.slots, events=conv.events))
    assert "cancelled your change-of-Center request. Nothing was stored" in texts(messages)
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert set(CHANGE_CENTER.all_slots) <= cleared and "requested_slot" in cleared
    assert stored() == []


def test_a_new_request_after_one_was_stored_starts_afresh_and_an_unfinished_one_resumes(sample_db_url: str) -> None:
    conv = Conversation(OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.say("yes", "affirm")
    conv.after(ActionSubmitOutreachCall(), "yes", "affirm")
    messages = conv.start("sign me up for outreach calls")
    assert "Let's sign you up" in texts(messages) and conv.slots["oc_company"] is None and conv.slots["oc_ref"] is None
    assert conv.requested == "oc_company"
    conv.say("Another Co")
    conv.say(*choice("importer"))
    # the user leaves the form (e.g. another request), then comes back
    messages, events = run(
        ActionResumeRequest(), make("continue my request", "continue_request", slots=conv.slots, events=conv.events)
    )
    assert events == [{"event": "slot", "timestamp": None, "name": "resume_form", "value": "outreach_call"}]
    messages = conv.start("continue my request", "continue_request")
    assert "Let's continue your outreach-call sign-up where we left off" in texts(messages)
    assert conv.slots["oc_company"] == "Another Co" and conv.requested == "oc_size"


def test_nothing_to_resume() -> None:
    messages, events = run(ActionResumeRequest(), make("continue", "continue_request"))
    assert "no unfinished request" in texts(messages) and events[0]["value"] == "none"


# -- database unavailable ----------------------------------------------------------------------------------------------
def test_database_down_at_submit_keeps_the_answers_and_try_again_stores_once(
    sample_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = Conversation(SITE_VISIT)
    fill_site_visit(conv)
    conv.say("yes", "affirm")
    database_down(monkeypatch, tmp_path)
    messages = conv.after(ActionSubmitSiteVisit(), "yes", "affirm")
    assert "couldn't store your site-visit request" in texts(messages) and "answers are kept" in texts(messages)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/retry", "/stop"]
    assert conv.slots["pending_submit"] == "site_visit" and conv.slots["sv_company"] == "Gulf Energy Traders"
    database_back(monkeypatch, sample_db_url)
    messages = conv.after(ActionSubmitSiteVisit(), "try again", "retry")
    assert "Your site-visit request is stored" in texts(messages) and conv.slots["pending_submit"] is None
    conv.after(ActionSubmitSiteVisit(), "try again", "retry")
    assert len(stored("site_visit")) == 1


def test_database_down_then_cancel(sample_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conv = Conversation(OUTREACH_CALL)
    fill_outreach_call(conv)
    conv.say("yes", "affirm")
    database_down(monkeypatch, tmp_path)
    conv.after(ActionSubmitOutreachCall(), "yes", "affirm")
    conv.active = False
    messages = conv.after(ActionCancelRequest(), "cancel", "stop")
    assert "cancelled your outreach-call sign-up" in texts(messages) and conv.slots["pending_submit"] is None


def test_stored_details_are_json_and_hold_no_display_text(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
    fill_change_center(conv, iors=SSN)
    details = details_of(conv.tracker(), CHANGE_CENTER)
    assert json.loads(json.dumps(details)) == details
    assert "***" not in json.dumps(details) and "email" not in details

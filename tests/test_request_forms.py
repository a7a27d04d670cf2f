"""The request forms' validation (bot/actions/request_forms.py, request_form_base.py, field_table.py): good and bad
answers, the questions that depend on them, and the validators the action server finds for every slot.

Helpers and the database fixture are described in tests/request_play.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rasa_sdk import FormValidationAction
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot import vocab
from bot.actions.field_table import FieldTable
from bot.actions.request_forms import ValidateChangeCenterForm, ValidateOutreachCallForm, ValidateSiteVisitForm
from bot.actions.request_questions import ActionAskCcCurrentCenter
from bot.knowledge import knowledge
from bot.replies import button_titles
from bot.requests.kinds import CHANGE_CENTER, KINDS, OPTIONAL_FIELDS
from tests.request_play import (
    DOMAIN,
    SSN,
    Conversation,
    choice,
    database_down,
    ent,
    make,
    no_full_ssn,
    run,
    texts,
    validate,
)

# -- validators: good and bad answers ----------------------------------------------------------------------------------
V_CC, V_OC, V_SV = ValidateChangeCenterForm(), ValidateOutreachCallForm(), ValidateSiteVisitForm()


@pytest.mark.parametrize(
    "text, keys",
    [
        ("12-3456789AB", ["123456789AB"]),
        ("our IORs are 12-3456789AB, 232704-00123 and 123-45-6789", ["123456789AB", "23270400123", "123456789"]),
        ("123456789ab; 232704-00123", ["123456789AB", "23270400123"]),
        ("12-3456789AB 12-3456789AB", ["123456789AB"]),
    ],
)
def test_ior_numbers_one_or_several_in_any_format(sample_db_url: str, text: str, keys: list[str]) -> None:
    result, messages = validate(V_CC, "cc_ior_numbers", text)
    assert [i["key"] for i in result["cc_ior_numbers"]] == keys
    assert not messages


@pytest.mark.parametrize(
    "text, which",
    [("my number", "That"), ("12-34567", "That"), ("12-3456789AB, 99-99", "The 2nd number"), ("1234567890123", "That")],
)
def test_ior_numbers_wrong_are_asked_again_with_examples(sample_db_url: str, text: str, which: str) -> None:
    result, messages = validate(V_CC, "cc_ior_numbers", text)
    assert result == {"cc_ior_numbers": None}
    assert f"{which} isn't an importer of record number" in texts(messages) and "12-3456789AB" in texts(messages)


def test_ior_numbers_offer_the_current_center_from_the_database(sample_db_url: str) -> None:
    result, _ = validate(V_CC, "cc_ior_numbers", f"12-3456789AB, {SSN}")
    assert result["cc_center_suggestion"]["code"] == "CEE010"
    messages, _ = run(ActionAskCcCurrentCenter(), make(slots=result))
    answer = texts(messages)
    assert "Is the **Machinery Center (CEE010)** your current Center?" in answer
    assert "***-**-6789" in answer and no_full_ssn(answer) and "fictional sample data" in answer
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_unknown_importer_means_the_current_center_is_asked(sample_db_url: str) -> None:
    result, _ = validate(V_CC, "cc_ior_numbers", "99-9999999ZZ")
    assert result["cc_center_suggestion"] is None
    messages, _ = run(ActionAskCcCurrentCenter(), make(slots=result))
    assert "Which Center is the importer assigned to now?" in texts(messages)


def test_current_center_confirmed_corrected_or_named() -> None:
    suggestion = {"code": "CEE010", "found": []}
    assert validate(V_CC, "cc_current_center", "/affirm", "affirm", slots={"cc_center_suggestion": suggestion})[0] == {
        "cc_current_center": "CEE010"
    }
    assert validate(V_CC, "cc_current_center", "/deny", "deny", slots={"cc_center_suggestion": suggestion})[0] == {
        "cc_current_center": None,
        "cc_center_suggestion": None,
    }
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
        "cc_requested_center": "CEE003"
    }


def test_reason_by_button_by_words_or_in_a_sentence() -> None:
    assert validate(V_CC, "cc_reason", *choice("business_practice"))[0] == {
        "cc_reason": "business_practice",
        "cc_reason_detail": None,
    }
    assert validate(V_CC, "cc_reason", "primary product line changed")[0]["cc_reason"] == "product_line"
    sentence = "we stopped importing steel and now bring in mostly machinery"
    assert validate(V_CC, "cc_reason", sentence)[0] == {"cc_reason": "other", "cc_reason_detail": sentence}
    result, messages = validate(V_CC, "cc_reason", "hmm")
    assert result == {"cc_reason": None} and "for example" in texts(messages)


def test_reason_other_asks_for_a_description(sample_db_url: str) -> None:
    conv = Conversation(CHANGE_CENTER)
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
def test_hts_profile_good(text: str, profile: list[tuple[str, Any]]) -> None:
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
        f"{prefix}_company": "Acme Imports LLC"
    }
    assert validate(validator, f"{prefix}_contact_name", "my name is Jane Smith")[0] == {
        f"{prefix}_contact_name": "Jane Smith"
    }
    assert validate(validator, f"{prefix}_email", "it's Jane.Smith@Acme.COM")[0] == {
        f"{prefix}_email": "Jane.Smith@acme.com"
    }
    for slot, bad, example in [
        ("company", "yes", "Acme Imports LLC"),
        ("company", "x", "Acme Imports LLC"),
        ("company", "thanks!", "Acme Imports LLC"),
        ("contact_name", "bye", "Jane Smith"),
        ("contact_name", "jane@acme.com", "Jane Smith"),
        ("contact_name", "42", "Jane Smith"),
        ("email", "jane at acme dot com", "name@company.com"),
        ("email", "jane@acme", "name@company.com"),
        ("email", "jane@@acme.com", "name@company.com"),
    ]:
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
    for text, zone, name in [
        ("Eastern", "Eastern", None),
        ("we're on pacific time", "Pacific", None),
        ("CST", "Central", None),
        ("America/Denver", "Mountain", "America/Denver"),
        ("pacific/honolulu", "Hawaii", "Pacific/Honolulu"),
        ("Alaska", "Alaska", None),
    ]:
        assert validate(V_OC, "oc_time_zone", text)[0] == {"oc_time_zone": {"zone": zone, "name": name}}, text
    for slot, bad, says in [
        ("oc_role", "both, sort of importer and broker", "importer"),
        ("oc_size", "huge", "small"),
        ("oc_cadence", "weekly", "monthly"),
        ("oc_time_zone", "Europe/Paris", "Eastern"),
        ("oc_time_zone", "GMT", "America/Chicago"),
    ]:
        result, messages = validate(V_OC, slot, bad)
        assert result == {slot: None} and says in texts(messages), bad


def test_outreach_center() -> None:
    assert validate(V_OC, "oc_center", "Houston")[0] == {"oc_center": "CEE006"}
    result, messages = validate(V_OC, "oc_center", "the one near me")
    assert result == {"oc_center": None} and "CEE010" in texts(messages)


def test_site_visit_ior_site_months_topic(sample_db_url: str) -> None:
    result, _ = validate(V_SV, "sv_ior_number", "232704-00123")
    assert result["sv_ior_number"] == {"key": "23270400123", "kind": "cbp"}
    assert result["sv_center_suggestion"]["code"] == "CEE006"
    result, messages = validate(V_SV, "sv_ior_number", "12-3456789AB, 232704-00123")
    assert result == {"sv_ior_number": None} and "just one" in texts(messages)
    for text, site in [
        ("Dayton, OH", ("Dayton", "OH")),
        ("Fresno, California", ("Fresno", "CA")),
        ("the plant is in Spartanburg, South Carolina", ("Spartanburg", "SC")),
        ("Greenville SC 29601", ("Greenville", "SC")),
        ("washington, d.c.", ("Washington", "DC")),
    ]:
        assert validate(V_SV, "sv_site", text)[0] == {"sv_site": {"city": site[0], "state": site[1]}}, text
    for bad in ("Dayton", "Ohio", "Dayton, XX", "123 Main Street"):
        result, messages = validate(V_SV, "sv_site", bad)
        assert result == {"sv_site": None} and "Dayton, OH" in texts(messages), bad
    assert validate(V_SV, "sv_months", "March to May 2026")[0] == {
        "sv_months": {"months": ["March", "April", "May"], "years": ["2026"]}
    }
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


def test_database_down_when_looking_up_the_importer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database_down(monkeypatch, tmp_path)
    result, _messages = validate(V_CC, "cc_ior_numbers", "12-3456789AB")
    assert result["cc_ior_numbers"] == [{"key": "123456789AB", "kind": "ein"}]
    assert result["cc_center_suggestion"] is None


# -- content -----------------------------------------------------------------------------------------------------------
def test_every_which_answer_button_names_a_field_of_its_form() -> None:
    for kind in KINDS.values():
        fields = button_titles(f"utter_which_answer_{kind.kind}", "field")
        assert set(fields) == set(kind.fields) - set(OPTIONAL_FIELDS), kind.kind
        asked = set(DOMAIN["forms"][kind.form]["required_slots"]) - {"edit_field", kind.confirm}
        assert asked == set(kind.fields)


def test_reply_buttons_send_the_choices_the_validators_know() -> None:
    assert set(button_titles("utter_ask_change_center_form_cc_reason", "choice")) == set(vocab.REASONS)
    assert set(button_titles("utter_ask_outreach_call_form_oc_role", "choice")) == set(vocab.ROLES)
    assert set(button_titles("utter_ask_outreach_call_form_oc_size", "choice")) == set(vocab.SIZES)
    assert set(button_titles("utter_ask_outreach_call_form_oc_cadence", "choice")) == set(vocab.CADENCES)
    assert set(button_titles("utter_ask_outreach_call_form_oc_time_zone", "choice")) == set(vocab.TIME_ZONES)


def test_every_reply_a_request_kind_names_exists() -> None:
    names = {f"utter_{k.prefix}_{suffix}" for k in KINDS.values() for suffix in ("intro", "summary", "submitted")}
    names |= {f"utter_which_answer_{k}" for k in KINDS} | {f"utter_request_what_{k}" for k in KINDS}
    names |= {f"utter_request_status_{s}" for s in ("submitted", "under_review", "closed")}
    names |= {f"utter_request_status_step_{s}" for s in ("submitted", "under_review", "closed")}
    missing = sorted(n for n in names if n not in knowledge().responses)
    assert not missing


# -- the validators the action server finds ----------------------------------------------------------------------------
def form_validations() -> dict[str, FormValidationAction]:
    """The form validation actions as the action server registers them (``--actions bot.actions``), by name."""
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    return {
        name: run.__self__
        for name, run in executor.actions.items()
        if isinstance(getattr(run, "__self__", None), FormValidationAction)
    }


# A good and a bad answer for every slot validated from a table of fields (a slot added to a table needs its pair).
TABLE_ANSWERS = {
    "cc_company": ("Acme Imports LLC", "yes"),
    "oc_company": ("Acme Imports LLC", "x"),
    "sv_company": ("Gulf Energy Traders", "thanks!"),
    "cc_contact_name": ("Jane Smith", "bye"),
    "oc_contact_name": ("my name is Tom Becker", "42"),
    "sv_contact_name": ("Ana Ruiz", "jane@acme.com"),
    "cc_email": ("jane@acme.com", "jane@acme"),
    "oc_email": ("it's Tom@Harbor.COM", "jane at acme dot com"),
    "sv_email": ("ana@gulfenergy.com", "jane@@acme.com"),
    "cc_reason_detail": ("our sister companies are all with the Electronics Center", "ok"),
    "cc_hts_profile": ("84 60%, 85 30%", "77 50%"),
    "oc_role": ("we are an importer", "both, sort of importer and broker"),
    "oc_cadence": ("every three months", "weekly"),
    "oc_time_zone": ("we're on pacific time", "GMT"),
    "sv_site": ("Fresno, California", "Dayton"),
    "sv_months": ("March to May 2026", "soon"),
    "sv_topic": ("our CTPAT program", "no"),
    "ior_number": ("12-3456789AB", "12-34567"),
    "cc_ior_numbers": ("12-3456789AB, 232704-00123", "my number"),
    "sv_ior_number": ("232704-00123", "12-3456789AB, 232704-00123"),
    "oc_center": ("Houston", "the one near me"),
    "sv_center": ("Footwear", "the big one"),
    "cc_confirm": ("yes", "maybe later"),
    "oc_confirm": ("confirm", "hmm"),
    "sv_confirm": ("submit it", "later"),
}
ASKED_WHEN = {"cc_reason_detail": {"cc_reason": "other"}}  # the other answers an optional slot is asked after


def test_every_slot_of_every_form_has_a_validator_the_action_server_finds() -> None:
    validations = form_validations()
    assert set(validations) == {f"validate_{form}" for form in DOMAIN["forms"]}
    for form, spec in DOMAIN["forms"].items():
        validation = validations[f"validate_{form}"]
        missing = [s for s in spec["required_slots"] if not callable(getattr(validation, f"validate_{s}", None))]
        assert not missing, form


def run_validation(validation: FormValidationAction, slot: str, text: str) -> tuple[list[dict], list[dict]]:
    """The validation action run by rasa_sdk with ``text`` as the candidate of ``slot``: (slot events, messages)."""
    form = validation.name()[len("validate_") :]
    events = [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "inform"}, "entities": []}},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": form},
        {"event": "slot", "name": slot, "value": text},
    ]
    slots = {**ASKED_WHEN.get(slot, {}), "requested_slot": slot, slot: text}
    tracker = make(text, slots=slots, events=events, active_loop=form)
    dispatcher = CollectingDispatcher()
    result = asyncio.run(validation.run(dispatcher, tracker, DOMAIN))
    return [e for e in result if e["event"] == "slot" and e["name"] != "requested_slot"], dispatcher.messages


def test_table_fields_are_validated_by_the_action_as_by_their_validators(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPORTER_LOOKUP_LIMIT", "1000")  # every IOR answer is looked up twice here
    tables = {v.name(): v for v in form_validations().values() if isinstance(v, FieldTable) and v.fields}
    assert {slot for v in tables.values() for slot in v.fields} == set(TABLE_ANSWERS)
    for validation in tables.values():
        for slot in validation.fields:
            good, bad = TABLE_ANSWERS[slot]
            for text, valid in ((good, True), (bad, False)):
                result, messages = validate(validation, slot, text)
                assert (result[slot] is not None, bool(messages)) == (valid, not valid), (slot, text)
                events, said = run_validation(validation, slot, text)
                assert (
                    events == [{"event": "slot", "timestamp": None, "name": k, "value": v} for k, v in result.items()]
                    and said == messages
                ), (slot, text)


def test_a_slot_in_a_table_cannot_also_have_its_own_validator() -> None:
    with pytest.raises(TypeError, match="request_ref"):

        class Twice(FieldTable):
            fields: ClassVar[dict] = {"request_ref": lambda text, tracker: text}

            async def validate_request_ref(self, *args: Any) -> dict[str, Any]:
                return {}

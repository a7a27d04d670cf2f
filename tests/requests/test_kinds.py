"""The kinds of request (bot/requests/kinds.py): their slots, and how an IOR number is kept."""

import pytest

from bot import vocab
from bot.ior import parse_ior
from bot.knowledge import knowledge
from bot.requests.kinds import (
    BY_FORM,
    CHANGE_CENTER,
    KINDS,
    OUTREACH_CALL,
    SITE_VISIT,
    RequestKind,
    field_in,
    field_name,
    ior_from_value,
    ior_value,
)


def test_slot_names_follow_the_prefix() -> None:
    assert (CHANGE_CENTER.form, CHANGE_CENTER.confirm, CHANGE_CENTER.ref_slot, CHANGE_CENTER.email) == (
        "change_center_form",
        "cc_confirm",
        "cc_ref",
        "cc_email",
    )
    assert all(BY_FORM[k.form] is k and k.email in k.fields for k in KINDS.values())


@pytest.mark.parametrize("text", ["123-45-6789", "12-3456789AB", "123456-12345"])
def test_an_ior_number_comes_back_from_its_slot_value(text: str) -> None:
    ior = parse_ior(text)
    assert ior_from_value(ior_value(ior)) == ior


@pytest.mark.parametrize("value", [None, "123456789", {"key": "1"}, {"key": "1", "kind": "passport"}])
def test_other_values_are_no_ior_number(value: object) -> None:
    assert ior_from_value(value) is None


@pytest.mark.parametrize(
    "kind, spanish, english",
    [
        (CHANGE_CENTER, "quiero cambiar mi correo", "change my email"),
        (CHANGE_CENTER, "el nombre de la empresa", "the company name"),
        (CHANGE_CENTER, "el nombre de contacto", "the contact name"),
        (CHANGE_CENTER, "el centro actual", "the current center"),
        (CHANGE_CENTER, "el nuevo centro", "the requested center"),
        (CHANGE_CENTER, "los números de importador", "the IOR numbers"),
        (CHANGE_CENTER, "el motivo", "the reason"),
        (CHANGE_CENTER, "el perfil HTS", "the HTS profile"),
        (OUTREACH_CALL, "el tamaño", "the size"),
        (OUTREACH_CALL, "la frecuencia", "how often"),
        (OUTREACH_CALL, "la zona horaria", "the time zone"),
        (OUTREACH_CALL, "el centro", "the center"),
        (SITE_VISIT, "el número IOR", "the IOR number"),
        (SITE_VISIT, "la ciudad", "the city"),
        (SITE_VISIT, "los meses", "the months"),
        (SITE_VISIT, "el tema", "the topic"),
    ],
)
def test_an_answer_named_in_spanish_is_the_one_named_in_english(kind: RequestKind, spanish: str, english: str) -> None:
    assert field_in(spanish, kind) == field_in(english, kind) is not None


@pytest.mark.parametrize("text", ["nada", "mantener mis respuestas", "el motivo"])
def test_words_that_name_no_answer_of_the_form(text: str) -> None:
    assert field_in(text, OUTREACH_CALL) is None


def test_every_answer_of_every_form_can_be_named_in_spanish() -> None:
    names = knowledge().translations["es"].vocabulary.answers.values["field"]
    assert (
        {field_name(slot) for kind in KINDS.values() for slot in kind.fields if slot != "cc_reason_detail"}
        == set(names)
        == set(vocab.FIELDS)
    )

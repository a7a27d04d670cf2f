"""The kinds of request (bot/requests/kinds.py): their slots, and how an IOR number is kept."""

import pytest

from bot.ior import parse_ior
from bot.requests.kinds import BY_FORM, CHANGE_CENTER, KINDS, ior_from_value, ior_value


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

"""The check of action answers of bot/patches/answers.py gives jsonschema's verdict on the whole schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

from bot.patches.answers import answer_is_valid

SCHEMA = RemoteAction.action_response_format_spec()
KINDS = [kind["properties"]["event"]["const"] for kind in SCHEMA["properties"]["events"]["items"]["oneOf"]]


def _whole_schema_says(result: Any) -> bool:
    return bool(jsonschema.validators.validator_for(SCHEMA)(SCHEMA).is_valid(result))


EXAMPLES = [
    {"events": [{"event": "slot", "name": "ctx_center", "value": "CEE001"}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "slot", "name": 3, "value": "x"}], "responses": []},  # a slot's name is a string
    {"events": [{"event": "slot"}], "responses": []},  # a slot needs its name
    {"events": [{"event": "no such kind"}], "responses": []},
    {"events": [{"name": "ctx_center"}], "responses": []},  # no kind named
    {"events": [{"event": 7}], "responses": []},
    {"events": "slot", "responses": []},
    {"events": [], "responses": "hello"},
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
    {"events": [{"event": "reset_slots"}, {"event": "restart", "timestamp": "now"}]},  # a timestamp is a number
    {"events": [{"event": "bot", "text": "hi", "data": {}, "metadata": None}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": 1}}}]},
    {},
    [],
    "text",
    None,
]


@pytest.mark.parametrize("result", EXAMPLES)
def test_the_verdict_is_the_whole_schemas(result: Any) -> None:
    assert answer_is_valid()(result) == _whole_schema_says(result)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
_EVENTS = st.fixed_dictionaries(
    {"event": st.one_of(st.sampled_from(KINDS), _VALUES)},
    optional={
        "name": _VALUES,
        "value": _VALUES,
        "text": _VALUES,
        "timestamp": _VALUES,
        "metadata": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), _VALUES, max_size=2)),
        "policy": _VALUES,
        "confidence": _VALUES,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={"events": st.lists(_EVENTS, max_size=4), "responses": _VALUES}))
def test_the_verdict_is_the_whole_schemas_for_any_events(result: dict[str, Any]) -> None:
    assert answer_is_valid()(result) == _whole_schema_says(result)


def test_an_invalid_answer_gets_rasas_own_error() -> None:
    from bot.patches.answers import _validate_by_event_kind

    calls: list[Any] = []

    def original(self: Any, result: Any) -> bool:
        calls.append(result)
        raise ValueError("Rasa's own message")

    validate = _validate_by_event_kind(original)
    action = RemoteAction("action_center_for_product", None)
    assert validate(action, EXAMPLES[0]) is True and not calls
    with pytest.raises(ValueError, match="Rasa's own message"):
        validate(action, EXAMPLES[1])
    assert calls == [EXAMPLES[1]]


def test_rasas_schema_is_checked_kind_by_kind() -> None:
    assert not hasattr(answer_is_valid(), "__self__")  # not the whole schema's own is_valid: the layout was found

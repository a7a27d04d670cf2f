"""Speed: checking the action server's answers.

``RemoteAction._validate_action_result`` checks every custom action's answer against Rasa's JSON schema with
``jsonschema.validate``, which first checks the (constant) schema itself: about 45 ms of CPU per custom action with
jsonschema 4.17. Even with the schema checked once, an answer of six slot events took 2.5 ms, because each event is
checked against all 23 kinds of event of the schema's ``oneOf``, to find the one that fits.

The patch checks the schema once, and each event against the one kind its ``event`` names. That is the same
verdict: every kind requires its own name (``"const"``), so no other kind can fit. An answer found invalid goes to
Rasa's own check, which raises with Rasa's own message. If the schema is not built that way (another Rasa), every
answer is checked against the whole schema.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from bot.patches.patching import _patch


def install() -> None:
    """Install the patch of this module (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    _patch(RemoteAction, "_validate_action_result", _validate_by_event_kind)


@functools.lru_cache(maxsize=1)
def answer_is_valid() -> Callable[[Any], bool]:
    """Whether an action's answer fits ``RemoteAction.action_response_format_spec()``, as ``jsonschema`` decides."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of once per answer
    whole = cls(schema)
    try:
        kinds = schema["properties"]["events"]["items"]["oneOf"]
        names = [kind["properties"]["event"]["const"] for kind in kinds]
    except (KeyError, TypeError):
        return whole.is_valid
    if len(set(names)) != len(names) or "event" not in schema["properties"]["events"]["items"].get("required", ()):
        return whole.is_valid
    by_name = {name: cls(kind) for name, kind in zip(names, kinds)}
    outline = copy.deepcopy(schema)
    del outline["properties"]["events"]["items"]["oneOf"]
    without_kinds = cls(outline)

    def is_valid(result: Any) -> bool:
        if not without_kinds.is_valid(result):
            return False  # events must be objects with a string "event": checked before the kinds are looked up
        for event in result.get("events") or ():
            kind = by_name.get(event["event"])
            if kind is None or not kind.is_valid(event):
                return False
        return True

    return is_valid


def _validate_by_event_kind(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RemoteAction._validate_action_result`` through :func:`answer_is_valid`."""
    from rasa.core.actions.action import RemoteAction

    def validate(self: Any, result: dict[str, Any]) -> bool:
        if type(self).action_response_format_spec is not RemoteAction.action_response_format_spec:
            return original(self, result)  # a subclass with its own schema: keep Rasa's behaviour
        if answer_is_valid()(result):
            return True
        return original(self, result)  # raises with Rasa's own message

    return validate

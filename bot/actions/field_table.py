"""Form validation from a table: each slot of a form is named with the function that validates its answer.

rasa_sdk's :class:`~rasa_sdk.FormValidationAction` validates a slot with the method ``validate_<slot>`` (found with
``getattr``). A :class:`FieldTable` action lists its slots in ``fields`` ({slot: field validator}); a
``validate_<slot>`` method is made for each when the class is defined, so rasa_sdk (and a test) finds it as if it
were written out. Most entries read the answer with a parse function (:func:`parsed`, :func:`from_text`,
:func:`with_choice`) that returns the slot's value or raises :class:`~bot.requests.answers.Invalid` with the reply
that asks again; an entry can also be any ``async (slot, value, dispatcher, tracker) -> {slot: value, ...}``. Slots
whose answer depends on the other answers keep a ``validate_<slot>`` method written in the class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import common
from bot.requests.answers import Invalid

Parse = Callable[[str, Tracker], Any]
"""Reads a slot's value from the answer's text (and the tracker, e.g. for a button's choice); raises Invalid."""
FieldValidator = Callable[[str, Any, CollectingDispatcher, Tracker], Awaitable[dict[str, Any]]]
Fields = Mapping[str, FieldValidator]  # a form's table: {slot: field validator}
"""An entry of ``fields``: (slot, value, dispatcher, tracker) -> {slot: value, and any other slot the answer sets}."""
Validator = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[dict[str, Any]]]
"""A slot's ``validate_<slot>`` method, bound: (value, dispatcher, tracker, domain) -> {slot: value, ...}."""


def parsed(parse: Parse) -> FieldValidator:
    """An entry of ``fields`` that reads the answer with ``parse``.

    The validation gives ``{slot: value}``, or ``{slot: None}`` (asked again) after saying why the answer is invalid
    (the candidate value None reads as empty text).
    """

    async def validate_parsed(
        slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        try:
            return {slot: parse(str(value or ""), tracker)}
        except Invalid as invalid:
            common.say(dispatcher, invalid.response, **invalid.values)
            return {slot: None}

    return validate_parsed


def from_text(parse: Callable[[str], Any]) -> FieldValidator:
    """An entry of ``fields`` that reads the answer's text with ``parse`` (see :func:`parsed`)."""
    return parsed(lambda text, tracker: parse(text))


def with_choice(parse: Callable[[str, Optional[str]], Any], allowed: Sequence[str]) -> FieldValidator:
    """An entry of ``fields`` whose ``parse`` also gets the button's choice (the message's ``choice`` entity) when it
    is one of ``allowed`` (see :func:`parsed`).
    """

    def parse_with_choice(text: str, tracker: Tracker) -> Any:
        choice = common.first_entity(tracker, "choice")
        return parse(text, choice if choice in allowed else None)

    return parsed(parse_with_choice)


def _method(slot: str, check: FieldValidator) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The ``validate_<slot>`` method made for a slot of ``fields``."""

    async def validate(
        self: FieldTable, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Validates the slot with the entry given for it in ``fields``."""
        return await check(slot, value, dispatcher, tracker)

    validate.__name__ = validate.__qualname__ = f"validate_{slot}"
    return validate


class FieldTable(FormValidationAction, ABC):
    """A form validation action whose slots are validated from the table ``fields``: {slot: field validator}."""

    fields: ClassVar[Fields] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Makes a ``validate_<slot>`` method for every slot of the class's ``fields``.

        Raises:
            TypeError: a slot of ``fields`` also has a ``validate_<slot>`` method written in the class.
        """
        super().__init_subclass__(**kwargs)
        for slot, check in cls.__dict__.get("fields", {}).items():
            name = f"validate_{slot}"
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__}: {slot} is in fields and has its own {name}")
            setattr(cls, name, _method(slot, check))

    @abstractmethod
    def name(self) -> str:
        """validate_<form>."""

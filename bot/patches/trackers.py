"""Speed: events and trackers, whose cost grew with the length of the conversation.

* ``Event.resolve_by_type`` walks every subclass of ``Event`` (with ``inspect.isabstract`` on each) for every event it
  deserialises; the tracker store deserialises the whole conversation for every message. The patch looks the type up
  in a dictionary built from the same subclasses (and falls back to the original walk for a name it does not know,
  e.g. a class imported later).
* ``DialogueStateTracker.applied_events`` (called several times per message, over the whole conversation) checks
  every event against Rasa's event classes, which are abstract base classes and slow to check; the patch does the
  same walk with each class looked up once (:func:`event_kind`, also used by :mod:`bot.patches.rules`).
* ``DialogueStateTracker.copy`` replays every event of the conversation (Rasa copies the tracker before each
  action); the patch copies the tracker's state instead (:func:`bot.stores.copy_tracker`, the same state without
  the replay).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from bot.patches.patching import _patch

RESET, REVERT_ACTION, REVERT_USER, ACTION, LOOP, OTHER = range(6)
_EVENT_KINDS: dict[type, int] = {}


def install() -> None:
    """Install the patches of this module (idempotent)."""
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    _patch(Event, "resolve_by_type", _resolve_from_dictionary)
    _patch(DialogueStateTracker, "copy", _copy_without_replay)
    _patch(DialogueStateTracker, "applied_events", _applied_events)


def event_kind(cls: type) -> int:
    """What ``DialogueStateTracker.applied_events`` does with an event of this class (worked out once per class).

    Rasa's events are abstract base classes, which makes each ``isinstance`` check on them slow; a conversation's
    events were checked several times over for every message.

    Returns:
        One of ``RESET``, ``REVERT_ACTION``, ``REVERT_USER``, ``ACTION``, ``LOOP`` and ``OTHER``.
    """
    kind = _EVENT_KINDS.get(cls)
    if kind is None:
        from rasa.shared.core.events import (
            ActionExecuted,
            ActionReverted,
            ActiveLoop,
            Restarted,
            SessionStarted,
            UserUtteranceReverted,
        )

        kind = (
            RESET
            if issubclass(cls, (Restarted, SessionStarted))
            else REVERT_ACTION
            if issubclass(cls, ActionReverted)
            else REVERT_USER
            if issubclass(cls, UserUtteranceReverted)
            else ACTION
            if issubclass(cls, ActionExecuted)
            else LOOP
            if issubclass(cls, ActiveLoop)
            else OTHER
        )
        _EVENT_KINDS[cls] = kind
    return kind


def _resolve_from_dictionary(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Event.resolve_by_type`` (a staticmethod) looking the event's class up in a dictionary."""
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    by_name: dict[str, type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        by_name.setdefault(cls.type_name, cls)  # the first match, as the original loop returns

    def resolve_by_type(type_name: str, default: Optional[type[Event]] = None) -> Optional[type[Event]]:
        found = by_name.get(type_name)
        return found if found is not None else original(type_name, default)

    return resolve_by_type


def _copy_without_replay(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DialogueStateTracker.copy`` copying the tracker's state instead of replaying its events."""
    from bot.stores import copy_tracker

    def copy(self: Any) -> Any:
        return copy_tracker(self)

    return copy


def _applied_events(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DialogueStateTracker.applied_events`` with each event's class looked up once."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    def applied_events(self: Any) -> list[Any]:  # Rasa 3.6's, with the classes looked up once per class
        events = self.events
        loop_names = {event.name for event in events if event_kind(type(event)) == LOOP and event.name}
        applied: list[Any] = []
        for event in events:
            kind = event_kind(type(event))
            if kind == RESET:
                applied = []
            elif kind == REVERT_ACTION:
                self._undo_till_previous(ActionExecuted, applied)
            elif kind == REVERT_USER:
                self._undo_till_previous(UserUttered, applied)
                self._undo_till_previous(ActionExecuted, applied)
            elif (
                kind == ACTION
                and event.action_name in loop_names
                and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                self._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        return applied

    return applied_events

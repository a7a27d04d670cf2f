"""bot/stores.py: the in-memory tracker store gives back the same trackers as Rasa's; tracker copies are independent.

(Moved from ``tests/test_speedups.py``; the whole bot's equivalence test is ``tests/patches/test_equivalence.py``.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.settings import ROOT


def _tracker_events() -> list[Any]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    def turn(text: str, intent: str, action: str) -> list[Any]:
        return [
            UserUttered(text, {"name": intent, "confidence": 0.9}),
            ActionExecuted(action),
            BotUttered(f"reply to {text}"),
            ActionExecuted("action_listen"),
        ]

    first = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    form = [
        UserUttered("look up my importer", {"name": "center_for_importer", "confidence": 0.9}),
        ActionExecuted("importer_lookup_form"),
        ActiveLoop("importer_lookup_form"),
        SlotSet("requested_slot", "ior_number"),
        ActionExecuted("action_listen"),
    ]
    second = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("center", "CEE010"),
        ActionExecuted("action_listen"),
    ]
    return first + turn("hi", "greet", "utter_greet") + form + second + turn("thanks", "thank", "utter_you_are_welcome")


def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.from_path(ROOT / "domain.yml")


@pytest.mark.parametrize("sessions", [1, 2])
def test_memory_store_gives_back_what_rasas_in_memory_store_does(sessions: int) -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    from bot.stores import MemoryTrackerStore

    domain = _domain()
    events = _tracker_events()
    if sessions == 1:
        events = events[:-8]  # up to the open form
    tracker = DialogueStateTracker.from_events("someone", events, domain.slots)
    results = []
    for store in (InMemoryTrackerStore(domain), MemoryTrackerStore(domain)):
        asyncio.run(store.save(tracker))
        last = asyncio.run(store.retrieve("someone"))
        full = asyncio.run(store.retrieve_full_tracker("someone"))
        results.append([t.current_state(EventVerbosity.ALL) for t in (last, full)])
        assert list(asyncio.run(store.keys())) == ["someone"]
        assert asyncio.run(store.retrieve("nobody")) is None
    for state in (*results[0], *results[1]):
        for event in state["events"]:
            event.pop("timestamp", None)
        state.pop("latest_event_time", None)
    assert results[0] == results[1]


def test_a_copied_tracker_is_independent() -> None:
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.stores import copy_tracker

    domain = _domain()
    tracker = DialogueStateTracker.from_events("someone", _tracker_events()[:-8], domain.slots)
    copy = copy_tracker(tracker)
    assert copy.current_state() == tracker.current_state() and copy.active_loop == tracker.active_loop
    copy.update(SlotSet("requested_slot", None))
    copy.active_loop.rejected = True  # type: ignore[union-attr]
    assert tracker.get_slot("requested_slot") == "ior_number"
    assert tracker.active_loop is not None and not tracker.active_loop.rejected
    assert len(copy.events) == len(tracker.events) + 1


def test_every_slot_is_copied_as_copy_copy_copies_it() -> None:
    import copy

    from bot.stores import _copy_slot, _plain

    slots = _domain().slots
    assert {type(slot).__name__ for slot in slots if _plain(type(slot))} >= {"TextSlot", "CategoricalSlot", "AnySlot"}
    for slot in slots:
        slot.value = ["a", {"b": 1}] if type(slot).__name__ == "AnySlot" else slot.value
        copied, expected = _copy_slot(slot), copy.copy(slot)
        assert type(copied) is type(expected) and vars(copied) == vars(expected)
        assert copied is not slot and (not isinstance(slot.value, list) or copied.value is not slot.value)

    class Custom:
        def __copy__(self) -> str:
            return "its own copy"

    assert not _plain(Custom) and _copy_slot(Custom()) == "its own copy"


def test_the_memory_store_keeps_at_most_max_conversations_and_forgets_the_least_recently_used() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.stores import MemoryTrackerStore

    domain = _domain()
    store = MemoryTrackerStore(domain, max_conversations=3)

    def save(sender: str) -> None:
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, _tracker_events()[:4], domain.slots)))

    for sender in ("a", "b", "c"):
        save(sender)
    assert asyncio.run(store.retrieve("a")) is not None  # "a" is now the most recently used
    save("d")  # one too many: "b", the least recently used, goes
    assert sorted(asyncio.run(store.keys())) == ["a", "c", "d"]
    assert asyncio.run(store.retrieve("b")) is None
    for number in range(100):
        save(f"flood-{number}")
    assert len(list(asyncio.run(store.keys()))) == 3 and len(store._trackers) == 3


def test_the_memory_store_bound_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.stores import MemoryTrackerStore

    monkeypatch.setenv("MAX_CONVERSATIONS", "7")
    assert MemoryTrackerStore(_domain()).max_conversations == 7

"""A faster in-memory tracker store for one Rasa process: ``tracker_store: type: bot.stores.MemoryTrackerStore``.

``bot/runtime/endpoints.py`` uses it when ``.env`` names no ``TRACKER_STORE_URL``. Rasa's own in-memory store keeps each
conversation as JSON and, for every message, turns it back into a tracker (parsing every event and replaying them all)
and into JSON again afterwards, so that a message cost more the longer its conversation was. This one keeps a copy of
each tracker instead. Like Rasa's, it lives inside one process and forgets everything on restart: several processes
(``SANIC_WORKERS`` > 1, several replicas) need a shared store (PostgreSQL or Redis, see ``TRACKER_STORE_URL``).

It is bounded: it keeps at most ``MAX_CONVERSATIONS`` conversations (``.env``, default 10,000; or ``max_conversations``
in the ``tracker_store`` section) and forgets the least recently used one first, so that nobody can exhaust the
server's memory by starting conversations. A forgotten conversation starts afresh on its next message.
"""

from __future__ import annotations

import collections
import copy
from typing import Any, Optional

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from bot.settings import load_settings

# The attributes of a Rasa 3.6 tracker; a tracker with others (another Rasa version) is copied by replaying its events.
_TRACKER_FIELDS = frozenset(
    {
        "_max_event_history",
        "_paused",
        "active_loop",
        "assistant_id",
        "events",
        "followup_action",
        "is_rule_tracker",
        "latest_action",
        "latest_bot_utterance",
        "latest_message",
        "model_id",
        "sender_id",
        "sender_source",
        "slots",
    }
)


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """An independent copy of a tracker, made without replaying its events.

    The events are shared, as Rasa's own tracker copies share them; the slots, the latest action and the active loop,
    which a tracker changes in place, are copied.
    """
    state = vars(tracker)
    if type(tracker) is not DialogueStateTracker or set(state) != _TRACKER_FIELDS:
        return tracker.travel_back_in_time(float("inf"))  # Rasa's own copy (bot/patches/trackers.py may replace .copy)
    new = object.__new__(DialogueStateTracker)
    new.__dict__.update(state)
    new.events = collections.deque(tracker.events, tracker.events.maxlen)
    slots = type(tracker.slots)()
    slots.update({name: _copy_slot(slot) for name, slot in tracker.slots.items()})
    new.slots = slots
    new.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None else None
    new.active_loop = copy.deepcopy(tracker.active_loop)
    return new


def _copy_slot(slot: Any) -> Any:
    if _plain(type(slot)):  # what copy.copy does for such a class, without its generic protocol: a third of the time
        new = object.__new__(type(slot))
        new.__dict__.update(slot.__dict__)
    else:
        new = copy.copy(slot)
    value = getattr(slot, "_value", None)
    if isinstance(value, (list, dict, set)):
        new._value = copy.deepcopy(value)
    return new


_PLAIN: dict[type, bool] = {}  # per class: whether _copy_slot may copy its __dict__ (see _plain)


def _plain(cls: type) -> bool:
    """Whether ``copy.copy`` of an instance of ``cls`` is a new instance with the same ``__dict__``: the class keeps
    its state in ``__dict__`` only and changes nothing of how it is copied or pickled.
    """
    if cls not in _PLAIN:
        _PLAIN[cls] = (
            cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and not any(hasattr(cls, name) for name in ("__copy__", "__setstate__", "__getstate__"))
            and not any(getattr(base, "__slots__", ()) for base in cls.__mro__)
        )
    return _PLAIN[cls]


class MemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store, keeping a copy of each tracker instead of its JSON, and a bounded number."""

    def __init__(
        self, domain: Any, event_broker: Any = None, max_conversations: Optional[int] = None, **kwargs: Any
    ) -> None:
        """A store for ``domain``, keeping ``max_conversations`` (``MAX_CONVERSATIONS`` when None) at most.

        Args:
            domain: the bot's domain.
            event_broker: where new events are streamed, if any.
            max_conversations: how many conversations to keep (``MAX_CONVERSATIONS`` from the settings when None).
            **kwargs: Rasa's other tracker store arguments.
        """
        super().__init__(domain, event_broker, **kwargs)
        limit = max_conversations if max_conversations is not None else load_settings().max_conversations
        self.max_conversations = max(int(limit), 1)
        self._trackers: collections.OrderedDict[str, DialogueStateTracker] = collections.OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Keep a copy of the tracker (and stream its new events); forget the oldest past ``max_conversations``."""
        await self.stream_events(tracker)
        self._trackers[tracker.sender_id] = copy_tracker(tracker)
        self._trackers.move_to_end(tracker.sender_id)
        self.store[tracker.sender_id] = ""  # Rasa's keys() lists the conversations from here
        while len(self._trackers) > self.max_conversations:
            oldest, _ = self._trackers.popitem(last=False)
            self.store.pop(oldest, None)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """A copy of the stored tracker: its last session only, unless ``fetch_all_sessions`` (as Rasa's store)."""
        stored = self._trackers.get(sender_id)
        if stored is None:
            return None
        self._trackers.move_to_end(sender_id)
        tracker = copy_tracker(stored)
        if fetch_all_sessions:
            return tracker
        starts = [
            index
            for index, event in enumerate(tracker.events)
            if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
        ]
        if not starts or starts == [0]:
            return tracker  # one session
        sessions = get_trackers_for_conversation_sessions(tracker)
        return tracker if len(sessions) <= 1 else sessions[-1]

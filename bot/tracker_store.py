"""The default tracker store: conversations kept in memory for speed and written through to SQL, masked.

``tracker_store: type: bot.tracker_store.PersistentTrackerStore`` (``bot/runtime/endpoints.py`` writes it, with the
SQLite file beside the run-time endpoints file, when ``.env`` names no ``TRACKER_STORE_URL``). Reads come from the
in-memory copy (:class:`bot.stores.MemoryTrackerStore`, fast); every save also appends the new events to Rasa's SQL
tracker store, so conversations survive a restart (a conversation not in memory is read back from SQL once).

Before any event is kept, every string in it (the user's text, entities, parse data, slot values, bot replies,
metadata) has its Social Security-format numbers masked (:func:`bot.ior.mask_value`): no full SSN-format number is
stored, in memory or on disk. The live tracker's slot values are left as they are for the rest of the process; after
a restart they are rebuilt from the masked events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.ior import mask_value
from bot.stores import MemoryTrackerStore

_MASKED = "_cee_masked"  # set on an event once its strings are masked (events are shared between tracker copies)


def mask_event(event: Event) -> None:
    """Mask SSN-format numbers in every string of an event, in place (once)."""
    if getattr(event, _MASKED, False):
        return
    for name, value in list(vars(event).items()):
        masked = mask_value(value)
        if masked is not value:
            setattr(event, name, masked)
    setattr(event, _MASKED, True)


def mask_events(tracker: DialogueStateTracker) -> None:
    """Mask every event of a tracker that is not masked yet (the new ones)."""
    for event in reversed(tracker.events):
        if getattr(event, _MASKED, False):
            break  # the older ones were masked by an earlier save
        mask_event(event)
    for event in tracker.events:  # events read back from SQL (or copied in another order): cheap once marked
        mask_event(event)


class PersistentTrackerStore(MemoryTrackerStore):
    """In-memory reads, writes through to Rasa's SQL tracker store, every event masked before it is kept.

    Args:
        domain: the assistant's domain.
        event_broker: where new events are streamed, if anywhere.
        **sql: :class:`rasa.core.tracker_store.SQLTrackerStore`'s arguments (``dialect``, ``db``, ``host``...).
    """

    def __init__(self, domain: Any, event_broker: Any = None, **sql: Any) -> None:
        super().__init__(domain, event_broker)
        self.sql = SQLTrackerStore(domain, **sql)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Mask the new events, keep the tracker in memory and append its new events to SQL."""
        mask_events(tracker)
        await super().save(tracker)
        await self.sql.save(tracker)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """From memory; a conversation not in memory (a restart) is read from SQL once and kept in memory."""
        if sender_id not in self._trackers:
            stored = await self.sql.retrieve_full_tracker(sender_id)
            if stored is None:
                return None
            mask_events(stored)
            await super().save(stored)
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[str]:
        """The conversations in memory or in SQL."""
        return set(await super().keys()) | set(await self.sql.keys())


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store (``TRACKER_STORE_URL``, shared by several processes), every event masked first."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Mask the new events, then store them."""
        mask_events(tracker)
        await super().save(tracker)

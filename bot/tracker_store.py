"""The default tracker store: conversations kept in memory for speed and written through to SQL, masked.

``tracker_store: type: bot.tracker_store.PersistentTrackerStore`` (``bot/runtime/endpoints.py`` writes it, with the
SQLite file beside the run-time endpoints file, when ``.env`` names no ``TRACKER_STORE_URL``). Reads come from the
in-memory copy (:class:`bot.stores.MemoryTrackerStore`, fast); every save also appends the new events to Rasa's SQL
tracker store, so conversations survive a restart (a conversation not in memory is read back from SQL once).

Before an event is written to SQL, every string in it (the user's text, entities, parse data, slot values, bot
replies, metadata) has its Social Security-format numbers masked (:func:`bot.ior.mask_value`): no full SSN-format
number reaches the disk. The in-memory copy is left as it is, so that a form in progress still has the number the
user typed; after a restart a conversation is rebuilt from the masked events.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from bot.ior import mask_value
from bot.stores import MemoryTrackerStore


class PersistentTrackerStore(MemoryTrackerStore):
    """In-memory reads, writes through to Rasa's SQL tracker store, every event masked before it is written.

    Args:
        domain: the assistant's domain.
        event_broker: where new events are streamed, if anywhere.
        **sql: :class:`rasa.core.tracker_store.SQLTrackerStore`'s arguments (``dialect``, ``db``, ``host``...).
    """

    def __init__(self, domain: Any, event_broker: Any = None, **sql: Any) -> None:
        super().__init__(domain, event_broker)
        self.sql = MaskingSQLTrackerStore(domain, **sql)
        if self.sql.engine.dialect.name == "sqlite" and self.sql.engine.url.database not in (None, "", ":memory:"):
            _keep_sqlite_connections(self.sql)  # a file (an in-memory database keeps SQLAlchemy's single connection)
        self._last_written: dict[str, Event] = {}  # per conversation, the last event written to SQL

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Keep the tracker in memory as it is (the conversation's own forms still need what the user typed) and
        append its new events, masked, to SQL.
        """
        await super().save(tracker)
        new = _after(tracker, self._last_written.get(tracker.sender_id))
        if new is None:
            await self.sql.save(tracker)  # Rasa's own way: it counts the events stored to find the new ones
        elif new:
            with self.sql.session_scope() as session:
                self.sql.append(session, tracker.sender_id, new)
        if tracker.events:
            self._last_written[tracker.sender_id] = tracker.events[-1]

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """From memory; a conversation not in memory (a restart) is read from SQL once and kept in memory."""
        if sender_id not in self._trackers:
            stored = await self.sql.retrieve_full_tracker(sender_id)
            if stored is None:
                return None
            await super().save(stored)
            if stored.events:
                self._last_written[sender_id] = stored.events[-1]
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[str]:
        """The conversations in memory or in SQL."""
        return set(await super().keys()) | set(await self.sql.keys())


def _after(tracker: DialogueStateTracker, last: Optional[Event]) -> Optional[list[Event]]:
    """The tracker's events after ``last`` (the same object), or None when ``last`` is unknown or not among them."""
    if last is None:
        return None
    events = tracker.events
    for index in range(len(events) - 1, -1, -1):
        if events[index] is last:
            return list(itertools.islice(events, index + 1, None))
    return None


def _keep_sqlite_connections(store: SQLTrackerStore) -> None:
    """Give ``store`` an engine that keeps its SQLite connections open, in write-ahead-log mode (:func:`_fast_sqlite`).

    SQLAlchemy 1.4 opens a new connection to an SQLite file for every session and closes it afterwards. For every
    message, that meant a connection, its two PRAGMAs, and, at the close of the last connection, a checkpoint of the
    log into the database: a fifth of the Rasa server's time in `make bench`. A kept connection commits into the log
    and checkpoints every 1,000 pages, as SQLite does by default. A pool lends each connection to one session at a
    time, so a connection may move between threads but is never used by two at once.
    """
    url = store.engine.url
    store.engine.dispose()
    store.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
    sa.event.listen(store.engine, "connect", _fast_sqlite)
    store.sessionmaker = sessionmaker(bind=store.engine)


def _fast_sqlite(connection: Any, record: Any) -> None:
    """SQLite in write-ahead-log mode, synced at checkpoints rather than at every commit: a crash of the machine (not
    of the process) may lose the last messages, never the database.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store (also used alone, through ``TRACKER_STORE_URL``) whose rows hold every event masked."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not stored yet, masked (what Rasa's own ``save`` does, with the masking)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            self.append(session, tracker.sender_id, self._additional_events(session, tracker))

    def append(self, session: Any, sender_id: str, events: Iterable[Event]) -> None:
        """Add ``events`` to the conversation's rows as Rasa's SQL store does (the same columns), each masked."""
        for event in events:
            data = mask_value(event.as_dict())
            session.add(
                self.SQLEvent(
                    sender_id=sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )
        session.commit()

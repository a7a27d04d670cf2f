"""The default tracker store: in memory, written through to SQLite, every event masked before it is kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import MaskingSQLTrackerStore, PersistentTrackerStore
from tests.running import sqlite_text


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, [])
    entities = [{"entity": "ior_number", "value": "123456789"}]
    tracker.update(UserUttered("my number is 123 45 6789", {"name": "lookup"}, entities, metadata={"n": "12345-6789"}))
    tracker.update(SlotSet("note", "123-456789"))
    tracker.update(BotUttered("got 123-45-6789", metadata={"x": ["123456789"]}))
    return tracker


def test_events_are_masked_written_through_and_read_back_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")

    async def run() -> Optional[DialogueStateTracker]:
        await PersistentTrackerStore(Domain.empty(), dialect="sqlite", db=db).save(_tracker("a"))
        return await PersistentTrackerStore(Domain.empty(), dialect="sqlite", db=db).retrieve("a")  # a new process

    tracker = asyncio.run(run())
    assert tracker is not None and len(tracker.events) == 3
    stored = str([event.as_dict() for event in tracker.events])
    assert "6789" in stored and "12345" not in stored and "123 45" not in stored and "123-4" not in stored
    assert "12345" not in sqlite_text(Path(db))


def test_the_masking_sql_store_masks_too(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    asyncio.run(MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=db).save(_tracker("b")))
    data = sqlite_text(Path(db))
    assert "***-**-6789" in data and "12345" not in data and "123 45" not in data


def test_each_event_is_written_once_over_several_saves(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")

    async def run() -> int:
        store = PersistentTrackerStore(Domain.empty(), dialect="sqlite", db=db)
        tracker = _tracker("c")
        await store.save(tracker)
        for turn in range(3):
            tracker = await store.retrieve("c")
            assert tracker is not None
            tracker.update(UserUttered(f"turn {turn}", {"name": "x"}))
            await store.save(tracker)
        again = await PersistentTrackerStore(Domain.empty(), dialect="sqlite", db=db).retrieve("c")
        assert again is not None
        return len(again.events)

    assert asyncio.run(run()) == 6


def test_one_sqlite_connection_serves_every_save(tmp_path: Path) -> None:
    import sqlalchemy as sa

    db = str(tmp_path / "k.db")
    store = PersistentTrackerStore(Domain.empty(), dialect="sqlite", db=db)
    connects: list[object] = []
    sa.event.listen(store.sql.engine, "connect", lambda connection, record: connects.append(connection))

    async def run() -> None:
        for sender in ("d", "e", "f"):
            await store.save(_tracker(sender))

    asyncio.run(run())
    assert len(connects) <= 1  # kept open between messages (none when the one from creating the tables is reused)
    with store.sql.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM events").scalar() == 9

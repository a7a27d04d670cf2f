"""Retention: bot.db.retention deletes the conversations whose latest event is older than the period."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.db.retention import RetentionError, conversations_url, purge_conversations

NOW = 1_800_000_000.0
DAY = 86400.0


def _events(path: Path, rows: list[tuple[str, float]]) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL, data TEXT)")
        connection.executemany("INSERT INTO events (sender_id, timestamp, data) VALUES (?, ?, '{}')", rows)
    return f"sqlite:///{path}"


def test_a_conversation_goes_whole_once_its_latest_event_is_older_than_the_period(tmp_path: Path) -> None:
    url = _events(
        tmp_path / "c.db",
        [("old", NOW - 100 * DAY), ("old", NOW - 91 * DAY), ("mixed", NOW - 200 * DAY), ("mixed", NOW - DAY)],
    )
    assert purge_conversations(90, url, now=NOW) == 1
    with sqlite3.connect(tmp_path / "c.db") as connection:
        left = [row[0] for row in connection.execute("SELECT sender_id FROM events")]
    assert left == ["mixed", "mixed"]  # a conversation still going keeps its older messages


def test_nothing_to_purge_without_a_database(tmp_path: Path) -> None:
    assert purge_conversations(90, f"sqlite:///{tmp_path / 'none.db'}") == 0
    assert not (tmp_path / "none.db").exists()


def test_redis_and_a_period_below_one_day_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RetentionError, match="Redis"):
        conversations_url("redis://cache:6379/0")
    with pytest.raises(RetentionError, match="1 or more"):
        purge_conversations(0, "sqlite:///x.db")

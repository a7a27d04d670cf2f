"""Issue 14: conversations older than RETENTION_DAYS are deleted by ``python -m bot.db purge-conversations``."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request

import pytest

from tests.running import Bot, new_sender


def _send(bot: Bot, sender: str, message: str) -> None:
    body = json.dumps({"sender": sender, "message": message}).encode()
    urllib.request.urlopen(urllib.request.Request(bot.rest_url, body, {"Content-Type": "application/json"}), timeout=60)


def _senders(database: str) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


def test_conversations_older_than_the_retention_period_are_purged(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    database = str(bot.stack.log_dir / "conversations.db")
    old, recent = new_sender(), new_sender()
    _send(bot, old, "hello")
    _send(bot, recent, "hello")
    assert {old, recent} <= _senders(database)
    with sqlite3.connect(database) as connection:  # the old conversation's messages were 91 days ago
        connection.execute("UPDATE events SET timestamp = ? WHERE sender_id = ?", (time.time() - 91 * 86400, old))
    monkeypatch.setenv("RETENTION_DAYS", "90")
    done = bot.db("purge-conversations", "--tracker-store-url", f"sqlite:///{database}")
    assert done.returncode == 0, done.stderr
    assert "older than 90 days deleted" in done.stdout
    left = _senders(database)
    assert old not in left and recent in left


def test_the_retention_period_must_be_a_day_or_more(bot: Bot) -> None:
    done = bot.db("purge-conversations", "--days", "0", "--tracker-store-url", "sqlite:////nonexistent/x.db")
    assert done.returncode == 1 and "RETENTION_DAYS must be 1 or more" in done.stderr

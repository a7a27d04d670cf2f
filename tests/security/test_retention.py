"""Conversations are deleted after ``RETENTION_DAYS``: ``python -m bot.db purge-conversations`` deletes from Rasa's SQL
tracker store (made by Rasa's own :class:`SQLTrackerStore`, on real SQLite and, when the ``pg_url`` fixture has a
server, on PostgreSQL) every conversation whose LAST event is older than the period, and nothing else: not a recent
conversation, not an old conversation still in use, not the requests stored by the bot.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.db import store
from bot.retention import purge_at_start, tracker_store_url
from bot.settings import ROOT, Settings

DAY = 86_400.0
# sender_id -> the age in days of its events (first to last)
CONVERSATIONS = {"old": (200.0, 199.0), "month": (31.0, 30.0), "still-in-use": (300.0, 1.0), "today": (0.1, 0.0)}


def tracker_store(url: str) -> SQLTrackerStore:
    """Rasa's own SQL tracker store on ``url`` (it creates the ``events`` table)."""
    parsed = make_url(url)
    return SQLTrackerStore(
        Domain.empty(),
        dialect=parsed.drivername,
        host=parsed.host,
        port=parsed.port,
        db=parsed.database or "",
        username=parsed.username,
        password=parsed.password,
    )


def save_conversations(url: str) -> None:
    now = time.time()
    rasa_store = tracker_store(url)
    for sender, ages in CONVERSATIONS.items():
        events: list[Any] = []
        for age in ages:
            events += [
                ActionExecuted("action_listen", timestamp=now - age * DAY),
                UserUttered("hi", timestamp=now - age * DAY),
            ]
        asyncio.run(rasa_store.save(DialogueStateTracker.from_events(sender, events)))
    rasa_store.engine.dispose()


def senders(url: str) -> set[str]:
    rasa_store = tracker_store(url)
    try:
        return {s for s in asyncio.run(rasa_store.keys()) if s}
    finally:
        rasa_store.engine.dispose()


def purge(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "bot.db", "purge-conversations", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    save_conversations(url)
    return url


def test_purge_deletes_conversations_whose_last_event_is_older_than_the_period(
    sqlite_store: str, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'cee-guide.db'}"
    os.environ["DATABASE_URL"] = database
    try:
        store.dispose_engines()
        store.init_db()
        ref = store.create_request("outreach_call", {"company": "Kept Co"}, "kept@example.com").ref
        store.dispose_engines()
        env = {"TRACKER_STORE_URL": sqlite_store, "DATABASE_URL": database, "HOME": str(tmp_path)}
        done = purge(env)  # RETENTION_DAYS: 90 by default
        assert "1 conversation older than 90 days deleted" in done.stdout
        assert senders(sqlite_store) == {"month", "still-in-use", "today"}
        done = purge({**env, "RETENTION_DAYS": "7"})
        assert "1 conversation older than 7 days deleted" in done.stdout
        assert senders(sqlite_store) == {"still-in-use", "today"}
        purge(env, "--days", "1")
        assert senders(sqlite_store) == {"today"}
        assert store.get_request(ref) is not None  # requests are kept until staff delete them
    finally:
        store.dispose_engines()


def test_purge_with_no_store_yet_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "var" / "tracker.db"
    done = purge({"TRACKER_STORE_URL": f"sqlite:///{missing}", "HOME": str(tmp_path)})
    assert "0 conversations" in done.stdout
    assert not missing.exists()


def test_make_run_purges_at_start(sqlite_store: str) -> None:
    purge_at_start(Settings(tracker_store_url=sqlite_store, retention_days=90))
    assert senders(sqlite_store) == {"month", "still-in-use", "today"}
    purge_at_start(Settings(tracker_store_url="sqlite:////nonexistent/folder/tracker.db"))  # skipped, no error


def test_the_purge_reads_the_file_the_server_writes_by_default(tmp_path: Path) -> None:
    import yaml

    from bot.runtime.endpoints import endpoints_file
    from bot.settings import VAR_DIR

    written = yaml.safe_load(endpoints_file(tmp_path / "endpoints.yml").read_text())["tracker_store"]
    assert written["db"] == str(tmp_path / "conversations.db")  # beside the run-time endpoints file
    assert tracker_store_url(Settings()) == f"sqlite:///{VAR_DIR / 'log' / 'conversations.db'}"  # `make run`'s
    assert tracker_store_url(Settings(tracker_store_url="sqlite:///var/x.db")) == f"sqlite:///{ROOT / 'var' / 'x.db'}"


@pytest.fixture
def postgres_store(pg_url: str) -> Iterator[str]:
    from tests.conftest import _admin_connect

    name = f"cee_retention_{os.getpid()}"
    admin = _admin_connect(pg_url)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        save_conversations(url)
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_purge_on_postgresql(postgres_store: str, tmp_path: Path) -> None:
    done = purge({"HOME": str(tmp_path)}, "--tracker-store-url", postgres_store, "--days", "20")
    assert "2 conversations older than 20 days deleted" in done.stdout
    assert senders(postgres_store) == {"still-in-use", "today"}

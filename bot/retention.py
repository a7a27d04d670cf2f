"""How long conversations are kept: the tracker store's URL and the purge of conversations older than
``RETENTION_DAYS``.

Rasa's SQL tracker store (:class:`rasa.core.tracker_store.SQLTrackerStore`) keeps every event of every conversation
in one table, ``events`` (``id``, ``sender_id``, ``type_name``, ``timestamp`` in Unix seconds, ``intent_name``,
``action_name``, ``data``). A conversation is deleted, all its events at once, when its LAST event is older than the
retention period, so a conversation still in use is never cut short. Requests stored by the bot are not touched:
they are kept until CBP staff delete them.

Feedback on answers (the database's ``answer_feedback`` table, :mod:`bot.db.feedback`) is deleted with the
conversations: :func:`purge_feedback` deletes what was given more than ``RETENTION_DAYS`` ago (feedback is given after
its answer, so it is never kept longer than the conversation it rates).

``python -m bot.db purge-conversations`` runs :func:`purge_conversations` and :func:`purge_feedback`; ``bot.serve``
(``make run``) runs :func:`purge_at_start`, which does both, before it starts the servers.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.runtime.endpoints import CONVERSATIONS_DB
from bot.settings import VAR_DIR, Settings, _absolute_sqlite

logger = logging.getLogger(__name__)

# The default store's file (bot/runtime/endpoints.py: beside the run-time endpoints file, var/log/ under `make run`).
DEFAULT_TRACKER_STORE_URL = f"sqlite:///{VAR_DIR / 'log' / CONVERSATIONS_DB}"
EVENTS_TABLE = "events"
SECONDS_PER_DAY = 86_400

_OLD_SENDERS = f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"


class RetentionError(Exception):
    """A purge that cannot be done (a tracker store of another kind, a bad period); the message says why."""


def tracker_store_url(settings: Settings) -> str:
    """The tracker store's SQLAlchemy URL: ``TRACKER_STORE_URL``, else the SQLite file ``var/log/conversations.db``.

    A relative SQLite path is taken from the project root, as the servers take it.
    """
    return _absolute_sqlite(settings.tracker_store_url or DEFAULT_TRACKER_STORE_URL)


def _sqlite_file(url: str) -> Optional[Path]:
    """The file of a SQLite URL; None for another database (or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def purge_conversations(url: str, days: int, now: Optional[float] = None) -> int:
    """Delete the conversations whose last event is older than ``days`` days.

    Args:
        url: the tracker store's SQLAlchemy URL (``sqlite:///...`` or ``postgresql://...``).
        days: the retention period, at least 1.
        now: the current time in Unix seconds (default: the clock).

    Returns:
        How many conversations were deleted; 0 when the store or its ``events`` table does not exist yet (a SQLite
        file that does not exist is not created).

    Raises:
        RetentionError: a period under one day, or a tracker store that is not an SQL database (e.g. Redis).
    """
    if days < 1:
        raise RetentionError(f"the retention period must be at least 1 day, not {days}")
    if url.startswith(("redis://", "rediss://")):
        raise RetentionError("the tracker store is Redis: conversations there expire by Redis's own settings")
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.exists():
        return 0
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    postgres = make_url(url).get_backend_name() == "postgresql"
    engine = create_engine(url, connect_args={"connect_timeout": 10} if postgres else {})
    try:
        if not inspect(engine).has_table(EVENTS_TABLE):
            return 0
        with engine.begin() as connection:
            count = connection.execute(text(f"SELECT COUNT(*) FROM ({_OLD_SENDERS}) AS old"), {"cutoff": cutoff})
            purged = int(count.scalar() or 0)
            if purged:
                connection.execute(
                    text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN ({_OLD_SENDERS})"),
                    {"cutoff": cutoff},
                )
        return purged
    finally:
        engine.dispose()


def purge_feedback(days: int, now: Optional[float] = None) -> int:
    """Delete the feedback on answers given more than ``days`` days ago, from the database (``DATABASE_URL``).

    Returns:
        How many were deleted; 0 when the database has no feedback table yet.

    Raises:
        RetentionError: a period under one day.
        DatabaseUnavailable: the database cannot be reached.
    """
    from bot.db import store  # the database is opened only when feedback is purged

    if days < 1:
        raise RetentionError(f"the retention period must be at least 1 day, not {days}")
    if not inspect(store.get_engine()).has_table("answer_feedback"):
        return 0
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    return store.delete_feedback_before(dt.datetime.fromtimestamp(cutoff, dt.timezone.utc))


def purge_at_start(settings: Settings) -> None:
    """Purge old conversations and feedback before the servers start; quiet, and never in the way of starting.

    Conversations are skipped when the tracker store is not an SQL database or does not exist yet; a failure is one
    line on the log.
    """
    try:
        deleted = purge_feedback(settings.retention_days)
    except Exception as exc:  # e.g. the database unreachable: the servers say so themselves when they start
        logger.warning("Old feedback on answers was not purged: %s", type(exc).__name__)
    else:
        if deleted:
            print(f"Deleted {deleted} feedback(s) on answers older than {settings.retention_days} days.", flush=True)
    url = tracker_store_url(settings)
    if url.startswith(("redis://", "rediss://")):
        return
    try:
        purged = purge_conversations(url, settings.retention_days)
    except Exception as exc:  # e.g. PostgreSQL unreachable: the servers say so themselves when they start
        logger.warning("Old conversations were not purged: %s", type(exc).__name__)
        return
    if purged:
        print(f"Deleted {purged} conversation(s) older than {settings.retention_days} days.", flush=True)

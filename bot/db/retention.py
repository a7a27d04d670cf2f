"""Retention: delete the conversations (tracker store events) older than ``RETENTION_DAYS``.

A conversation is deleted whole once its latest event is older than the retention period. The tracker store is
``TRACKER_STORE_URL`` (PostgreSQL or SQLite) or, without it, the SQLite file that ``make run`` writes conversations to
(:data:`DEFAULT_CONVERSATIONS_DB`). ``make run`` runs ``python -m bot.db purge-conversations`` at start.
"""

from __future__ import annotations

import time
from typing import Optional

import sqlalchemy as sa

from bot.runtime.endpoints import CONVERSATIONS_DB, store_url
from bot.settings import VAR_DIR

DEFAULT_CONVERSATIONS_DB = VAR_DIR / "log" / CONVERSATIONS_DB  # beside var/log/endpoints.yml (bot/serve.py)
DAY = 86400.0


class RetentionError(Exception):
    """The tracker store cannot be purged (a Redis store, or one that is unreachable)."""


def conversations_url(url: Optional[str] = None) -> str:
    """The tracker store's SQLAlchemy URL: ``url``, ``TRACKER_STORE_URL``, or the default SQLite file."""
    url = url or store_url("TRACKER_STORE_URL") or f"sqlite:///{DEFAULT_CONVERSATIONS_DB}"
    if url.startswith(("redis://", "rediss://")):
        raise RetentionError(
            "the tracker store is Redis: set an expiry on its keys instead (see docs/configuration.md)"
        )
    return url


def purge_conversations(days: int, url: Optional[str] = None, now: Optional[float] = None) -> int:
    """Delete every conversation whose latest event is more than ``days`` days old. Returns how many were deleted.

    Raises:
        RetentionError: the store is Redis, or ``days`` is below 1.
    """
    if days < 1:
        raise RetentionError(f"RETENTION_DAYS must be 1 or more, not {days}")
    url = conversations_url(url)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        from pathlib import Path

        if not Path(url[len("sqlite:///") :]).exists():
            return 0  # no conversation was ever stored
    cutoff = (now if now is not None else time.time()) - days * DAY
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0
            old = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
            senders = [row[0] for row in connection.execute(old, {"cutoff": cutoff})]
            for sender in senders:
                connection.execute(sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
            return len(senders)
    except sa.exc.OperationalError as exc:
        raise RetentionError(f"the tracker store is unreachable: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()

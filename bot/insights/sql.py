"""The SQL the report needs from Rasa's ``events`` table, written once for SQLite and once for PostgreSQL.

Rasa's SQL tracker store keeps each event's JSON in a text column (``data``); the two databases read a field of it
differently (``json_extract`` in SQLite, ``CAST(data AS json) #>> '{...}'`` in PostgreSQL), and name a day
differently. Everything else is standard SQL with window functions (SQLite 3.25 or later).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine, make_url

EVENTS = "events"
UTC_DAY_FORMAT = "YYYY-MM-DD"


def json_field(dialect: str, *path: str) -> str:
    """The SQL expression of one text field of the ``data`` column, e.g. ``json_field("sqlite", "metadata", "x")``.

    Args:
        dialect: ``sqlite`` or ``postgresql``.
        *path: the keys from the top of the event's JSON (letters, digits and underscores only).

    Raises:
        ValueError: another database, or a key that is not a plain name.
    """
    if not path or not all(key.replace("_", "").isalnum() for key in path):
        raise ValueError(f"a JSON path of plain names, not {path!r}")
    if dialect == "sqlite":
        return f"json_extract(data, '$.{'.'.join(path)}')"
    if dialect == "postgresql":
        return f"(CAST(data AS json) #>> '{{{','.join(path)}}}')"
    raise ValueError(f"the report reads SQLite or PostgreSQL tracker stores, not {dialect}")


def utc_day(dialect: str, column: str = "timestamp") -> str:
    """The SQL expression of the UTC day (``YYYY-MM-DD``) of a Unix-seconds column."""
    if dialect == "sqlite":
        return f"date({column}, 'unixepoch')"
    if dialect == "postgresql":
        return f"to_char(to_timestamp({column}) AT TIME ZONE 'UTC', '{UTC_DAY_FORMAT}')"
    raise ValueError(f"the report reads SQLite or PostgreSQL tracker stores, not {dialect}")


def tracker_engine(url: str) -> Engine:
    """An engine for a tracker store's SQLAlchemy URL (``sqlite:///...`` or ``postgresql://...``).

    Raises:
        ValueError: a Redis store or another database (the report needs SQL).
    """
    if url.startswith(("redis://", "rediss://")):
        raise ValueError("the tracker store is Redis: the report reads SQLite or PostgreSQL tracker stores only")
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"the report reads SQLite or PostgreSQL tracker stores, not {backend}")
    connect_args: dict[str, Any] = {"connect_timeout": 10} if backend == "postgresql" else {}
    return create_engine(url, connect_args=connect_args)


def missing_file(url: str) -> Optional[str]:
    """The path of a SQLite URL whose file does not exist (opening it would create an empty one), else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database or "").exists() else str(parsed.database)


def engine_of_store(tracker_store: Any) -> Optional[Engine]:
    """The SQL engine of a running Rasa server's tracker store, or None when it keeps no SQL copy.

    Rasa wraps the configured store in a ``FailSafeTrackerStore`` (the store is its ``_tracker_store``);
    :class:`bot.tracker_store.PersistentTrackerStore` holds its SQL store as ``sql``; Rasa's SQL store (and
    :class:`bot.tracker_store.MaskingSQLTrackerStore`) has the ``engine`` itself.
    """
    inner = getattr(tracker_store, "_tracker_store", None) or tracker_store
    for candidate in (inner, getattr(inner, "sql", None)):
        engine = getattr(candidate, "engine", None)
        if isinstance(engine, Engine):
            return engine
    return None


def has_events(engine: Engine) -> bool:
    """Whether the store has its ``events`` table yet (a store no conversation has reached has none)."""
    return bool(inspect(engine).has_table(EVENTS))

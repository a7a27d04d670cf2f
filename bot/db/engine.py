"""The one place that owns the database engine and sessions (and creates the tables).

Any failure to reach the database (it is down, the URL is wrong, the tables were never created) is raised as
:class:`DatabaseUnavailable`, so that the bot can say "figures are unavailable right now" instead of crashing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from bot.db.models import Base, CenterRow
from bot.ior import mask_text
from bot.settings import load_settings

logger = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used right now (not reachable, misconfigured, or its tables are missing)."""


STATEMENT_TIMEOUT_SECONDS = 8.0  # under the 10 s an action call may take (ACTION_TIMEOUT_SECONDS)
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def database_url() -> str:
    """The configured database URL (``DATABASE_URL`` from the environment or ``.env``, else the SQLite file)."""
    return load_settings().database_url


def safe_url(url: str) -> str:
    """The URL as it may be shown: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an invalid URL)"


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for ``url`` (default: the configured URL), created once per URL and then reused.

    SQLite: the file's folder is created, the connection may be used from any thread, the journal is WAL and foreign
    keys are enforced. PostgreSQL: connections are checked before use (``pool_pre_ping``).

    Raises:
        DatabaseUnavailable: the URL is invalid, its driver is missing, or the SQLite folder cannot be created.
    """
    url = url or database_url()
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            try:
                engine = _create_engine(url)
            except (ArgumentError, ImportError, OSError) as exc:
                logger.warning("cannot open database %s: %s", safe_url(url), mask_text(str(exc)))
                raise DatabaseUnavailable(f"cannot open the database {safe_url(url)}: {exc}") from exc
            _ENGINES[url] = engine
    return engine


def _create_engine(url: str) -> Engine:
    """A new engine for ``url``, set up for SQLite or PostgreSQL as :func:`get_engine` describes.

    No statement waits longer than :data:`STATEMENT_TIMEOUT_SECONDS`: PostgreSQL cancels it (``statement_timeout``,
    also for connecting), SQLite gives up waiting for another writer's lock (its busy timeout); either way the caller
    gets :class:`DatabaseUnavailable` and the user a polite answer, instead of a conversation stalled for minutes.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            milliseconds = int(STATEMENT_TIMEOUT_SECONDS * 1000)
            connect_args = {
                "connect_timeout": int(STATEMENT_TIMEOUT_SECONDS),
                "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
            }
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args)

    database = parsed.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in database
    if not memory:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": STATEMENT_TIMEOUT_SECONDS},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, so writes can take the lock first
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction takes SQLite's write lock at once; a deferred one could fail mid-way with "database
        # is locked" when another writer got there first. Readers keep reading in WAL mode meanwhile.
        write = connection.get_execution_options().get("cee_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (for tests and the end of the CLI)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be used (not a constraint or a programming error)."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return True
    if isinstance(exc, ProgrammingError):  # PostgreSQL: a table is missing (init was never run)
        return getattr(getattr(exc, "orig", None), "pgcode", None) == "42P01"
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@contextmanager
def session_scope(write: bool = False) -> Iterator[Session]:
    """A session in one transaction, committed at the end of the block and rolled back on any error.

    Only the modules of :mod:`bot.db` open sessions; what they return to callers are frozen records.

    Args:
        write: take SQLite's write lock when the transaction begins (for transactions that write).

    Raises:
        DatabaseUnavailable: for connection and operational errors (integrity errors pass through).
    """
    try:
        engine = get_engine()
        with Session(engine, future=True, expire_on_commit=False) as session:
            session.connection(execution_options={"cee_write": write})
            yield session
            session.commit()
    except DBAPIError as exc:
        if not _is_unavailable(exc):
            raise
        first_line = str(getattr(exc, "orig", exc)).strip().splitlines()[0:1]
        reason = mask_text(first_line[0]) if first_line else type(exc).__name__
        logger.warning("database unavailable: %s", reason)
        raise DatabaseUnavailable(f"the database is unavailable: {reason}") from exc
    except PoolTimeoutError as exc:
        logger.warning("database unavailable: connection pool exhausted")
        raise DatabaseUnavailable("the database is unavailable: too many connections in use") from exc


def init_db() -> None:
    """Create the tables that are missing and copy the ten Centers from ``knowledge/centers.yml``.

    Safe to run again: existing tables and rows are kept; Center names and cities are brought up to date.
    """
    from bot.knowledge import knowledge  # the knowledge files are read only here, not for every query

    centers = {c.code: c for c in knowledge().centers}
    try:
        Base.metadata.create_all(get_engine())
    except DBAPIError as exc:
        if _is_unavailable(exc):
            raise DatabaseUnavailable(f"cannot create the tables: {mask_text(str(exc.orig))}") from exc
        raise
    with session_scope(write=True) as session:
        existing = {row.code: row for row in session.scalars(select(CenterRow))}
        for code, center in centers.items():
            row = existing.get(code) or CenterRow(code=code)
            row.name, row.city = center.name, center.city
            session.add(row)
    logger.info("database ready: %s", safe_url(database_url()))

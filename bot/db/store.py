"""The one place with the database engine, sessions and queries.

Everything outside this module reads and writes the database through the typed functions below; they return plain
frozen dataclasses (never ORM objects), so callers never hold a session. Any failure to reach the database (it is
down, the URL is wrong, the tables were never created) is raised as :class:`DatabaseUnavailable`, so that the bot can
say "figures are unavailable right now" instead of crashing.

The functions block; async actions should run them off the event loop (``asyncio.to_thread`` or
``loop.run_in_executor``).

Fiscal years are U.S. federal fiscal years: FY2026 runs from October 2025 to September 2026 and its Q1 is
October-December 2025.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.pool import StaticPool

from bot.db.models import (
    METRICS,
    REQUEST_KINDS,
    REQUEST_STATUSES,
    SIZES,
    Base,
    CenterRow,
    FigureRow,
    ImporterRow,
    RequestEventRow,
    RequestRow,
    utcnow,
)
from bot.ior import IorKind, IorNumber, mask_text
from bot.settings import load_settings

logger = logging.getLogger(__name__)

# How a fiscal-year value is made from its quarters: flows (counts of things done in a quarter) are added up; stocks
# (counts of accounts or people at a point in time) are taken from the latest quarter loaded for that year.
FLOW_METRICS = ("entries", "post_entry_actions")
STOCK_METRICS = ("importers", "partner_accounts", "staff")
REF_PREFIXES = {"change_center": "CR", "outreach_call": "OC", "site_visit": "SV"}
SAMPLE_SOURCE = "sample data"
_CHUNK = 500  # keys per IN (...) query; well under SQLite's variable limit
_RETRIES = 10
_ADVISORY_LOCK = 0x43454547  # "CEEG": PostgreSQL advisory lock keys for request numbering, one per kind


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used right now (not reachable, misconfigured, or its tables are missing)."""


class UnknownRequest(LookupError):
    """No request has this reference."""


# -- records returned to callers ---------------------------------------------------------------------------------------
class Period(NamedTuple):
    """A U.S. federal fiscal quarter, e.g. ``Period(2026, 1)`` = October-December 2025."""

    fiscal_year: int
    quarter: int

    @classmethod
    def of(cls, day: dt.date) -> "Period":
        """The fiscal quarter a calendar day falls in."""
        fiscal_year = day.year + 1 if day.month >= 10 else day.year
        return cls(fiscal_year, (day.month - 10) % 12 // 3 + 1)

    @property
    def start(self) -> dt.date:
        """The first day of the quarter."""
        month = (self.quarter - 1) * 3 + 10
        year = self.fiscal_year - 1 if month <= 12 else self.fiscal_year
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> "Period":
        """The following quarter."""
        return Period(self.fiscal_year + 1, 1) if self.quarter == 4 else Period(self.fiscal_year, self.quarter + 1)

    def previous(self) -> "Period":
        """The quarter before."""
        return Period(self.fiscal_year - 1, 4) if self.quarter == 1 else Period(self.fiscal_year, self.quarter - 1)


@dataclass(frozen=True)
class ImporterRecord:
    """An importer of record and its Center."""

    ior: IorNumber
    name: str
    center_code: str
    primary_hts_chapter: str
    partner_account: bool
    size: str
    updated_at: dt.datetime
    source: str = ""


@dataclass(frozen=True)
class FigureRecord:
    """One Center's value of one metric for a quarter, or for a fiscal year made from the quarters loaded.

    Attributes:
        quarter: the quarter, or None for a fiscal-year value.
        quarters: how many quarters of the year are loaded and used (1 for a quarter).
        last_quarter: the latest quarter used (the quarter itself for a quarterly value).
        aggregate: ``"quarter"`` for a quarterly value; for a fiscal year ``"sum"`` (entries, post-entry actions:
            the total of the quarters) or ``"latest"`` (importers, partner accounts, staff: the value in the latest
            quarter loaded, since adding up head counts would count the same accounts several times).
        source: where the data came from, e.g. ``sample data`` or ``CBP data (figures.csv)``; several sources are
            joined with ``; ``.
    """

    center_code: str
    metric: str
    value: int
    fiscal_year: int
    quarter: Optional[int]
    quarters: int
    last_quarter: int
    aggregate: str
    source: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class TotalRecord:
    """A metric added up across the Centers that have data for the period."""

    metric: str
    value: int
    fiscal_year: int
    quarter: Optional[int]
    centers: int
    quarters: int
    aggregate: str
    source: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class RequestEvent:
    """One step of a request's status history."""

    status: str
    at: dt.datetime
    note: Optional[str]


@dataclass(frozen=True)
class RequestRecord:
    """A stored request.

    Attributes:
        created: True only when :func:`create_request` stored it in this call (False when it returned the request
            already stored under the same idempotency key).
    """

    ref: str
    kind: str
    status: str
    details: Dict[str, Any]
    contact_email: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: Tuple[RequestEvent, ...]
    idempotency_key: Optional[str] = None
    created: bool = False

    def __repr__(self) -> str:  # the details may hold an SSN-format IOR key: never show it in full
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__dataclass_fields__)
        return mask_text(f"RequestRecord({fields})")

    __str__ = __repr__


@dataclass(frozen=True)
class FigureInput:
    """One row of a figures import, already validated."""

    center_code: str
    fiscal_year: int
    quarter: int
    importers: int
    partner_accounts: int
    entries: int
    post_entry_actions: int
    staff: int


@dataclass(frozen=True)
class ImporterInput:
    """One row of an importers import, already validated."""

    ior: IorNumber
    name: str
    center_code: str
    primary_hts_chapter: str
    partner_account: bool
    size: str


@dataclass(frozen=True)
class UpsertResult:
    """What an import did."""

    inserted: int
    updated: int
    unchanged: int = 0


@dataclass(frozen=True)
class SeedResult:
    """What seeding a database with the sample data did."""

    figures: UpsertResult
    importers: UpsertResult


# -- engine and sessions -----------------------------------------------------------------------------------------------
_ENGINES: Dict[str, Engine] = {}
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
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = {"connect_timeout": 10} if parsed.get_backend_name() == "postgresql" else {}
        return create_engine(
            url, future=True, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )

    database = parsed.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in database
    if not memory:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": 30},
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
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return True
    if isinstance(exc, ProgrammingError):  # PostgreSQL: a table is missing (init was never run)
        return getattr(getattr(exc, "orig", None), "pgcode", None) == "42P01"
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@contextmanager
def _session(write: bool = False) -> Iterator[Session]:
    """A session in one transaction, committed at the end of the block and rolled back on any error.

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
    with _session(write=True) as session:
        existing = {row.code: row for row in session.scalars(select(CenterRow))}
        for code, center in centers.items():
            row = existing.get(code) or CenterRow(code=code)
            row.name, row.city = center.name, center.city
            session.add(row)
    logger.info("database ready: %s", safe_url(database_url()))


# -- Centers and importers ---------------------------------------------------------------------------------------------
def center_codes() -> List[str]:
    """The codes of the Centers in the database, in order."""
    with _session() as session:
        return list(session.scalars(select(CenterRow.code).order_by(CenterRow.code)))


def find_importer(ior: IorNumber) -> Optional[ImporterRecord]:
    """The importer with this IOR number, or None when it is not in the database."""
    with _session() as session:
        row = session.scalars(select(ImporterRow).where(ImporterRow.ior_key == ior.key)).first()
        return _importer_record(row) if row else None


def _importer_record(row: ImporterRow) -> ImporterRecord:
    return ImporterRecord(
        ior=IorNumber(IorKind(row.ior_kind), row.ior_key),
        name=row.name,
        center_code=row.center_code,
        primary_hts_chapter=row.primary_hts_chapter,
        partner_account=bool(row.partner_account),
        size=row.size,
        updated_at=row.updated_at,
        source=row.source,
    )


def count_importers(center_code: Optional[str] = None) -> int:
    """How many importers the database holds (for one Center, or in all)."""
    stmt = select(func.count(ImporterRow.id))
    if center_code:
        stmt = stmt.where(ImporterRow.center_code == center_code.upper())
    with _session() as session:
        return int(session.scalar(stmt) or 0)


# -- figures -----------------------------------------------------------------------------------------------------------
def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")


def _check_quarter(quarter: Optional[int]) -> None:
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1, 2, 3 or 4")


def latest_period(center_code: Optional[str] = None) -> Optional[Period]:
    """The latest fiscal quarter with figures (for one Center, or for any), or None when no figures are loaded."""
    stmt = select(FigureRow.fiscal_year, FigureRow.quarter)
    if center_code:
        stmt = stmt.where(FigureRow.center_code == center_code.upper())
    stmt = stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)
    with _session() as session:
        found = session.execute(stmt).first()
    return Period(int(found[0]), int(found[1])) if found else None


def _quarter_record(row: FigureRow, metric: str) -> FigureRecord:
    return FigureRecord(
        center_code=row.center_code,
        metric=metric,
        value=int(getattr(row, metric)),
        fiscal_year=row.fiscal_year,
        quarter=row.quarter,
        quarters=1,
        last_quarter=row.quarter,
        aggregate="quarter",
        source=row.source,
        loaded_at=row.loaded_at,
    )


def _year_record(rows: Sequence[FigureRow], metric: str) -> FigureRecord:
    """A fiscal-year value from one Center's quarter rows of that year (sorted by quarter)."""
    last = rows[-1]
    if metric in FLOW_METRICS:
        value, aggregate = sum(int(getattr(r, metric)) for r in rows), "sum"
    else:
        value, aggregate = int(getattr(last, metric)), "latest"
    return FigureRecord(
        center_code=last.center_code,
        metric=metric,
        value=value,
        fiscal_year=last.fiscal_year,
        quarter=None,
        quarters=len(rows),
        last_quarter=last.quarter,
        aggregate=aggregate,
        source=_join_sources(r.source for r in rows),
        loaded_at=max(r.loaded_at for r in rows),
    )


def _join_sources(sources: Any) -> str:
    return "; ".join(sorted(set(sources)))


def figure(
    center_code: str, metric: str, fy: Optional[int] = None, quarter: Optional[int] = None
) -> Optional[FigureRecord]:
    """A Center's value of a metric.

    Args:
        center_code: e.g. ``CEE010``.
        metric: one of importers, partner_accounts, entries, post_entry_actions, staff.
        fy: the fiscal year; None for the latest loaded.
        quarter: the quarter 1-4. With ``fy`` given and ``quarter`` None, the fiscal-year value made from the
            quarters loaded (see :class:`FigureRecord`); with neither, the Center's latest quarter; with only
            ``quarter``, that quarter of the latest fiscal year that has it.

    Returns:
        The value with its period and source, or None when there is no data for that period.
    """
    _check_metric(metric)
    _check_quarter(quarter)
    stmt = select(FigureRow).where(FigureRow.center_code == center_code.upper())
    with _session() as session:
        if fy is not None and quarter is None:
            rows = list(session.scalars(stmt.where(FigureRow.fiscal_year == fy).order_by(FigureRow.quarter)))
            return _year_record(rows, metric) if rows else None
        if fy is not None:
            stmt = stmt.where(FigureRow.fiscal_year == fy)
        if quarter is not None:
            stmt = stmt.where(FigureRow.quarter == quarter)
        stmt = stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)
        row = session.scalars(stmt).first()
        return _quarter_record(row, metric) if row else None


def _resolve_period(session: Session, fy: Optional[int], quarter: Optional[int]) -> Optional[Tuple[int, Optional[int]]]:
    """Fill in a missing fiscal year with the latest one loaded (that has ``quarter``, when given)."""
    if fy is not None:
        return fy, quarter
    stmt = select(FigureRow.fiscal_year, FigureRow.quarter)
    if quarter is not None:
        stmt = stmt.where(FigureRow.quarter == quarter)
    found = session.execute(stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)).first()
    return (int(found[0]), int(found[1])) if found else None


def _period_records(session: Session, metric: str, fy: int, quarter: Optional[int]) -> List[FigureRecord]:
    stmt = select(FigureRow).where(FigureRow.fiscal_year == fy)
    if quarter is not None:
        return [_quarter_record(r, metric) for r in session.scalars(stmt.where(FigureRow.quarter == quarter))]
    by_center: Dict[str, List[FigureRow]] = {}
    for row in session.scalars(stmt.order_by(FigureRow.center_code, FigureRow.quarter)):
        by_center.setdefault(row.center_code, []).append(row)
    return [_year_record(rows, metric) for rows in by_center.values()]


def ranking(metric: str, fy: Optional[int] = None, quarter: Optional[int] = None) -> List[FigureRecord]:
    """Every Center with data for the period, the largest value first (ties by Center code).

    The period is resolved as in :func:`figure`, except that with neither ``fy`` nor ``quarter`` it is the latest
    quarter loaded for any Center. Returns an empty list when there is no data for the period.
    """
    _check_metric(metric)
    _check_quarter(quarter)
    with _session() as session:
        period = _resolve_period(session, fy, quarter)
        if period is None:
            return []
        records = _period_records(session, metric, *period)
    return sorted(records, key=lambda r: (-r.value, r.center_code))


def totals(metric: str, fy: Optional[int] = None, quarter: Optional[int] = None) -> Optional[TotalRecord]:
    """A metric added up across all Centers with data for the period (resolved as in :func:`ranking`)."""
    records = ranking(metric, fy, quarter)
    if not records:
        return None
    first = records[0]
    return TotalRecord(
        metric=metric,
        value=sum(r.value for r in records),
        fiscal_year=first.fiscal_year,
        quarter=first.quarter,
        centers=len(records),
        quarters=max(r.quarters for r in records),
        aggregate=first.aggregate,
        source=_join_sources(s for r in records for s in r.source.split("; ")),
        loaded_at=max(r.loaded_at for r in records),
    )


def series(center_code: str, metric: str, last_n: int = 8) -> List[FigureRecord]:
    """A Center's quarterly values of a metric, oldest first, for its latest ``last_n`` quarters loaded."""
    _check_metric(metric)
    stmt = (
        select(FigureRow)
        .where(FigureRow.center_code == center_code.upper())
        .order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc())
        .limit(max(last_n, 0))
    )
    with _session() as session:
        rows = list(session.scalars(stmt))
    return [_quarter_record(r, metric) for r in reversed(rows)]


# -- imports -----------------------------------------------------------------------------------------------------------
def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upsert_figures(session: Session, rows: Sequence[FigureInput], source: str) -> UpsertResult:
    existing: Dict[Tuple[str, int, int], FigureRow] = {}
    for year in sorted({r.fiscal_year for r in rows}):
        for row in session.scalars(select(FigureRow).where(FigureRow.fiscal_year == year)):
            existing[(row.center_code, row.fiscal_year, row.quarter)] = row
    inserted = updated = unchanged = 0
    now = utcnow()
    for item in rows:
        values = {metric: getattr(item, metric) for metric in METRICS}
        row = existing.get((item.center_code, item.fiscal_year, item.quarter))
        if row is None:
            session.add(
                FigureRow(
                    center_code=item.center_code,
                    fiscal_year=item.fiscal_year,
                    quarter=item.quarter,
                    source=source,
                    loaded_at=now,
                    **values,
                )
            )
            inserted += 1
        elif row.source == source and all(getattr(row, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.source, row.loaded_at = source, now
            updated += 1
    session.flush()
    return UpsertResult(inserted, updated, unchanged)


def _upsert_importers(session: Session, rows: Sequence[ImporterInput], source: str) -> UpsertResult:
    existing: Dict[str, ImporterRow] = {}
    keys = [r.ior.key for r in rows]
    for chunk in _chunks(keys):
        for row in session.scalars(select(ImporterRow).where(ImporterRow.ior_key.in_(chunk))):
            existing[row.ior_key] = row
    inserted = updated = unchanged = 0
    now = utcnow()
    for item in rows:
        values = {
            "ior_kind": item.ior.kind.value,
            "name": item.name,
            "center_code": item.center_code,
            "primary_hts_chapter": item.primary_hts_chapter,
            "partner_account": item.partner_account,
            "size": item.size,
            "source": source,
        }
        row = existing.get(item.ior.key)
        if row is None:
            session.add(ImporterRow(ior_key=item.ior.key, updated_at=now, **values))
            inserted += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            updated += 1
    session.flush()
    return UpsertResult(inserted, updated, unchanged)


def _check_inputs(figures: Sequence[FigureInput] = (), importers: Sequence[ImporterInput] = ()) -> None:
    for f in figures:
        _check_quarter(f.quarter)
        if any(getattr(f, m) < 0 for m in METRICS):
            raise ValueError("counts must not be negative")
    for i in importers:
        if i.size not in SIZES:
            raise ValueError(f"size must be one of {', '.join(SIZES)}")


def upsert_figures(rows: Sequence[FigureInput], source: str) -> UpsertResult:
    """Insert or update Center figures by Center, fiscal year and quarter, all in one transaction.

    Args:
        rows: validated rows (see :mod:`bot.db.importer` for reading them from a CSV file).
        source: the label shown with every figure, e.g. ``CBP data (figures.csv)``.

    Raises:
        DatabaseUnavailable: the database cannot be reached; nothing was changed.
        sqlalchemy.exc.IntegrityError: a row breaks a constraint (e.g. an unknown Center); nothing was changed.
    """
    _check_inputs(figures=rows)
    with _session(write=True) as session:
        return _upsert_figures(session, rows, source)


def upsert_importers(rows: Sequence[ImporterInput], source: str) -> UpsertResult:
    """Insert or update importers by IOR number, all in one transaction (errors as in :func:`upsert_figures`)."""
    _check_inputs(importers=rows)
    with _session(write=True) as session:
        return _upsert_importers(session, rows, source)


def is_empty() -> bool:
    """True when the database holds no figures and no importers."""
    with _session() as session:
        return _is_empty(session)


def _is_empty(session: Session) -> bool:
    has_figures = session.scalars(select(FigureRow.id).limit(1)).first() is not None
    return not has_figures and session.scalars(select(ImporterRow.id).limit(1)).first() is None


def seed(
    figures: Sequence[FigureInput], importers: Sequence[ImporterInput], source: str = SAMPLE_SOURCE
) -> Optional[SeedResult]:
    """Load figures and importers into an empty database, in one transaction.

    Returns:
        What was loaded, or None when the database already held figures or importers (nothing is changed then).
    """
    _check_inputs(figures, importers)
    try:
        with _session(write=True) as session:
            if not _is_empty(session):
                return None
            return SeedResult(_upsert_figures(session, figures, source), _upsert_importers(session, importers, source))
    except IntegrityError:
        if not is_empty():  # another process seeded it at the same moment
            return None
        raise


# -- requests ----------------------------------------------------------------------------------------------------------
def _request_record(row: RequestRow, created: bool = False) -> RequestRecord:
    return RequestRecord(
        ref=row.ref,
        kind=row.kind,
        status=row.status,
        details=json.loads(row.details),
        contact_email=row.contact_email,
        created_at=row.created_at,
        updated_at=row.updated_at,
        history=tuple(RequestEvent(e.status, e.at, e.note) for e in row.events),
        idempotency_key=row.idempotency_key,
        created=created,
    )


def _normalise_ref(ref: str) -> str:
    return "".join((ref or "").split()).upper()


def _lock_numbering(session: Session, kind: str) -> None:
    """Let one transaction at a time number requests of a kind (SQLite: the write transaction already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK + REQUEST_KINDS.index(kind))))


def create_request(
    kind: str, details: Mapping[str, Any], contact_email: str, idempotency_key: Optional[str] = None
) -> RequestRecord:
    """Store a request and give it a reference such as ``CR-2026-000123``.

    The reference is the kind's prefix (change_center CR, outreach_call OC, site_visit SV), the calendar year (UTC)
    and a 6-digit sequence per kind and year.

    Args:
        kind: change_center, outreach_call or site_visit.
        details: the form's answers (JSON-serialisable). An SSN-format IOR should be stored as its key only.
        contact_email: where CBP answers.
        idempotency_key: e.g. the conversation id and the confirmation's message id. When a request with this key
            exists, it is returned (with ``created=False``) instead of storing a second one; this holds also for
            two processes confirming at the same moment.

    Raises:
        ValueError: unknown kind, details not a mapping, or an empty email.
        TypeError: a value in details cannot be written as JSON.
        DatabaseUnavailable: the database cannot be reached.
    """
    if kind not in REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}; use one of {', '.join(REQUEST_KINDS)}")
    if not isinstance(details, Mapping):
        raise ValueError("details must be a mapping of the form's answers")
    if not (contact_email or "").strip():
        raise ValueError("a contact email is required")
    details_json = json.dumps(dict(details), sort_keys=True, ensure_ascii=False)
    last_error: Optional[IntegrityError] = None
    for _attempt in range(_RETRIES):
        try:
            with _session(write=True) as session:
                _lock_numbering(session, kind)
                if idempotency_key:
                    found = session.scalars(
                        select(RequestRow)
                        .options(selectinload(RequestRow.events))
                        .where(RequestRow.idempotency_key == idempotency_key)
                    ).first()
                    if found:
                        return _request_record(found)
                now = utcnow()
                latest = session.scalar(
                    select(func.max(RequestRow.sequence)).where(RequestRow.kind == kind, RequestRow.year == now.year)
                )
                sequence = int(latest or 0) + 1
                row = RequestRow(
                    ref=f"{REF_PREFIXES[kind]}-{now.year}-{sequence:06d}",
                    kind=kind,
                    year=now.year,
                    sequence=sequence,
                    status="submitted",
                    details=details_json,
                    contact_email=contact_email.strip(),
                    idempotency_key=idempotency_key or None,
                    created_at=now,
                    updated_at=now,
                    events=[RequestEventRow(status="submitted", at=now, note=None)],
                )
                session.add(row)
                session.flush()
                record = _request_record(row, created=True)
            logger.info("request %s stored", record.ref)
            return record
        except IntegrityError as exc:  # the same key or the same sequence number was taken meanwhile: look again
            last_error = exc
    raise DatabaseUnavailable("could not store the request: the reference numbers are busy") from last_error


def get_request(ref: str) -> Optional[RequestRecord]:
    """The request with this reference (any letter case, spaces ignored), or None."""
    with _session() as session:
        row = session.scalars(
            select(RequestRow).options(selectinload(RequestRow.events)).where(RequestRow.ref == _normalise_ref(ref))
        ).first()
        return _request_record(row) if row else None


def set_status(ref: str, status: str, note: Optional[str] = None) -> RequestRecord:
    """Change a request's status and add the change to its history.

    Raises:
        ValueError: the status is not submitted, under_review or closed.
        UnknownRequest: no request has this reference.
    """
    if status not in REQUEST_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(REQUEST_STATUSES)}")
    with _session(write=True) as session:
        row = session.scalars(
            select(RequestRow).options(selectinload(RequestRow.events)).where(RequestRow.ref == _normalise_ref(ref))
        ).first()
        if row is None:
            raise UnknownRequest(_normalise_ref(ref))
        now = utcnow()
        row.status, row.updated_at = status, now
        row.events.append(RequestEventRow(status=status, at=now, note=(note or "").strip() or None))
        session.flush()
        return _request_record(row)


def export_requests(kind: Optional[str] = None, since: Optional[dt.date] = None) -> List[RequestRecord]:
    """Requests, oldest first, optionally of one kind and created on or after a day (UTC).

    The records hold the details as stored; anything printed from them must be masked (``bot.ior.mask_text``).
    """
    if kind is not None and kind not in REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}; use one of {', '.join(REQUEST_KINDS)}")
    stmt = select(RequestRow).options(selectinload(RequestRow.events))
    if kind:
        stmt = stmt.where(RequestRow.kind == kind)
    if since:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc)
        stmt = stmt.where(RequestRow.created_at >= start)
    with _session() as session:
        return [_request_record(row) for row in session.scalars(stmt.order_by(RequestRow.created_at, RequestRow.id))]

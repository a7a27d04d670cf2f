"""Read queries: the Centers, importers and Center figures, returned as frozen records.

The functions block; async actions should run them off the event loop (``asyncio.to_thread`` or
``loop.run_in_executor``).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.aggregate import join_sources, quarter_record, year_record
from bot.db.engine import session_scope
from bot.db.models import CenterRow, FigureRow, ImporterRow
from bot.db.records import FigureRecord, ImporterRecord, TotalRecord, check_metric
from bot.fiscal import Period, check_quarter
from bot.ior import IorKind, IorNumber


# -- Centers and importers ---------------------------------------------------------------------------------------------
def center_codes() -> list[str]:
    """The codes of the Centers in the database, in order."""
    with session_scope() as session:
        return list(session.scalars(select(CenterRow.code).order_by(CenterRow.code)))


def find_importer(ior: IorNumber) -> Optional[ImporterRecord]:
    """The importer with this IOR number, or None when it is not in the database."""
    with session_scope() as session:
        row = session.scalars(select(ImporterRow).where(ImporterRow.ior_key == ior.key)).first()
        return _importer_record(row) if row else None


def _importer_record(row: ImporterRow) -> ImporterRecord:
    """The frozen record of an importer row."""
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
    with session_scope() as session:
        return int(session.scalar(stmt) or 0)


# -- figures -----------------------------------------------------------------------------------------------------------
def latest_period(center_code: Optional[str] = None) -> Optional[Period]:
    """The latest fiscal quarter with figures (for one Center, or for any), or None when no figures are loaded."""
    stmt = select(FigureRow.fiscal_year, FigureRow.quarter)
    if center_code:
        stmt = stmt.where(FigureRow.center_code == center_code.upper())
    stmt = stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)
    with session_scope() as session:
        found = session.execute(stmt).first()
    return Period(int(found[0]), int(found[1])) if found else None


def figure(
    center_code: str, metric: str, fy: Optional[int] = None, quarter: Optional[int] = None
) -> Optional[FigureRecord]:
    """A Center's value of a metric.

    Args:
        center_code: e.g. ``CEE010``.
        metric: one of importers, partner_accounts, entries, post_entry_actions, staff.
        fy: the fiscal year; None for the latest loaded.
        quarter: the quarter 1-4. With ``fy`` given and ``quarter`` None, the fiscal-year value made from the
            quarters loaded (see :class:`bot.db.records.FigureRecord`); with neither, the Center's latest quarter;
            with only ``quarter``, that quarter of the latest fiscal year that has it.

    Returns:
        The value with its period and source, or None when there is no data for that period.
    """
    check_metric(metric)
    check_quarter(quarter)
    stmt = select(FigureRow).where(FigureRow.center_code == center_code.upper())
    with session_scope() as session:
        if fy is not None and quarter is None:
            rows = list(session.scalars(stmt.where(FigureRow.fiscal_year == fy).order_by(FigureRow.quarter)))
            return year_record(rows, metric) if rows else None
        if fy is not None:
            stmt = stmt.where(FigureRow.fiscal_year == fy)
        if quarter is not None:
            stmt = stmt.where(FigureRow.quarter == quarter)
        stmt = stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)
        row = session.scalars(stmt).first()
        return quarter_record(row, metric) if row else None


def _resolve_period(session: Session, fy: Optional[int], quarter: Optional[int]) -> Optional[tuple[int, Optional[int]]]:
    """Fill in a missing fiscal year with the latest one loaded (that has ``quarter``, when given)."""
    if fy is not None:
        return fy, quarter
    stmt = select(FigureRow.fiscal_year, FigureRow.quarter)
    if quarter is not None:
        stmt = stmt.where(FigureRow.quarter == quarter)
    found = session.execute(stmt.order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc()).limit(1)).first()
    return (int(found[0]), int(found[1])) if found else None


def _period_records(session: Session, metric: str, fy: int, quarter: Optional[int]) -> list[FigureRecord]:
    """Every Center's value for a quarter, or for a fiscal year when ``quarter`` is None."""
    stmt = select(FigureRow).where(FigureRow.fiscal_year == fy)
    if quarter is not None:
        return [quarter_record(r, metric) for r in session.scalars(stmt.where(FigureRow.quarter == quarter))]
    by_center: dict[str, list[FigureRow]] = {}
    for row in session.scalars(stmt.order_by(FigureRow.center_code, FigureRow.quarter)):
        by_center.setdefault(row.center_code, []).append(row)
    return [year_record(rows, metric) for rows in by_center.values()]


def ranking(metric: str, fy: Optional[int] = None, quarter: Optional[int] = None) -> list[FigureRecord]:
    """Every Center with data for the period, the largest value first (ties by Center code).

    The period is resolved as in :func:`figure`, except that with neither ``fy`` nor ``quarter`` it is the latest
    quarter loaded for any Center. Returns an empty list when there is no data for the period.
    """
    check_metric(metric)
    check_quarter(quarter)
    with session_scope() as session:
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
        source=join_sources(s for r in records for s in r.source.split("; ")),
        loaded_at=max(r.loaded_at for r in records),
    )


def series(center_code: str, metric: str, last_n: int = 8) -> list[FigureRecord]:
    """A Center's quarterly values of a metric, oldest first, for its latest ``last_n`` quarters loaded."""
    check_metric(metric)
    stmt = (
        select(FigureRow)
        .where(FigureRow.center_code == center_code.upper())
        .order_by(FigureRow.fiscal_year.desc(), FigureRow.quarter.desc())
        .limit(max(last_n, 0))
    )
    with session_scope() as session:
        rows = list(session.scalars(stmt))
    return [quarter_record(r, metric) for r in reversed(rows)]

"""Writes of Center figures and importers: imports (insert or update, one transaction each) and seeding.

The rows come validated from :mod:`bot.db.importer` (CSV files) or from the sample data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import FigureRow, ImporterRow, utcnow
from bot.db.records import FigureInput, ImporterInput, SeedResult, UpsertResult
from bot.fiscal import check_quarter
from bot.vocab import METRICS, SIZES

SAMPLE_SOURCE = "sample data"
_CHUNK = 500  # keys per IN (...) query; well under SQLite's variable limit


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``_CHUNK``."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upsert_figures(session: Session, rows: Sequence[FigureInput], source: str) -> UpsertResult:
    """Insert or update figure rows by Center, fiscal year and quarter in ``session`` (not committed)."""
    existing: dict[tuple[str, int, int], FigureRow] = {}
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
    """Insert or update importer rows by IOR key in ``session`` (not committed)."""
    existing: dict[str, ImporterRow] = {}
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
    """Refuse rows the tables would refuse (a quarter outside 1-4, a negative count, an unknown size).

    Raises:
        ValueError: the first such row found.
    """
    for f in figures:
        check_quarter(f.quarter)
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
    with session_scope(write=True) as session:
        return _upsert_figures(session, rows, source)


def upsert_importers(rows: Sequence[ImporterInput], source: str) -> UpsertResult:
    """Insert or update importers by IOR number, all in one transaction (errors as in :func:`upsert_figures`)."""
    _check_inputs(importers=rows)
    with session_scope(write=True) as session:
        return _upsert_importers(session, rows, source)


def is_empty() -> bool:
    """True when the database holds no figures and no importers."""
    with session_scope() as session:
        return _is_empty(session)


def _is_empty(session: Session) -> bool:
    """:func:`is_empty` inside an open session."""
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
        with session_scope(write=True) as session:
            if not _is_empty(session):
                return None
            return SeedResult(_upsert_figures(session, figures, source), _upsert_importers(session, importers, source))
    except IntegrityError:
        if not is_empty():  # another process seeded it at the same moment
            return None
        raise

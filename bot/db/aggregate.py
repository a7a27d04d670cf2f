"""How a figure record is made from the stored quarter rows: a quarter's value, or a fiscal year's sum or latest value.

Pure functions on rows already read; the queries that read them are in :mod:`bot.db.queries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.db.models import FigureRow
from bot.db.records import FigureRecord
from bot.vocab import FLOW_METRICS


def quarter_record(row: FigureRow, metric: str) -> FigureRecord:
    """A Center's value of ``metric`` for the quarter of ``row``."""
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


def year_record(rows: Sequence[FigureRow], metric: str) -> FigureRecord:
    """A fiscal-year value from one Center's quarter rows of that year (sorted by quarter).

    Flows (counts of things done in a quarter, :data:`bot.vocab.FLOW_METRICS`) are added up; stocks (counts of
    accounts or people at a point in time) are taken from the latest quarter loaded for that year.
    """
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
        source=join_sources(r.source for r in rows),
        loaded_at=max(r.loaded_at for r in rows),
    )


def join_sources(sources: Iterable[str]) -> str:
    """The distinct source labels, sorted and joined with ``; ``."""
    return "; ".join(sorted(set(sources)))

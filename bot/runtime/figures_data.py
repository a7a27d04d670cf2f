"""What the figures page shows (``/figures``), read from the database: every Center's latest figures and the trend.

:func:`snapshot` reads the database through :mod:`bot.db.store` (blocking: call it off the event loop) and keeps the
result for :data:`TTL_SECONDS`, so that one page view (the page and its chart images) reads the database once, and an
import shows on the page within that time, with no restart. :attr:`Snapshot.digest` changes whenever the data
shown changes; the chart images are cached under it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from bot.db import store
from bot.fiscal import Period
from bot.knowledge import knowledge
from bot.vocab import METRICS

TTL_SECONDS = 2.0
# The trend covers the stored quarters, at most this many (three fiscal years), oldest first.
TREND_QUARTERS = 12


@dataclass(frozen=True)
class CenterFigures:
    """One Center's latest figures: ``values[metric]`` is None when the Center has no figure for the period."""

    code: str
    name: str
    values: dict[str, Optional[int]]


@dataclass(frozen=True)
class Snapshot:
    """The figures the page shows.

    Attributes:
        latest: the latest quarter with figures (None: no figures are loaded).
        centers: every Center in the database with its figures for ``latest``, in the order of the codes.
        periods: the quarters of the trend, oldest first.
        trend: ``trend[metric][code]``: the Center's values for ``periods`` (None where it has none).
        sources: the distinct sources of the latest figures.
        loaded_at: when the latest figures were last imported.
        digest: a short hash of everything above.
    """

    latest: Optional[Period]
    centers: tuple[CenterFigures, ...] = ()
    periods: tuple[Period, ...] = ()
    trend: dict[str, dict[str, tuple[Optional[int], ...]]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    loaded_at: Optional[dt.datetime] = None
    digest: str = ""


def center_name(code: str) -> str:
    """A Center's name from ``knowledge/centers.yml`` (its code when knowledge does not have it)."""
    try:
        return knowledge().center(code).name
    except KeyError:
        return code


def read_snapshot() -> Snapshot:
    """Read the figures from the database now.

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    latest = store.latest_period()
    if latest is None:
        return Snapshot(latest=None, digest=_digest(None))
    codes = store.center_codes()
    records = {m: {r.center_code: r for r in store.ranking(m, latest.fiscal_year, latest.quarter)} for m in METRICS}
    centers = tuple(
        CenterFigures(code, center_name(code), {m: _value(records[m].get(code)) for m in METRICS}) for code in codes
    )
    series = {(code, m): store.series(code, m, TREND_QUARTERS) for code in codes for m in METRICS}
    found = {Period(r.fiscal_year, r.quarter or 0) for rows in series.values() for r in rows}
    periods = tuple(sorted(found)[-TREND_QUARTERS:])
    trend: dict[str, dict[str, tuple[Optional[int], ...]]] = {}
    for metric in METRICS:
        trend[metric] = {}
        for code in codes:
            by_period = {Period(r.fiscal_year, r.quarter or 0): r.value for r in series[code, metric]}
            trend[metric][code] = tuple(by_period.get(p) for p in periods)
    latest_records = [r for by_center in records.values() for r in by_center.values()]
    sources = tuple(sorted({s for r in latest_records for s in r.source.split("; ") if s}))
    loaded_at = max((r.loaded_at for r in latest_records), default=None)
    parts = (latest, centers, periods, sorted((m, sorted(t.items())) for m, t in trend.items()), sources, loaded_at)
    return Snapshot(latest, centers, periods, trend, sources, loaded_at, _digest(parts))


def _value(record: Optional[store.FigureRecord]) -> Optional[int]:
    return None if record is None else record.value


def _digest(parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


_lock = threading.Lock()
_cached: dict[str, tuple[float, Snapshot]] = {}


def snapshot(ttl: float = TTL_SECONDS) -> Snapshot:
    """The figures, read from the database at most ``ttl`` seconds ago (per database URL).

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    url = store.database_url()
    with _lock:
        found = _cached.get(url)
        if found and time.monotonic() - found[0] < ttl:
            return found[1]
        fresh = read_snapshot()
        _cached[url] = (time.monotonic(), fresh)
        return fresh


def clear_cache() -> None:
    """Forget the figures read (for tests)."""
    with _lock:
        _cached.clear()

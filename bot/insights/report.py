"""The staff report of a period: read the tracker store and the database, build the tables and the charts.

:func:`build` is what both ``python -m bot.insights`` and the staff page (:mod:`bot.channels.staff`) call; the
period is the ``days`` days up to now (UTC). A part that cannot be read (the database down) is left out of the report
with a note saying so, rather than failing the whole report.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.engine import Engine

from bot.db import store
from bot.insights import charts, database, events, similar, tables, timing
from bot.insights.charts import Chart
from bot.insights.tables import Table
from bot.knowledge import knowledge

logger = logging.getLogger(__name__)
MAX_DAYS = 3660


@dataclass(frozen=True)
class Report:
    """A built report: its period (UTC), tables and charts in the order shown, notes, and how long it took."""

    since: dt.datetime
    until: dt.datetime
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    notes: tuple[str, ...]
    seconds: float

    def table(self, name: str) -> Optional[Table]:
        """The table called ``name``, or None."""
        return next((t for t in self.tables if t.name == name), None)

    def chart(self, name: str) -> Optional[Chart]:
        """The chart called ``name``, or None."""
        return next((c for c in self.charts if c.name == name), None)


def build(engine: Optional[Engine], days: int, now: Optional[float] = None) -> Report:
    """The report of the ``days`` days up to ``now`` (Unix seconds; default: the clock).

    Args:
        engine: the tracker store's engine; None when it is not an SQL database (the conversation parts are left out).
        days: the period's length, 1 to :data:`MAX_DAYS`.
        now: the end of the period.

    Raises:
        ValueError: a period out of range.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"the period must be 1 to {MAX_DAYS} days, not {days}")
    started = time.perf_counter()
    until = time.time() if now is None else now
    period = events.Period(until - days * 86_400, until)
    since_dt, until_dt = (dt.datetime.fromtimestamp(t, dt.timezone.utc) for t in (period.since, period.until))
    notes: list[str] = []
    questions: list[tuple[str, str]] = []
    built: list[Table] = []
    if engine is None:
        notes.append("The tracker store is not an SQL database: conversations are left out.")
    else:
        built += _conversation_tables(engine, period, questions)
    try:
        records = database.feedback(since_dt, until_dt)
        questions += [(f.question, "not_helpful") for f in records if not f.helpful and f.question]
        built.append(tables.feedback_table((f.answer_id, f.helpful) for f in records))
    except store.DatabaseUnavailable:
        notes.append("Feedback could not be read from the database: it is left out.")
    try:
        built.append(tables.requests_table(database.request_rows(since_dt, until_dt)))
    except store.DatabaseUnavailable:
        notes.append("Requests could not be read from the database: they are left out.")
    built.insert(min(4, len(built)), tables.unanswered_table(similar.group(questions)))
    report_tables = tuple(built)
    return Report(
        since_dt, until_dt, report_tables, _charts(report_tables), tuple(notes), time.perf_counter() - started
    )


def _conversation_tables(engine: Engine, period: events.Period, questions: list[tuple[str, str]]) -> list[Table]:
    """The tables read from the tracker store; the fallback questions are added to ``questions``."""
    kb = knowledge()
    daily, by_channel = tables.traffic_tables(events.traffic(engine, period))
    intents = tables.counted(
        "top_intents",
        "Top intents",
        f"The {tables.TOP} intents users' messages were read as",
        "Intent",
        events.intents(engine, period),
    )
    faq = tables.faq_table(events.faq_answers(engine, period), {a.id: a.title for a in kb.articles})
    questions += [(words, "fallback") for _, words in events.unanswered(engine, period) if words]
    demand = tables.demand_table(events.center_demand(engine, period), {c.code: c.name for c in kb.centers})
    spread, slowest_table = timing.tables_of(engine, period)
    return [by_channel, daily, intents, faq, demand, spread, slowest_table]


def _charts(report_tables: tuple[Table, ...]) -> tuple[Chart, ...]:
    """The charts of the tables that have one (and rows to draw)."""
    drawn = []
    for table in report_tables:
        if not table.rows:
            continue
        if table.name == "traffic_by_day":
            drawn.append(charts.stacked(table, 0, 1, 3, "messages"))
        elif table.name in ("top_intents", "top_faq", "unanswered", "center_demand", "answer_times"):
            value = {"top_faq": 2, "center_demand": len(table.columns) - 1}.get(table.name, 1)
            unit = {"top_faq": "answers", "center_demand": "questions", "answer_times": "answers"}.get(
                table.name, "messages"
            )
            drawn.append(charts.bars(table, 1 if table.name == "top_faq" else 0, value, unit))
        elif table.name == "requests":
            drawn.append(charts.stacked(table, 0, 2, 3, "requests"))
    return tuple(drawn)

"""Center figures from the database: one figure, rankings, totals across Centers, and one Center over time.

Every answer names the Center, the metric, the period and the source of the data ("sample data" until CBP data is
loaded). The database is read on every question, so figures imported while the bot runs show up at once.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import re
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import replies
from bot.actions.charts import bar_chart
from bot.db import store
from bot.db.store import FigureRecord, Period
from bot.knowledge import Center, knowledge

logger = logging.getLogger(__name__)

T = TypeVar("T")

METRICS: Dict[str, str] = {
    "importers": "importers",
    "partner_accounts": "partner accounts",
    "entries": "entries",
    "post_entry_actions": "post-entry actions",
    "staff": "CBP staff",
}
_METRIC_WORDS: List[Tuple[str, str]] = [
    (r"partner", "partner_accounts"),
    (r"post[\s-]*(entry|summary)", "post_entry_actions"),
    (r"importer", "importers"),
    (r"entr(y|ies)", "entries"),
    (r"staff|employee|personnel|headcount|officer|people", "staff"),
]
_FEWEST = re.compile(r"\b(least|fewest|lowest|smallest|minimum|bottom|less)\b", re.IGNORECASE)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def metric_of(text: Optional[str]) -> Optional[str]:
    """The metric key for words such as "partner accounts" or "employees"."""
    for pattern, metric in _METRIC_WORDS:
        if text and re.search(pattern, text, re.IGNORECASE):
            return metric
    return None


def parse_period(text: Optional[str], latest: Optional[Period]) -> Tuple[Optional[int], Optional[int]]:
    """A fiscal year and quarter from words such as "Q3 FY2025", "fiscal year 2024" or "last quarter".

    Args:
        text: the period as the user wrote it (None: the latest period).
        latest: the latest quarter with data, for relative periods.

    Returns:
        ``(fiscal_year, quarter)``; either may be None (see :func:`bot.db.store.figure` for what that means).
    """
    if not text:
        return None, None
    t = text.lower()
    relative = re.search(r"\b(last|this|previous|latest|current|past|most recent|prior)\b", t)
    if relative and latest:
        back = relative.group(1) in ("previous", "prior")
        if "quarter" in t:
            period = latest.previous() if back else latest
            return period.fiscal_year, period.quarter
        return (latest.fiscal_year - 1 if back else latest.fiscal_year), None
    year = re.search(r"(?:fy\s*-?|fiscal year\s*|\b)(\d{4}|\d{2})\b", t)
    fiscal_year = None
    if year:
        fiscal_year = int(year.group(1))
        fiscal_year += 2000 if fiscal_year < 100 else 0
    quarter_match = re.search(r"\bq\s*([1-4])\b|quarter\s*([1-4])\b", t)
    quarter = int(next(g for g in quarter_match.groups() if g)) if quarter_match else None
    for word, number in _ORDINALS.items():
        if re.search(rf"\b{word}\s+quarter", t):
            quarter = number
    return fiscal_year, quarter


def period_label(fiscal_year: int, quarter: Optional[int]) -> str:
    """``FY2026 Q1 (Oct–Dec 2025)`` or ``FY2026``."""
    if quarter is None:
        return f"FY{fiscal_year}"
    period = Period(fiscal_year, quarter)
    return f"FY{fiscal_year} Q{quarter} ({period.start:%b}–{period.end:%b %Y})"


def record_period(record: FigureRecord) -> str:
    """The period of a figure, saying how a fiscal-year value was made."""
    if record.quarter is not None:
        return period_label(record.fiscal_year, record.quarter)
    if record.aggregate == "sum":
        return f"FY{record.fiscal_year} (total of the {record.quarters} quarter(s) loaded, to Q{record.last_quarter})"
    return f"FY{record.fiscal_year} (as of Q{record.last_quarter})"


def source_line(source: str) -> str:
    """Where the figures come from, with the sample-data warning where it applies."""
    if "sample" in source.lower():
        return (
            "Source: sample data (fictional, for demonstration). CBP publishes no per-Center figures; "
            "these will be replaced when CBP loads real data."
        )
    return f"Source: {source}."


async def _query(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking store query in a worker thread, so that other conversations go on meanwhile."""
    return await asyncio.to_thread(function, *args)


class FiguresAction(Action, abc.ABC):
    """Base of the figures actions: answers from the database and says so when the database is down."""

    @abc.abstractmethod
    def name(self) -> Text:
        """The action's name (subclasses); being abstract, this base class is not registered as an action."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            await self.answer(dispatcher, tracker)
        except store.DatabaseUnavailable:
            logger.warning("Figures unavailable: the database cannot be reached")
            dispatcher.utter_message(text=replies.database_down())
        return []

    @abc.abstractmethod
    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Send the answer (subclasses)."""


def _metric_or_ask(dispatcher: CollectingDispatcher, tracker: Tracker, template: str) -> Optional[str]:
    """The metric asked about; when there is none, ask for it with one button per metric."""
    metric = metric_of(" ".join(replies.entity_values(tracker, "metric"))) or metric_of(
        tracker.latest_message.get("text")
    )
    if metric is None:
        dispatcher.utter_message(
            text="Which figure would you like? I have importers, partner accounts, entries, post-entry actions and "
            "CBP staff per Center.",
            buttons=[{"title": label.capitalize(), "payload": template.format(metric=label)} for label in METRICS.values()],
        )
    return metric


def _no_data(dispatcher: CollectingDispatcher, fy: Optional[int], quarter: Optional[int], latest: Optional[Period]) -> None:
    asked = f"FY{fy}" if fy else "that period"
    asked += f" Q{quarter}" if quarter else ""
    have = f" The latest figures are for {period_label(*latest)}." if latest else ""
    dispatcher.utter_message(text=f"I have no Center figures for {asked}.{have}")


def _ranking_chart(records: List[FigureRecord], metric: str, period: str) -> Dict[str, Any]:
    kb = knowledge()
    labels = [kb.center(r.center_code).name for r in records]
    return bar_chart(f"{METRICS[metric].capitalize()} by Center, {period}", labels, [r.value for r in records], METRICS[metric])


class ActionFigure(FiguresAction):
    """One Center's figure for a metric, for the latest period or a named one (all Centers when none is named)."""

    def name(self) -> Text:
        return "action_figure"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        centers = replies.mentioned_centers(tracker)
        center_words = f"the {centers[0].name} Center" if centers else "each Center"
        metric = _metric_or_ask(dispatcher, tracker, f"How many {{metric}} does {center_words} have?")
        if metric is None:
            return
        latest = await _query(store.latest_period)
        fy, quarter = parse_period(replies.first_entity(tracker, "period"), latest)
        if not centers:
            await send_ranking(dispatcher, metric, fy, quarter, latest, fewest=False)
            return
        for center in centers:
            record = await _query(store.figure, center.code, metric, fy, quarter)
            if record is None:
                _no_data(dispatcher, fy, quarter, latest)
                continue
            dispatcher.utter_message(
                text=f"The **{center.label}** had **{replies.number(record.value)} {METRICS[metric]}** in "
                f"{record_period(record)}.\n{source_line(record.source)}"
            )


class ActionRanking(FiguresAction):
    """Which Center has the most (or the least) of a metric, with the full ranking."""

    def name(self) -> Text:
        return "action_ranking"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        metric = _metric_or_ask(dispatcher, tracker, "Which Center has the most {metric}?")
        if metric is None:
            return
        latest = await _query(store.latest_period)
        fy, quarter = parse_period(replies.first_entity(tracker, "period"), latest)
        fewest = bool(_FEWEST.search(tracker.latest_message.get("text") or ""))
        await send_ranking(dispatcher, metric, fy, quarter, latest, fewest)


async def send_ranking(
    dispatcher: CollectingDispatcher,
    metric: str,
    fy: Optional[int],
    quarter: Optional[int],
    latest: Optional[Period],
    fewest: bool,
) -> None:
    """Send the ranking of all Centers for a metric and period, as text, a table and a chart."""
    records = await _query(store.ranking, metric, fy, quarter)
    if not records:
        _no_data(dispatcher, fy, quarter, latest)
        return
    kb = knowledge()
    ordered = list(reversed(records)) if fewest else records
    top = ordered[0]
    period = record_period(top)
    word = "fewest" if fewest else "most"
    lines = [f"{i}. {kb.center(r.center_code).name}: {replies.number(r.value)}" for i, r in enumerate(ordered, 1)]
    dispatcher.utter_message(
        text=f"In {period}, the **{kb.center(top.center_code).label}** had the {word} {METRICS[metric]}: "
        f"**{replies.number(top.value)}**.\n" + "\n".join(lines) + f"\n{source_line(top.source)}",
        json_message=replies.table(
            f"{METRICS[metric].capitalize()} by Center, {period}",
            ("Rank", "Center", METRICS[metric].capitalize()),
            [(i, kb.center(r.center_code).name, replies.number(r.value)) for i, r in enumerate(ordered, 1)],
        ),
    )
    dispatcher.utter_message(json_message=_ranking_chart(records, metric, period))


class ActionTotal(FiguresAction):
    """A metric added up across all Centers."""

    def name(self) -> Text:
        return "action_total"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        metric = _metric_or_ask(dispatcher, tracker, "How many {metric} do all the Centers have in total?")
        if metric is None:
            return
        latest = await _query(store.latest_period)
        fy, quarter = parse_period(replies.first_entity(tracker, "period"), latest)
        total = await _query(store.totals, metric, fy, quarter)
        if total is None:
            _no_data(dispatcher, fy, quarter, latest)
            return
        if total.quarter is not None:
            period = period_label(total.fiscal_year, total.quarter)
        else:
            how = "total of the quarters loaded" if total.aggregate == "sum" else "as of the latest quarter loaded"
            period = f"FY{total.fiscal_year} ({how})"
        dispatcher.utter_message(
            text=f"Across the {total.centers} Centers with data, there were **{replies.number(total.value)} "
            f"{METRICS[metric]}** in {period}.\n{source_line(total.source)}"
        )


class ActionTrend(FiguresAction):
    """One Center's metric over its latest eight quarters, quarter over quarter and year over year."""

    def name(self) -> Text:
        return "action_trend"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        centers = replies.mentioned_centers(tracker)
        if not centers:
            dispatcher.utter_message(
                text="Which Center would you like to see over time?",
                buttons=[{"title": c.name, "payload": f"How have entries at the {c.name} Center changed over time?"}
                         for c in knowledge().centers],
            )
            return
        center: Center = centers[0]
        metric = _metric_or_ask(dispatcher, tracker, f"How have {{metric}} at the {center.name} Center changed?")
        if metric is None:
            return
        series = await _query(store.series, center.code, metric, 8)
        if len(series) < 2:
            dispatcher.utter_message(text=f"I don't have enough quarters of figures for the {center.label} yet.")
            return
        last, before = series[-1], series[-2]
        text = f"**{METRICS[metric].capitalize()}** at the **{center.label}**, quarter by quarter:\n"
        text += "\n".join(f"- {period_label(r.fiscal_year, r.quarter)}: {replies.number(r.value)}" for r in series)
        text += f"\nQuarter over quarter: {_change(before.value, last.value)} (Q{before.quarter} to Q{last.quarter})."
        year_ago = next((r for r in series if (r.fiscal_year, r.quarter) == (last.fiscal_year - 1, last.quarter)), None)
        if year_ago:
            text += f" Year over year: {_change(year_ago.value, last.value)} (FY{year_ago.fiscal_year} Q{last.quarter} to FY{last.fiscal_year} Q{last.quarter})."
        labels = [f"FY{r.fiscal_year % 100:02d} Q{r.quarter}" for r in series]
        dispatcher.utter_message(
            text=f"{text}\n{source_line(last.source)}",
            json_message=replies.table(
                f"{METRICS[metric].capitalize()} at the {center.name} Center",
                ("Quarter", METRICS[metric].capitalize()),
                [(period_label(r.fiscal_year, r.quarter), replies.number(r.value)) for r in series],
            ),
        )
        title = f"{METRICS[metric].capitalize()} at the {center.name} Center"
        dispatcher.utter_message(json_message=bar_chart(title, labels, [r.value for r in series], METRICS[metric]))


def _change(old: int, new: int) -> str:
    if old == 0:
        return "not comparable (no earlier value)"
    return f"{replies.percent((new - old) / old * 100)} ({replies.number(old)} to {replies.number(new)})"

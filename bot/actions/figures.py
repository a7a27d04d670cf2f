"""Center figures from the database: one figure, rankings, totals across Centers, and one Center over time.

Every answer names the Center, the metric, the period and the source of the data ("sample data" until CBP data is
loaded). The database is read on every question, so figures imported while the bot runs show up at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, TypeVar

from rasa_sdk.executor import CollectingDispatcher

from bot.actions import replies
from bot.actions.charts import bar_chart
from bot.actions.context import Query, TopicAction, handles, remember
from bot.db import store
from bot.db.store import FigureRecord, Period
from bot.knowledge import knowledge

logger = logging.getLogger(__name__)

T = TypeVar("T")

METRICS: Dict[str, str] = {
    "importers": "importers",
    "partner_accounts": "partner accounts",
    "entries": "entries",
    "post_entry_actions": "post-entry actions",
    "staff": "CBP staff",
}
_FEWEST = re.compile(r"\b(least|fewest|lowest|smallest|minimum|bottom|less|last place)\b", re.IGNORECASE)
_EVERY_CENTER = re.compile(  # "entries by Center", "per CEE", "all the Centers"; not "handled by the Center"
    r"\b(each|every|all|per)\s+(the\s+)?(cent(er|re)s?|cees?)\b|\bby\s+(cent(er|re)|cee)s?\b|\bcent(er|re)s\b", re.IGNORECASE
)
_SUPERLATIVE = re.compile(
    r"\b(most|least|fewest|top|bottom|biggest|smallest|largest|greatest|highest|lowest|busiest|leads?|leading|"
    r"rank\w*|more|less|best|worst|max\w*|min\w*)\b",
    re.IGNORECASE,
)
_ONE_CENTER = re.compile(r"\b(the|my|our|this|that|their|its)\s+(cent(er|re)|cee)\b(?!s)", re.IGNORECASE)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


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


def _ask_metric(dispatcher: CollectingDispatcher, query: Query, template: str) -> List[Dict[Text, Any]]:
    """Ask which figure, with one button per metric; the answer completes the question."""
    dispatcher.utter_message(
        text="Which figure would you like? I have importers, partner accounts, entries, post-entry actions and "
        "CBP staff per Center.",
        buttons=[{"title": label.capitalize(), "payload": template.format(metric=label)} for label in METRICS.values()],
    )
    return remember(query, awaiting="metric")


def _ask_center(dispatcher: CollectingDispatcher, query: Query, metric: str) -> List[Dict[Text, Any]]:
    """Ask which Center, with one button per Center and one for all of them."""
    kb = knowledge()
    buttons = [{"title": c.name, "payload": c.name} for c in kb.centers]
    buttons.append({"title": "All Centers", "payload": f"How many {METRICS[metric]} does each Center have?"})
    dispatcher.utter_message(text=f"Which Center would you like the {METRICS[metric]} of?", buttons=buttons)
    return remember(query, awaiting="center")


def _no_data(dispatcher: CollectingDispatcher, fy: Optional[int], quarter: Optional[int], latest: Optional[Period]) -> None:
    asked = f"FY{fy}" if fy else "that period"
    asked += f" Q{quarter}" if quarter else ""
    have = f" The latest figures are for {period_label(*latest)}." if latest else ""
    dispatcher.utter_message(text=f"I have no Center figures for {asked}.{have}")


def _ranking_chart(records: List[FigureRecord], metric: str, period: str) -> Dict[str, Any]:
    kb = knowledge()
    labels = [kb.center(r.center_code).name for r in records]
    return bar_chart(f"{METRICS[metric].capitalize()} by Center, {period}", labels, [r.value for r in records], METRICS[metric])


@handles("figure")
async def figure(dispatcher: CollectingDispatcher, query: Query) -> List[Dict[Text, Any]]:
    """One Center's figure (two or more Centers side by side), for the latest period or a named one."""
    query = replace(query, topic="figure")  # also when a ranking question turned out to be about one Center
    center_words = f"the {query.center.name} Center" if query.center else "each Center"
    if query.metric is None:
        return _ask_metric(dispatcher, query, f"How many {{metric}} does {center_words} have?")
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest)
    if not query.centers:
        if not _EVERY_CENTER.search(query.text):
            return _ask_center(dispatcher, query, query.metric)
        top = await send_ranking(dispatcher, query.metric, fy, quarter, latest, fewest=False)
        return remember(query, topic="ranking", center=top)
    records = [await _query(store.figure, c.code, query.metric, fy, quarter) for c in query.centers]
    if any(r is None for r in records):
        _no_data(dispatcher, fy, quarter, latest)
        return remember(query)
    label = METRICS[query.metric]
    if len(records) == 1:
        record = records[0]
        dispatcher.utter_message(
            text=f"The **{query.centers[0].label}** had **{replies.number(record.value)} {label}** in "
            f"{record_period(record)}.\n{source_line(record.source)}"
        )
        return remember(query)
    lines = [f"- **{c.label}**: {replies.number(r.value)} {label}" for c, r in zip(query.centers, records)]
    ordered = sorted(zip(query.centers, records), key=lambda pair: pair[1].value, reverse=True)
    if ordered[0][1].value == ordered[1][1].value:
        verdict = f"They have the same number of {label}."
    else:
        verdict = f"The {ordered[0][0].name} Center has more {label} than the {ordered[1][0].name} Center."
    dispatcher.utter_message(
        text=f"{label.capitalize()} in {record_period(records[0])}:\n" + "\n".join(lines) + f"\n{verdict}\n"
        f"{source_line(records[0].source)}"
    )
    return remember(query, center=",".join(c.code for c in query.centers))


@handles("ranking")
async def ranking(dispatcher: CollectingDispatcher, query: Query) -> List[Dict[Text, Any]]:
    """Which Center has the most (or the least) of a metric, with the full ranking."""
    if not query.follow_up and _ONE_CENTER.search(query.text) and not _SUPERLATIVE.search(query.text):
        return await figure(dispatcher, query)  # "entries handled by the center last quarter?": which Center?
    if len(query.centers) > 1 and not query.follow_up:
        return await figure(dispatcher, query)  # "which has more staff, Laredo or Buffalo?": the two side by side
    if query.metric is None:
        return _ask_metric(dispatcher, query, "Which Center has the most {metric}?")
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest)
    top = await send_ranking(dispatcher, query.metric, fy, quarter, latest, bool(_FEWEST.search(query.text)))
    return remember(query, center=top)  # "where is it?" is then about the first Center of the ranking


async def send_ranking(
    dispatcher: CollectingDispatcher,
    metric: str,
    fy: Optional[int],
    quarter: Optional[int],
    latest: Optional[Period],
    fewest: bool,
) -> Optional[str]:
    """Send the ranking of all Centers for a metric and period, as text, a table and a chart.

    Returns:
        The code of the Center ranked first, if there were figures.
    """
    records = await _query(store.ranking, metric, fy, quarter)
    if not records:
        _no_data(dispatcher, fy, quarter, latest)
        return None
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
    return top.center_code


@handles("total")
async def total(dispatcher: CollectingDispatcher, query: Query) -> List[Dict[Text, Any]]:
    """A metric added up across all Centers."""
    if query.metric is None:
        return _ask_metric(dispatcher, query, "How many {metric} do all the Centers have in total?")
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest)
    result = await _query(store.totals, query.metric, fy, quarter)
    if result is None:
        _no_data(dispatcher, fy, quarter, latest)
        return remember(query)
    if result.quarter is not None:
        period = period_label(result.fiscal_year, result.quarter)
    else:
        how = "total of the quarters loaded" if result.aggregate == "sum" else "as of the latest quarter loaded"
        period = f"FY{result.fiscal_year} ({how})"
    dispatcher.utter_message(
        text=f"Across the {result.centers} Centers with data, there were **{replies.number(result.value)} "
        f"{METRICS[query.metric]}** in {period}.\n{source_line(result.source)}"
    )
    return remember(query)


@handles("trend")
async def trend(dispatcher: CollectingDispatcher, query: Query) -> List[Dict[Text, Any]]:
    """One Center's metric over its latest eight quarters, quarter over quarter and year over year."""
    center = query.center
    if center is None:
        dispatcher.utter_message(
            text="Which Center would you like to see over time?",
            buttons=[{"title": c.name, "payload": c.name} for c in knowledge().centers],
        )
        return remember(query, awaiting="center")
    if query.metric is None:
        return _ask_metric(dispatcher, query, f"How have {{metric}} at the {center.name} Center changed?")
    metric = query.metric
    series = await _query(store.series, center.code, metric, 8)
    if len(series) < 2:
        dispatcher.utter_message(text=f"I don't have enough quarters of figures for the {center.label} yet.")
        return remember(query)
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
    return remember(query)


def _change(old: int, new: int) -> str:
    if old == 0:
        return "not comparable (no earlier value)"
    return f"{replies.percent((new - old) / old * 100)} ({replies.number(old)} to {replies.number(new)})"


class ActionFigure(TopicAction):
    """One Center's figure for a metric (two Centers side by side; all Centers when asked for each Center)."""

    topic = "figure"

    def name(self) -> Text:
        return "action_figure"


class ActionRanking(TopicAction):
    """Which Center has the most (or the least) of a metric, with the full ranking."""

    topic = "ranking"

    def name(self) -> Text:
        return "action_ranking"


class ActionTotal(TopicAction):
    """A metric added up across all Centers."""

    topic = "total"

    def name(self) -> Text:
        return "action_total"


class ActionTrend(TopicAction):
    """One Center's metric over time."""

    topic = "trend"

    def name(self) -> Text:
        return "action_trend"

"""Center figures from the database: one figure, rankings, totals across Centers, and one Center over time.

Every answer names the Center, the metric, the period and the source of the data ("sample data" until CBP data is
loaded). The database is read on every question, so figures imported while the bot runs show up at once. The words,
periods and metric labels are in ``knowledge/replies/figures.yml``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Optional, TypeVar

from rasa_sdk.executor import CollectingDispatcher

from bot import cues, replies
from bot.actions.charts import bar_chart
from bot.actions.common import number, percent, table
from bot.actions.context import Query, TopicAction, handles, remember
from bot.db import store
from bot.db.store import FigureRecord, Period
from bot.fiscal import parse_period
from bot.knowledge import knowledge
from bot.vocab import METRICS, label_reply

logger = logging.getLogger(__name__)

T = TypeVar("T")

_FEWEST = re.compile(r"\b(least|fewest|lowest|smallest|minimum|bottom|less|last place)\b", re.IGNORECASE)


def _asks_fewest(text: str) -> bool:
    """Whether a ranking is asked from the bottom ("fewest", or "menos" in ``knowledge/es/words.yml``)."""
    return bool(_FEWEST.search(text)) or any(v.asks_fewest(text) for v in knowledge().vocabularies)


def metric_label(metric: str) -> str:
    """What a metric counts, in words: ``partner accounts``."""
    return replies.text(label_reply(metric))


def heading(label: str) -> str:
    """A label at the start of a sentence or as a heading: "CBP staff" stays so ("Cbp staff" with ``capitalize``)."""
    return label[:1].upper() + label[1:]


def period_label(fiscal_year: int, quarter: Optional[int]) -> str:
    """``FY2026 Q1 (Oct–Dec 2025)`` or ``FY2026``."""
    if quarter is None:
        return replies.text("utter_period_year", year=fiscal_year)
    period = Period(fiscal_year, quarter)
    return replies.text(
        "utter_period_quarter",
        year=fiscal_year,
        quarter=quarter,
        first_month=replies.month(period.start.month, short=True),
        last_month=f"{replies.month(period.end.month, short=True)} {period.end.year}",
    )


def record_period(record: FigureRecord) -> str:
    """The period of a figure, saying how a fiscal-year value was made."""
    if record.quarter is not None:
        return period_label(record.fiscal_year, record.quarter)
    if record.aggregate == "sum":
        return replies.text(
            "utter_period_year_summed",
            year=record.fiscal_year,
            quarters=record.quarters,
            last_quarter=record.last_quarter,
        )
    return replies.text("utter_period_year_as_of", year=record.fiscal_year, last_quarter=record.last_quarter)


def source_line(source: str) -> str:
    """Where the figures come from, with the sample-data warning where it applies."""
    if "sample" in source.lower():
        return replies.text("utter_figures_source_sample")
    return replies.text("utter_figures_source", source=source)


async def _query(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking store query in a worker thread, so that other conversations go on meanwhile."""
    return await asyncio.to_thread(function, *args)


def _ask_metric(dispatcher: CollectingDispatcher, query: Query, payload: str, **values: Any) -> list[dict[str, Any]]:
    """Ask which figure, with one button per metric sending the reply ``payload``; the answer completes the question."""
    labels = [metric_label(metric) for metric in METRICS]
    buttons = [{"title": heading(label), "payload": replies.text(payload, metric=label, **values)} for label in labels]
    dispatcher.utter_message(**replies.render("utter_ask_metric"), buttons=buttons)
    return remember(query, awaiting="metric")


def _ask_center(dispatcher: CollectingDispatcher, query: Query, metric: str) -> list[dict[str, Any]]:
    """Ask which Center, with one button per Center and one for all of them."""
    kb = knowledge()
    label = metric_label(metric)
    buttons = [{"title": c.name, "payload": c.name} for c in kb.centers]
    every = replies.text("utter_metric_payload_figure", metric=label, center=replies.text("utter_each_center"))
    buttons.append({"title": replies.text("utter_all_centers_title"), "payload": every})
    dispatcher.utter_message(**replies.render("utter_ask_center_for_metric", metric=label), buttons=buttons)
    return remember(query, awaiting="center")


def _no_data(
    dispatcher: CollectingDispatcher, fy: Optional[int], quarter: Optional[int], latest: Optional[Period]
) -> None:
    asked = replies.text("utter_period_year", year=fy) if fy else replies.text("utter_period_unknown")
    if quarter:
        asked = replies.text("utter_period_with_quarter", period=asked, quarter=quarter)
    latest_sentence = replies.text("utter_latest_figures", period=period_label(*latest)) if latest else ""
    dispatcher.utter_message(**replies.render("utter_no_figures", period=asked, latest=latest_sentence))


def _by_center_title(metric: str, period: str) -> str:
    """The title of a ranking's table and chart: ``Entries by Center, FY2026 Q4 (Jul–Sep 2026)``."""
    return replies.text("utter_by_center_title", metric=heading(metric_label(metric)), period=period)


def _ranking_chart(records: list[FigureRecord], metric: str, period: str) -> dict[str, Any]:
    kb = knowledge()
    labels = [kb.center(r.center_code).name for r in records]
    return bar_chart(_by_center_title(metric, period), labels, [r.value for r in records], metric_label(metric))


@handles("figure")
async def figure(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """One Center's figure (two or more Centers side by side), for the latest period or a named one."""
    query = replace(query, topic="figure")  # also when a ranking question turned out to be about one Center
    if query.metric is None:
        center = (
            replies.text("utter_the_named_center", center=query.center.name)
            if query.center
            else replies.text("utter_each_center")
        )
        return _ask_metric(dispatcher, query, "utter_metric_payload_figure", center=center)
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest, knowledge().period_words)
    if not query.centers:
        if not cues.EVERY_CENTER.search(query.text):
            return _ask_center(dispatcher, query, query.metric)
        if cues.ADDED_UP.search(query.text) and not query.follow_up:
            return await total(dispatcher, query)  # "overall number of partner accounts for all the centers"
        top = await send_ranking(dispatcher, query.metric, fy, quarter, latest, fewest=False)
        return remember(query, topic="ranking", center=top)
    if len(query.centers) == 1 and not query.follow_up and not query.period and cues.OVER_TIME.search(query.text):
        return await trend(dispatcher, query)  # "staff numbers at the auto centre over time"
    found = [await _query(store.figure, c.code, query.metric, fy, quarter) for c in query.centers]
    records = [r for r in found if r is not None]
    if len(records) < len(found):
        _no_data(dispatcher, fy, quarter, latest)
        return remember(query)
    label = metric_label(query.metric)
    if len(records) == 1:
        record = records[0]
        dispatcher.utter_message(
            **replies.render(
                "utter_figure",
                center=query.centers[0].label,
                value=number(record.value),
                metric=label,
                period=record_period(record),
                source=source_line(record.source),
            )
        )
        return remember(query)
    lines = [f"- **{c.label}**: {number(r.value)} {label}" for c, r in zip(query.centers, records)]
    ordered = sorted(zip(query.centers, records), key=lambda pair: pair[1].value, reverse=True)
    if ordered[0][1].value == ordered[1][1].value:
        verdict = replies.text("utter_figures_same", metric=label)
    else:
        verdict = replies.text("utter_figures_more", first=ordered[0][0].name, metric=label, second=ordered[1][0].name)
    dispatcher.utter_message(
        **replies.render(
            "utter_figures_compared",
            metric=heading(label),
            period=record_period(records[0]),
            lines="\n".join(lines),
            verdict=verdict,
            source=source_line(records[0].source),
        )
    )
    return remember(query, center=",".join(c.code for c in query.centers))


@handles("ranking")
async def ranking(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """Which Center has the most (or the least) of a metric, with the full ranking."""
    if not query.follow_up and cues.ONE_CENTER.search(query.text) and not cues.SUPERLATIVE.search(query.text):
        return await figure(dispatcher, query)  # "entries handled by the center last quarter?": which Center?
    if len(query.centers) > 1 and not query.follow_up:
        return await figure(dispatcher, query)  # "which has more staff, Laredo or Buffalo?": the two side by side
    if not query.centers and cues.ADDED_UP.search(query.text) and not cues.SUPERLATIVE.search(query.text):
        return await total(dispatcher, query)  # "sum of post-entry actions for all centres": added up, not ranked
    if query.metric is None:
        return _ask_metric(dispatcher, query, "utter_metric_payload_ranking")
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest, knowledge().period_words)
    top = await send_ranking(dispatcher, query.metric, fy, quarter, latest, _asks_fewest(query.text))
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
    label = metric_label(metric)
    lines = [f"{i}. {kb.center(r.center_code).name}: {number(r.value)}" for i, r in enumerate(ordered, 1)]
    message = replies.render(
        "utter_ranking_fewest" if fewest else "utter_ranking_most",
        period=period,
        center=kb.center(top.center_code).label,
        metric=label,
        value=number(top.value),
        lines="\n".join(lines),
        source=source_line(top.source),
    )
    columns = (replies.text("utter_column_rank"), replies.text("utter_column_center"), heading(label))
    dispatcher.utter_message(
        **message,
        json_message=table(
            _by_center_title(metric, period),
            columns,
            [(i, kb.center(r.center_code).name, number(r.value)) for i, r in enumerate(ordered, 1)],
        ),
    )
    dispatcher.utter_message(json_message=_ranking_chart(records, metric, period))
    return top.center_code


@handles("total")
async def total(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """A metric added up across all Centers."""
    if query.centers and not query.follow_up:
        return await figure(dispatcher, query)  # "how many entries did the chicago one process": that Center's
    if query.metric is None:
        return _ask_metric(dispatcher, query, "utter_metric_payload_total")
    latest = await _query(store.latest_period)
    fy, quarter = parse_period(query.period, latest, knowledge().period_words)
    result = await _query(store.totals, query.metric, fy, quarter)
    if result is None:
        _no_data(dispatcher, fy, quarter, latest)
        return remember(query)
    if result.quarter is not None:
        period = period_label(result.fiscal_year, result.quarter)
    else:
        how = "utter_period_year_total_loaded" if result.aggregate == "sum" else "utter_period_year_latest_loaded"
        period = replies.text(how, year=result.fiscal_year)
    dispatcher.utter_message(
        **replies.render(
            "utter_total",
            centers=result.centers,
            value=number(result.value),
            metric=metric_label(query.metric),
            period=period,
            source=source_line(result.source),
        )
    )
    return remember(query)


@handles("trend")
async def trend(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """One Center's metric over its latest eight quarters, quarter over quarter and year over year."""
    if len(query.centers) > 1 and not query.follow_up:
        return await figure(dispatcher, query)  # "partner accounts at miami compared to atlanta": side by side
    center = query.center
    if center is None:
        buttons = [{"title": c.name, "payload": c.name} for c in knowledge().centers]
        dispatcher.utter_message(**replies.render("utter_ask_center_for_trend"), buttons=buttons)
        return remember(query, awaiting="center")
    if query.metric is None:
        return _ask_metric(dispatcher, query, "utter_metric_payload_trend", center=center.name)
    metric, label = query.metric, metric_label(query.metric)
    series = await _query(store.series, center.code, metric, 8)
    if len(series) < 2:
        dispatcher.utter_message(**replies.render("utter_trend_too_short", center=center.label))
        return remember(query)
    last, before = series[-1], series[-2]
    changes = [
        replies.text(
            "utter_trend_quarter", change=_change(before.value, last.value), before=before.quarter, last=last.quarter
        )
    ]
    year_ago = next((r for r in series if (r.fiscal_year, r.quarter) == (last.fiscal_year - 1, last.quarter)), None)
    if year_ago:
        changes.append(
            replies.text(
                "utter_trend_year",
                change=_change(year_ago.value, last.value),
                before_year=year_ago.fiscal_year,
                last_year=last.fiscal_year,
                quarter=last.quarter,
            )
        )
    title = replies.text("utter_at_center_title", metric=heading(label), center=center.name)
    dispatcher.utter_message(
        **replies.render(
            "utter_trend",
            metric=heading(label),
            center=center.label,
            changes=" ".join(changes),
            lines="\n".join(f"- {period_label(r.fiscal_year, r.quarter)}: {number(r.value)}" for r in series),
            source=source_line(last.source),
        ),
        json_message=table(
            title,
            (replies.text("utter_column_quarter"), heading(label)),
            [(period_label(r.fiscal_year, r.quarter), number(r.value)) for r in series],
        ),
    )
    labels = [replies.text("utter_period_short", year=f"{r.fiscal_year % 100:02d}", quarter=r.quarter) for r in series]
    dispatcher.utter_message(json_message=bar_chart(title, labels, [r.value for r in series], label))
    return remember(query)


def _change(old: int, new: int) -> str:
    if old == 0:
        return replies.text("utter_change_not_comparable")
    return replies.text("utter_change", percent=percent((new - old) / old * 100), old=number(old), new=number(new))


class ActionFigure(TopicAction):
    """One Center's figure for a metric (two Centers side by side; all Centers when asked for each Center)."""

    topic = "figure"

    def name(self) -> str:
        return "action_figure"


class ActionRanking(TopicAction):
    """Which Center has the most (or the least) of a metric, with the full ranking."""

    topic = "ranking"

    def name(self) -> str:
        return "action_ranking"


class ActionTotal(TopicAction):
    """A metric added up across all Centers."""

    topic = "total"

    def name(self) -> str:
        return "action_total"


class ActionTrend(TopicAction):
    """One Center's metric over time."""

    topic = "trend"

    def name(self) -> str:
        return "action_trend"

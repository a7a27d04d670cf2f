"""The public Center figures page, ``/figures`` on the page server, and its chart images.

* ``GET /figures``: every Center's latest figures as a table (sortable without JavaScript through ``?sort=METRIC&
  order=asc|desc``; ``web/figures.js`` sorts in the browser instead), a bar chart per metric, and per metric the
  trend over the stored quarters as small multiples with the same numbers in a table. The period and the source are
  named; the words are the bot's (metric labels, periods, sources from ``knowledge/replies/``) and the page's own
  (headings, captions, help) in the template ``web/templates/figures.html``.
* ``GET /figures/chart/METRIC.png`` and ``GET /figures/trend/METRIC.png``: the charts, drawn from the same figures.

The figures are read from the database (:mod:`bot.runtime.figures_data`, at most 2 s old), so an import with
``python -m bot.db import-figures`` shows on the next page load, with no restart. When the database cannot be reached
the page says so politely with HTTP 503.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot import replies
from bot.actions.charts import alt_text
from bot.actions.common import number, percent
from bot.actions.figures import metric_label, period_label, source_line
from bot.db.store import DatabaseUnavailable
from bot.runtime import figure_charts
from bot.runtime.figures_data import Snapshot, snapshot
from bot.settings import ROOT
from bot.vocab import METRICS

logger = logging.getLogger(__name__)

TEMPLATES = ROOT / "web" / "templates"
CENTER = "center"  # the sort key of the Center column
HTML = "text/html; charset=utf-8"
_environment: Optional[Environment] = None


def environment() -> Environment:
    """The page templates (reloaded when a template file changes), HTML-escaped."""
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _environment


def capitalised(label: str) -> str:
    """``CBP staff`` stays as it is, ``entries`` becomes ``Entries``."""
    return label[:1].upper() + label[1:]


def short_period(fiscal_year: int, quarter: int) -> str:
    """``FY26 Q1``: a quarter in a chart's or a trend table's column."""
    return replies.text("utter_period_short", year=f"{fiscal_year % 100:02d}", quarter=quarter)


def _sort_order(sort: Optional[str], order: Optional[str]) -> tuple[str, str]:
    """The column and direction asked for in the query; the Centers by name when the query names neither."""
    key = sort if sort in (CENTER, *METRICS) else CENTER
    default = "asc" if key == CENTER else "desc"
    return key, order if order in ("asc", "desc") else default


def _change(values: tuple[Optional[int], ...], back: int) -> Optional[str]:
    """The change of the latest value on the one ``back`` quarters earlier, as ``+4.2%``; None when there is none."""
    if len(values) <= back or values[-1] is None or not values[-1 - back]:
        return None
    old, new = values[-1 - back], values[-1]
    return percent((new - old) / old * 100)  # type: ignore[operator]


def page_context(data: Snapshot, sort: Optional[str] = None, order: Optional[str] = None) -> dict[str, Any]:
    """The values the template fills in: everything is a string or a list of them, ready to show."""
    if data.latest is None:
        return {"latest": None}
    period = period_label(*data.latest)
    labels = {m: metric_label(m) for m in METRICS}
    key, direction = _sort_order(sort, order)

    def sort_value(center: Any) -> tuple[Any, ...]:
        if key == CENTER:
            return (center.name.lower(),)
        value = center.values[key]
        return (value is None, -(value or 0) if direction == "desc" else (value or 0), center.name.lower())

    rows = sorted(data.centers, key=sort_value, reverse=key == CENTER and direction == "desc")
    columns = []
    for column in (CENTER, *METRICS):
        sorted_here = column == key
        first = "asc" if column == CENTER else "desc"
        columns.append(
            {
                "key": column,
                "label": replies.text("utter_column_center") if column == CENTER else capitalised(labels[column]),
                "numeric": column != CENTER,
                "aria_sort": {"asc": "ascending", "desc": "descending"}[direction] if sorted_here else None,
                "href": f"?sort={column}&order={('desc' if direction == 'asc' else 'asc') if sorted_here else first}"
                "#latest",
            }
        )
    totals = {m: sum(v for c in data.centers if (v := c.values[m]) is not None) for m in METRICS}
    shorts = [short_period(*p) for p in data.periods]
    by_center = {c.code: c for c in data.centers}
    return {
        "latest": period,
        "sources": [source_line(s) for s in data.sources],
        "sample": any("sample" in s.lower() for s in data.sources),
        "loaded_on": f"{data.loaded_at:%Y-%m-%d}" if data.loaded_at else "",
        "all_centers": replies.text("utter_all_centers_title"),
        "missing": sorted((c.name for c in data.centers if all(v is None for v in c.values.values())), key=str.lower),
        "columns": columns,
        "rows": [
            {
                "code": c.code,
                "name": c.name,
                "cells": [{"value": c.values[m], "text": _text(c.values[m])} for m in METRICS],
            }
            for c in rows
        ],
        "totals": [number(totals[m]) for m in METRICS],
        "charts": [_chart(data, m, labels[m], period) for m in METRICS],
        "trend_first": period_label(*data.periods[0]) if data.periods else "",
        "trend_last": period_label(*data.periods[-1]) if data.periods else "",
        "trend": [
            {
                "metric": m,
                "label": capitalised(labels[m]),
                "unit": labels[m],
                "src": f"/figures/trend/{m}.png?v={data.digest}",
                "periods": shorts,
                "rows": [
                    {
                        "name": by_center[code].name,
                        "cells": [_text(v) for v in values],
                        "quarter": _change(values, 1),
                        "year": _change(values, 4),
                    }
                    for code, values in _by_name(data, m)
                ],
            }
            for m in METRICS
        ],
    }


def _by_name(data: Snapshot, metric: str) -> list[tuple[str, tuple[Optional[int], ...]]]:
    """Each Center's trend of ``metric`` (code, values), the Centers by name as in the table."""
    names = {c.code: c.name.lower() for c in data.centers}
    return sorted(data.trend[metric].items(), key=lambda item: names[item[0]])


def _text(value: Optional[int]) -> Optional[str]:
    return None if value is None else number(value)


def _ranked(data: Snapshot, metric: str) -> list[tuple[str, int]]:
    """The Centers with a figure for the latest quarter, the largest first (as the bot ranks them)."""
    found = [(c.name, v, c.code) for c in data.centers if (v := c.values[metric]) is not None]
    return [(name, value) for name, value, _ in sorted(found, key=lambda f: (-f[1], f[2]))]


def _bar_title(metric: str, period: str) -> str:
    return replies.text("utter_by_center_title", metric=capitalised(metric_label(metric)), period=period)


def _chart(data: Snapshot, metric: str, label: str, period: str) -> dict[str, Any]:
    ranked = _ranked(data, metric)
    title = _bar_title(metric, period)
    return {
        "metric": metric,
        "title": title,
        "src": f"/figures/chart/{metric}.png?v={data.digest}" if ranked else None,
        "alt": alt_text(title, [n for n, _ in ranked], [v for _, v in ranked], label) if ranked else "",
    }


def render_page(data: Optional[Snapshot], sort: Optional[str] = None, order: Optional[str] = None) -> str:
    """The page's HTML; ``data`` None: the page that says the figures are unavailable."""
    if data is None:
        return environment().get_template("figures.html").render(unavailable=True)
    return environment().get_template("figures.html").render(unavailable=False, **page_context(data, sort, order))


def chart_png(data: Snapshot, kind: str, metric: str) -> Optional[bytes]:
    """A chart of the figures: ``kind`` ``chart`` (bar chart of the latest quarter) or ``trend``; None if none."""
    if data.latest is None or metric not in METRICS:
        return None
    label = metric_label(metric)
    if kind == "chart":
        ranked = _ranked(data, metric)
        if not ranked:
            return None
        title = _bar_title(metric, short_period(*data.latest))  # short: the image has room for about 40 characters
        return figure_charts.bar_png(title, [n for n, _ in ranked], [v for _, v in ranked], label)
    names = {c.code: c.name for c in data.centers}
    panels = [(names[code], values) for code, values in _by_name(data, metric)]
    first, last = data.periods[0], data.periods[-1]
    title = f"{capitalised(label)}: {short_period(*first)} – {short_period(*last)}"
    return figure_charts.trend_png(title, panels, [short_period(*p) for p in data.periods])


# -- the aiohttp handlers ----------------------------------------------------------------------------------------------
_CHARTS: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
CHART_CACHE_SIZE = 40


async def _snapshot() -> Optional[Snapshot]:
    try:
        return await asyncio.to_thread(snapshot)
    except DatabaseUnavailable as error:
        logger.warning("the figures page cannot read the database: %s", error)
        return None


def add_routes(app: Any) -> None:
    """Add ``/figures`` and its charts to the page server's aiohttp application (before its catch-all route)."""
    from aiohttp import web

    async def page(request: web.Request) -> web.Response:
        data = await _snapshot()
        query = request.query
        body = await asyncio.to_thread(render_page, data, query.get("sort"), query.get("order"))
        status = 503 if data is None else 200
        headers = {"Content-Type": HTML, "Cache-Control": "no-cache"}
        if data is None:
            headers["Retry-After"] = "60"
        return web.Response(status=status, body=body.encode(), headers=headers)

    def chart_handler(kind: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def chart(request: web.Request) -> web.Response:
            metric = request.match_info["metric"]
            if metric not in METRICS:
                raise web.HTTPNotFound()
            data = await _snapshot()
            if data is None:
                raise web.HTTPServiceUnavailable(headers={"Retry-After": "60"})
            key = (kind, metric, data.digest)
            png = _CHARTS.get(key)
            if png is None:
                png = await asyncio.to_thread(chart_png, data, kind, metric)
                if png is None:
                    raise web.HTTPNotFound()
                _CHARTS[key] = png
                while len(_CHARTS) > CHART_CACHE_SIZE:
                    _CHARTS.popitem(last=False)
            return web.Response(body=png, headers={"Content-Type": "image/png", "Cache-Control": "no-cache"})

        return chart

    app.router.add_get("/figures", page)
    app.router.add_get("/figures/chart/{metric}.png", chart_handler("chart"))
    app.router.add_get("/figures/trend/{metric}.png", chart_handler("trend"))

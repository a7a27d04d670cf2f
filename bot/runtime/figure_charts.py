"""The figures page's chart images (PNG): a bar chart per metric for the latest quarter, and the trend of a metric
at every Center as small multiples (one small line chart per Center, so no line is told apart by colour alone).

The bar chart is the chat's (:func:`bot.actions.charts.bar_chart`), so the page and the bot draw a ranking alike. The
page shows every number of a chart in a table next to it as well. Drawing uses matplotlib's object-oriented API on
the Agg canvas (no pyplot, no global state); :data:`DRAW_LOCK` makes the page server draw one chart at a time.
"""

from __future__ import annotations

import base64
import math
import textwrap
import threading
from collections.abc import Sequence
from typing import Optional

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.actions.charts import BAR, GRID, TEXT, _png, bar_chart

DRAW_LOCK = threading.Lock()
TREND_WIDTH_PX, TREND_HEIGHT_PX, DPI = 960, 520, 100
COLUMNS = 5


def bar_png(title: str, labels: list[str], values: list[float], unit: str) -> bytes:
    """The chat's bar chart (:func:`bot.actions.charts.bar_chart`) as PNG bytes."""
    with DRAW_LOCK:
        src = str(bar_chart(title, labels, values, unit)["src"])
    return base64.b64decode(src.split(",", 1)[1])


def compact(value: float) -> str:
    """A tick label: ``2.4M``, ``540k``, ``118``."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:,.0f}"


def trend_png(
    title: str, panels: Sequence[tuple[str, Sequence[Optional[float]]]], period_labels: Sequence[str]
) -> bytes:
    """Small multiples: one line chart per panel (a Center), every panel over the same quarters.

    Args:
        title: what the chart shows (drawn on top).
        panels: ``(name, values)`` per panel; ``values`` has one value per period, None where there is none.
        period_labels: the quarters' short labels, oldest first; the first and last are written under each panel.

    Raises:
        ValueError: no panels, or a panel whose values do not match the periods.
    """
    if not panels or any(len(values) != len(period_labels) for _, values in panels):
        raise ValueError("a trend chart needs panels with one value per period")
    rows = math.ceil(len(panels) / COLUMNS)
    figure = Figure(figsize=(TREND_WIDTH_PX / DPI, TREND_HEIGHT_PX / DPI * rows / 2), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    positions = list(range(len(period_labels)))
    last = len(period_labels) - 1
    for index, (name, values) in enumerate(panels):
        axes = figure.add_subplot(rows, COLUMNS, index + 1)
        points = [math.nan if v is None else float(v) for v in values]
        axes.plot(positions, points, color=BAR, linewidth=2, marker="o", markersize=3.5)
        axes.set_title(textwrap.fill(name, 18), fontsize=9, color=TEXT, loc="left", fontweight="bold")
        axes.set_xticks([0, last] if last else [0])
        axes.set_xticklabels([period_labels[0], period_labels[last]] if last else [period_labels[0]], fontsize=8)
        axes.set_xlim(-0.4, last + 0.4)
        axes.margins(y=0.22)  # room above the line for the latest value
        axes.yaxis.set_major_locator(MaxNLocator(nbins=3))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: compact(v)))
        axes.tick_params(colors=TEXT, labelsize=8, length=2)
        axes.grid(axis="y", color="#dfe1e2", linewidth=0.8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            axes.spines[side].set_color(GRID)
        known = [(p, v) for p, v in zip(positions, points) if not math.isnan(v)]
        if known:  # the latest value written by its point
            position, value = known[-1]
            axes.annotate(
                compact(value), (position, value), xytext=(0, 6), textcoords="offset points", ha="right", fontsize=8
            )
    figure.suptitle(textwrap.fill(title, 90), x=0.01, ha="left", fontsize=12, color=TEXT, fontweight="bold")
    figure.tight_layout(pad=0.6, h_pad=1.2)
    with DRAW_LOCK:
        return _png(figure)

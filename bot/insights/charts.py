"""The report's charts: PNG images drawn from its tables with matplotlib (object API on the Agg canvas, no pyplot,
so safe in a server's worker thread). Each chart's ``alt`` text says what it shows; its numbers are in the table
printed under it.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.insights.tables import Table

DPI = 100
TEXT = "#1b1b1b"
# Colours with at least 3:1 contrast on white, told apart by hatching too (never by colour alone).
COLOURS = ("#0a2240", "#b50909", "#2e6b34", "#8a4b08", "#5c3b8c", "#005ea2")
HATCHES = ("", "//", "..", "xx", "\\\\", "--")
MAX_BARS = 12


@dataclass(frozen=True)
class Chart:
    """A chart image of one table (``table`` is the table's name)."""

    name: str
    table: str
    alt: str
    png: bytes


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(8, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _short(label: str, limit: int = 44) -> str:
    """A bar's label, cut with an ellipsis past ``limit`` characters (the table has it in full)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bars(table: Table, label_column: int, value_column: int, unit: str) -> Chart:
    """A horizontal bar chart of one column of ``table``, its first :data:`MAX_BARS` rows, largest on top."""
    rows = table.rows[:MAX_BARS]
    labels = [_short(str(row[label_column])) for row in rows]
    values = [float(row[value_column]) for row in rows]
    figure = _figure(1.2 + 0.35 * max(len(rows), 1))
    axes = figure.add_subplot(1, 1, 1)
    axes.barh(range(len(values)), values, color=COLOURS[0])
    axes.set_yticks(range(len(values)), labels=labels, fontsize=9, color=TEXT)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(unit, color=TEXT)
    axes.set_title(table.title, color=TEXT, loc="left")
    for y, value in enumerate(values):
        axes.text(value, y, f" {value:,.0f}", va="center", fontsize=8, color=TEXT)
    axes.spines[["top", "right"]].set_visible(False)
    full = [str(row[label_column]) for row in rows]
    listed = "; ".join(f"{label}: {value:,.0f}" for label, value in zip(full, values)) or "no data"
    alt = f"Bar chart: {table.title} ({unit}). {listed}. The numbers are in the table below."
    return Chart(table.name, table.name, alt, _png(figure))


def stacked(table: Table, x_column: int, series_column: int, value_column: int, unit: str) -> Chart:
    """A bar chart of ``value_column`` by ``x_column``, stacked by ``series_column`` (e.g. messages by day and
    channel).
    """
    values: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in table.rows:
        values[str(row[series_column])][str(row[x_column])] += float(row[value_column])
    xs = sorted({str(row[x_column]) for row in table.rows})
    series: Sequence[str] = sorted(values, key=lambda s: -sum(values[s].values()))
    figure = _figure(3.6)
    axes = figure.add_subplot(1, 1, 1)
    bottom = [0.0] * len(xs)
    for index, name in enumerate(series):
        heights = [values[name][x] for x in xs]
        axes.bar(
            range(len(xs)),
            heights,
            bottom=bottom,
            label=name,
            color=COLOURS[index % len(COLOURS)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor="white",
        )
        bottom = [b + h for b, h in zip(bottom, heights)]
    step = max(1, len(xs) // 10)
    axes.set_xticks(range(0, len(xs), step), labels=[x[5:] if len(x) == 10 else x for x in xs][::step], fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(unit, color=TEXT)
    axes.set_title(table.title, color=TEXT, loc="left")
    if series:
        axes.legend(fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    totals = "; ".join(f"{name}: {sum(values[name].values()):,.0f}" for name in series) or "no data"
    alt = (
        f"Stacked bar chart: {table.title}, {unit} for each of {len(xs)} {table.columns[x_column].lower()}s, "
        f"by {table.columns[series_column].lower()}. "
        f"Totals: {totals}. The numbers are in the table below."
    )
    return Chart(table.name, table.name, alt, _png(figure))

"""Bar charts for the web chat: a small PNG as a ``data:`` URL plus a text alternative that lists every value.

The widget draws ``{"type": "chart", "src": ..., "alt": ...}`` as an ``<img alt>``; channels without images (Slack,
``rasa shell``) can show the ``alt`` text instead. Drawing uses matplotlib's object-oriented API on the Agg canvas
(no pyplot, no global state), so it is safe to call from a worker thread.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from typing import Any, Dict, List, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 640, 360, 100

# Colours with enough contrast on white (WCAG 2.1 AA needs 3:1 for graphics, 4.5:1 for text).
BAR = "#0a2240"  # CBP navy, 16:1 on white
TEXT = "#1b1b1b"  # 17:1
GRID = "#71767a"  # 4.7:1; the grid is a help, not information
NEGATIVE = "#b50909"  # 6.6:1; drawn with a hatch too, so the sign does not depend on colour


def _format(value: float) -> str:
    """A value as people read it: ``12,345`` for whole numbers, ``12.5`` otherwise."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def alt_text(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    """The text alternative: the title, then every bar's label and value with its unit."""
    unit_part = "" if not unit else unit if unit == "%" else f" {unit}"
    items = "; ".join(f"{label}: {_format(value)}{unit_part}" for label, value in zip(labels, values))
    return f"Bar chart: {title}. {items}."


def bar_chart(title: str, labels: List[str], values: List[float], unit: str) -> Dict[str, Any]:
    """A horizontal bar chart (about 640×360 pixels) for the web chat.

    Args:
        title: what the chart shows, e.g. "Entries by Center, Q3 FY2025".
        labels: one label per bar (Center names, periods), drawn top to bottom in this order.
        values: one value per label (finite numbers; negative values are allowed).
        unit: what the values count, e.g. "entries"; used on the axis and in the text alternative.

    Returns:
        ``{"type": "chart", "src": "data:image/png;base64,...", "alt": "Bar chart: <title>. <label>: <value> <unit>; ..."}``

    Raises:
        ValueError: no values, labels and values of different lengths, or a value that is not a finite number.
    """
    labels = [str(label) for label in labels]
    values = [float(value) for value in values]
    if not values or len(labels) != len(values):
        raise ValueError(f"a bar chart needs one value per label (got {len(labels)} labels, {len(values)} values)")
    if not all(math.isfinite(value) for value in values):
        raise ValueError("a bar chart needs finite values")

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    count = len(values)
    font_size = 9 if count <= 6 else 8 if count <= 10 else 7
    positions = list(range(count))
    colours = [NEGATIVE if value < 0 else BAR for value in values]
    hatches = ["//" if value < 0 else "" for value in values]
    bars = axes.barh(positions, values, color=colours, height=0.7, edgecolor=colours)
    for bar, hatch in zip(bars, hatches):
        if hatch:
            bar.set_hatch(hatch)
            bar.set_facecolor("white")

    axes.set_yticks(positions)
    axes.set_yticklabels([textwrap.fill(label, 30) for label in labels], fontsize=font_size, color=TEXT)
    axes.invert_yaxis()  # the first label on top, as in the text and the table
    axes.set_title(textwrap.fill(title, 80), fontsize=11, color=TEXT, loc="left", fontweight="bold")
    if unit:
        axes.set_xlabel(unit, fontsize=font_size, color=TEXT)
    axes.tick_params(axis="x", labelsize=font_size, colors=TEXT)
    axes.tick_params(axis="y", length=0)
    axes.xaxis.set_major_formatter(lambda value, _pos: _format(value))
    axes.grid(axis="x", color=GRID, linewidth=0.5, alpha=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if min(values) < 0:
        axes.axvline(0, color=TEXT, linewidth=0.8)

    # Value labels at the end of each bar, with room for them on the right.
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span = (high - low) or 1.0
    axes.set_xlim(low - (0.18 * span if low < 0 else 0), high + 0.18 * span)
    for position, value in zip(positions, values):
        offset = 0.01 * span if value >= 0 else -0.01 * span
        axes.text(
            value + offset, position, _format(value), va="center", ha="left" if value >= 0 else "right",
            fontsize=font_size, color=TEXT,
        )  # fmt: skip

    figure.tight_layout(pad=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"type": "chart", "src": f"data:image/png;base64,{encoded}", "alt": alt_text(title, labels, values, unit)}

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
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from bot import replies

WIDTH_PX, HEIGHT_PX, DPI = 640, 360, 100

# Colours with enough contrast on white (WCAG 2.1 AA needs 3:1 for graphics, 4.5:1 for text).
BAR = "#0a2240"  # CBP navy, 16:1 on white
TEXT = "#1b1b1b"  # 17:1
GRID = "#71767a"  # 4.7:1, for the axis line
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
    return replies.text("utter_chart_alt", title=title, values=items)


def bar_chart(title: str, labels: list[str], values: list[float], unit: str) -> dict[str, Any]:
    """A horizontal bar chart (about 640×360 pixels) for the web chat.

    Args:
        title: what the chart shows, e.g. "Entries by Center, Q3 FY2025".
        labels: one label per bar (Center names, periods), drawn top to bottom in this order.
        values: one value per label (finite numbers; negative values are allowed).
        unit: what the values count, e.g. "entries" or "%"; added to the title when the title does not name it, and
            to every value in the text alternative.

    Returns:
        ``{"type": "chart", "src": "data:image/png;base64,...",
        "alt": "Bar chart: <title>. <label>: <value> <unit>; ..."}``

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
    # The chat shows the image at about half its width: large type, and the values written on the bars instead of
    # an axis to read them from.
    font_size = 11 if count <= 5 else 10 if count <= 8 else 9 if count <= 12 else 7
    positions = list(range(count))
    colours = [NEGATIVE if value < 0 else BAR for value in values]
    bars = axes.barh(positions, values, color=colours, height=0.72, edgecolor=colours)
    for bar, value in zip(bars, values):
        if value < 0:  # the sign does not depend on colour alone
            bar.set_hatch("//")
            bar.set_facecolor("white")

    axes.set_yticks(positions)
    axes.set_yticklabels(
        [textwrap.fill(label, 26) for label in labels], fontsize=font_size, color=TEXT, linespacing=0.95
    )
    axes.invert_yaxis()  # the first label on top, as in the text and the table
    heading = title if not unit or unit == "%" or unit.lower() in title.lower() else f"{title} ({unit})"
    axes.set_title(textwrap.fill(heading, 60), fontsize=font_size + 2, color=TEXT, loc="left", fontweight="bold")
    axes.tick_params(axis="y", length=0, pad=4)
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(GRID)
    if min(values) < 0:
        axes.axvline(0, color=TEXT, linewidth=0.8)

    # Value labels at the end of each bar, with room for them.
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span = (high - low) or 1.0
    axes.set_xlim(low - (0.3 * span if low < 0 else 0), high + 0.3 * span)
    for position, value in zip(positions, values):
        offset = 0.01 * span if value >= 0 else -0.01 * span
        label = _format(value) + ("%" if unit == "%" else "")
        axes.text(
            value + offset,
            position,
            label,
            va="center",
            ha="left" if value >= 0 else "right",
            fontsize=font_size,
            color=TEXT,
        )

    figure.tight_layout(pad=0.6)
    encoded = base64.b64encode(_png(figure)).decode("ascii")
    return {"type": "chart", "src": f"data:image/png;base64,{encoded}", "alt": alt_text(title, labels, values, unit)}


def _png(figure: Figure) -> bytes:
    """The figure as a PNG with a 64-colour palette: the same look, about half the bytes of a full-colour PNG."""
    canvas = figure.canvas
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

"""The report as one accessible HTML page (English, headings, every table with a caption and header cells, every
chart with a text alternative and its numbers in the table under it, no script).

The same page serves the file report (charts and CSV files beside it) and the staff page (charts inline as
``data:`` URLs, CSV files from the staff routes): the caller says where each chart and CSV file is.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from html import escape

from bot.insights.charts import Chart
from bot.insights.report import Report
from bot.insights.tables import Table

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#1b1b1b;background:#fff;margin:0;
line-height:1.45}
header{background:#0a2240;color:#fff;padding:1rem 2rem}header h1{margin:0 0 .25rem;font-size:1.6rem}
header p{margin:0}main{padding:1rem 2rem;max-width:70rem}nav ul{columns:2;padding-left:1.2rem}
a{color:#005ea2}header a{color:#fff}a:focus,a:hover{outline:3px solid #ffbe2e}
section{border-top:1px solid #a9aeb1;margin-top:1.5rem}h2{font-size:1.3rem;margin:1rem 0 .5rem}
figure{margin:.5rem 0}img{max-width:100%;height:auto}figcaption{font-size:.9rem;color:#3d4551}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #a9aeb1;padding:.3rem .5rem;vertical-align:top;text-align:left}thead th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#faf3d1;padding:.5rem 1rem;border-left:4px solid #8a4b08}
"""


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def data_url(chart: Chart) -> str:
    """A chart as a ``data:`` URL, for a page that must stand alone."""
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    rows = []
    for row in table.rows:
        first, rest = row[0], row[1:]
        cells = "".join(
            f'<td class="n">{value:,}</td>' if isinstance(value, (int, float)) else f"<td>{escape(str(value))}</td>"
            for value in rest
        )
        rows.append(f'<tr><th scope="row">{escape(str(first))}</th>{cells}</tr>')
    body = "".join(rows) or f'<tr><td colspan="{len(table.columns)}">Nothing in this period.</td></tr>'
    return (
        f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def render(report: Report, chart_src: Callable[[Chart], str], csv_href: Callable[[Table], str]) -> str:
    """The report page.

    Args:
        report: the built report.
        chart_src: where a chart's image is (a file name or a ``data:`` URL).
        csv_href: where a table's CSV file is.
    """
    since, until = (d.strftime("%Y-%m-%d %H:%M") for d in (report.since, report.until))
    title = f"CEE Guide staff report, {since} to {until} UTC"
    contents = "".join(f'<li><a href="#{t.name}">{escape(t.title)}</a></li>' for t in report.tables)
    notes = "".join(f'<p class="note" role="note">{escape(note)}</p>' for note in report.notes)
    sections = []
    for table in report.tables:
        chart = report.chart(table.name)
        figure = ""
        if chart is not None:
            width, height = png_size(chart.png)
            figure = (
                f'<figure><img src="{escape(chart_src(chart))}" alt="{escape(chart.alt)}" width="{width}" '
                f'height="{height}"><figcaption>Chart of the table below.</figcaption></figure>'
            )
        link = (
            f'<p><a href="{escape(csv_href(table))}" download="{table.name}.csv">{escape(table.title)} as CSV</a></p>'
        )
        sections.append(
            f'<section id="{table.name}" aria-labelledby="h-{table.name}"><h2 id="h-{table.name}">'
            f"{escape(table.title)}</h2>{figure}{_table(table)}{link}</section>"
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><header><h1>CEE Guide staff report</h1>"
        f"<p>{escape(since)} to {escape(until)} UTC. Built from the tracker store and the database in "
        f"{report.seconds:.1f} s. Questions are shown masked.</p></header><main>{notes}"
        f'<nav aria-label="Contents"><h2>Contents</h2><ul>{contents}</ul></nav>{"".join(sections)}</main></body></html>'
    )

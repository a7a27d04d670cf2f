"""The report as files: ``report.html``, one CSV file per table and one PNG file per chart, in one folder."""

from __future__ import annotations

from pathlib import Path

from bot.insights import html
from bot.insights.report import Report


def write(report: Report, out: Path) -> list[Path]:
    """Write the report's files into ``out`` (created when missing); the files written, the page first."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_text(
        html.render(report, lambda chart: f"{chart.name}.png", lambda table: f"{table.name}.csv"), encoding="utf-8"
    )
    written = [page]
    for table in report.tables:
        path = out / f"{table.name}.csv"
        path.write_text(table.csv(), encoding="utf-8", newline="")
        written.append(path)
    for chart in report.charts:
        path = out / f"{chart.name}.png"
        path.write_bytes(chart.png)
        written.append(path)
    return written

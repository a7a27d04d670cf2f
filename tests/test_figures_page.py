"""The Center figures page (issue 15, item 4): ``/figures`` and its charts, in process against a real SQLite database.

The page server's aiohttp application runs under aiohttp's test server; the database is seeded with the sample data
and changed with the store's own import (the browser test, ``tests/e2e/test_figures_page.py``, uses the command line).
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
from PIL import Image

from bot.db import store
from bot.db.store import FigureInput
from bot.runtime import figure_charts, figures_data, figures_page
from bot.runtime.web_server import create_app
from bot.settings import load_settings
from bot.vocab import METRICS

CENTER_NAMES = (
    "Agriculture &amp; Prepared Products",
    "Apparel, Footwear &amp; Textiles",
    "Automotive &amp; Aerospace",
    "Base Metals",
    "Consumer Products &amp; Mass Merchandising",
    "Electronics",
    "Industrial &amp; Manufacturing Materials",
    "Machinery",
    "Petroleum, Natural Gas &amp; Minerals",
    "Pharmaceuticals, Health &amp; Chemicals",
)


@pytest.fixture(autouse=True)
def fresh_figures() -> Iterator[None]:
    figures_data.clear_cache()
    figures_page._CHARTS.clear()
    yield
    figures_data.clear_cache()


def get(path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from the page server's application (aiohttp's test server), with the current settings."""
    from aiohttp.test_utils import TestClient, TestServer

    async def run() -> tuple[int, dict[str, str], bytes]:
        async with TestClient(TestServer(create_app(load_settings()))) as client:  # type: ignore[arg-type]
            response = await client.get(path)
            return response.status, dict(response.headers), await response.read()

    return asyncio.run(run())


def page(path: str = "/figures") -> str:
    status, headers, body = get(path)
    assert status == 200, body[:500]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return body.decode()


def body_rows(html: str) -> list[str]:
    """The row headings of the latest figures' table body, in order."""
    tbody = html.split('id="figures-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', tbody)


def row_values(html: str, metric: str) -> list[Optional[int]]:
    """One column of the latest figures' table body (data-value), in order."""
    tbody = html.split('id="figures-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    column = METRICS.index(metric)
    rows = re.findall(r"<tr>(.*?)</tr>", tbody, re.DOTALL)
    values = [re.findall(r'data-value="(\d*)"', row)[column] for row in rows]
    return [int(value) if value else None for value in values]


def add_quarter(fy: int, quarter: int, rows: dict[str, int], source: str = "CBP test export") -> None:
    """Import one quarter for some Centers: every metric of a Center is its number (staff: number % 1000)."""
    inputs = [
        FigureInput(code, fy, quarter, value, value // 10, value * 10, value // 2, value % 1000)
        for code, value in rows.items()
    ]
    store.upsert_figures(inputs, source)


# -- the page ----------------------------------------------------------------------------------------------------------
def test_the_page_shows_every_centers_latest_figures_with_period_and_source(sample_db_url: str) -> None:
    html = page()
    assert '<html lang="en">' in html
    assert '<caption id="latest-caption">Center figures for FY2026 Q4 (Jul–Sep 2026)</caption>' in html
    assert "Source: sample data (fictional, for demonstration)." in html
    assert body_rows(html) == list(CENTER_NAMES)  # by name, as the page opens
    headings = re.findall(r'<th scope="col" data-sort-key="(\w+)"', html)
    assert headings == ["center", *METRICS]
    assert ">CBP staff<" in html and ">Post-entry actions<" in html and ">Partner accounts<" in html
    # Every value is the store's, formatted with thousands separators; the total row adds them up.
    for metric in METRICS:
        ranking = {r.center_code: r.value for r in store.ranking(metric)}
        assert sorted(row_values(html, metric)) == sorted(ranking.values())
        assert f'<td class="num">{sum(ranking.values()):,}</td>' in html
    entries = store.figure("CEE010", "entries")
    assert entries is not None and f">{entries.value:,}</td>" in html
    assert 'aria-sort="ascending"' in html.split("</thead>")[0]
    assert html.count('class="skip-link" href="#main-content"') == 1 and 'id="main-content"' in html


def test_the_page_has_no_inline_script_or_style_and_loads_only_this_servers_files(sample_db_url: str) -> None:
    html = page()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts == [(' src="/figures.js" defer', "")]
    assert not re.search(r"\s(on[a-z]+|style)\s*=", html, re.IGNORECASE)
    assert "<style" not in html and "javascript:" not in html.lower()
    found = re.findall(r'(?:src|href)="(/[^"#?]*)', html)
    loaded = {re.sub(r"/(chart|trend)/\w+\.png$", r"/\1/", path) for path in found}
    assert loaded == {"/", "/figures", "/site.css", "/figures.css", "/figures.js", "/figures/chart/", "/figures/trend/"}
    for path in ("/figures.js", "/figures.css"):
        status, headers, body = get(path)
        assert status == 200 and body and "Content-Security-Policy" in headers


@pytest.mark.parametrize(
    ("query", "metric", "descending"),
    [("?sort=entries&order=desc", "entries", True), ("?sort=staff&order=asc", "staff", False)],
)
def test_the_table_sorts_without_javascript(sample_db_url: str, query: str, metric: str, descending: bool) -> None:
    html = page("/figures" + query)
    values = row_values(html, metric)
    assert values == sorted(values, reverse=descending)
    head = html.split("</thead>")[0]
    sorted_heading = re.search(rf'<th [^>]*data-sort-key="{metric}"[^>]*>', head)
    assert sorted_heading and f'aria-sort="{"descending" if descending else "ascending"}"' in sorted_heading.group(0)
    assert head.count("aria-sort=") == 1
    # The sorted column's link reverses the order; the others sort largest first.
    other = "importers" if metric != "importers" else "entries"
    assert f'href="?sort={metric}&amp;order={"asc" if descending else "desc"}#latest"' in head
    assert f'href="?sort={other}&amp;order=desc#latest"' in head


def test_an_unknown_sort_falls_back_to_the_centers_by_name(sample_db_url: str) -> None:
    assert body_rows(page("/figures?sort=%3Cscript%3E&order=sideways")) == list(CENTER_NAMES)


def test_the_trend_covers_the_stored_quarters(sample_db_url: str) -> None:
    data = figures_data.read_snapshot()
    assert [tuple(p) for p in data.periods] == [(2025, q) for q in (1, 2, 3, 4)] + [(2026, q) for q in (1, 2, 3, 4)]
    for metric in METRICS:
        for center in data.centers:
            assert list(data.trend[metric][center.code]) == [r.value for r in store.series(center.code, metric, 12)]
    html = page()
    assert "From FY2025 Q1 (Oct–Dec 2024) to FY2026 Q4 (Jul–Sep 2026)." in html
    trend = html.split('id="trend-entries-caption"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="col" class="num">(FY\d\d Q\d)</th>', trend) == [
        f"FY{fy % 100} Q{q}" for fy, q in data.periods
    ]
    machinery = store.series("CEE010", "entries", 12)
    row = trend.split(">Machinery</th>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    change_q = (machinery[-1].value - machinery[-2].value) / machinery[-2].value * 100
    change_y = (machinery[-1].value - machinery[-5].value) / machinery[-5].value * 100
    assert cells == [f"{r.value:,}" for r in machinery] + [f"{change_q:+.1f}%", f"{change_y:+.1f}%"]


def test_newly_imported_figures_show_without_a_restart(sample_db_url: str) -> None:
    before = page()
    digest = re.search(r"/figures/chart/entries\.png\?v=(\w+)", before)
    assert digest
    add_quarter(2027, 1, {"CEE010": 987_654, "CEE001": 123_456}, source="CBP test export")
    figures_data.clear_cache()  # the page keeps what it read for at most TTL_SECONDS (2 s)
    after = page()
    assert '<caption id="latest-caption">Center figures for FY2027 Q1 (Oct–Dec 2026)</caption>' in after
    assert ">9,876,540</td>" in after  # CEE010's entries
    assert "Source: CBP test export." in after and "sample data" not in after
    latest_table = after.split('id="figures-table"', 1)[1].split("</table>", 1)[0]
    assert latest_table.count(">no data</td>") == 8 * len(METRICS)  # the other eight Centers have no FY2027 Q1 yet
    missing = "No figures for FY2027 Q1 (Oct–Dec 2026) yet from 8 Centers: Agriculture &amp; Prepared Products, Apparel"
    assert missing in re.sub(r"\s+", " ", after)
    assert row_values(page("/figures?sort=entries&order=desc"), "entries") == [9_876_540, 1_234_560] + [None] * 8
    new_digest = re.search(r"/figures/chart/entries\.png\?v=(\w+)", after)
    assert new_digest and new_digest.group(1) != digest.group(1)
    assert "FY27 Q1" in after.split('id="trend-entries-caption"', 1)[1]


def test_the_snapshot_is_kept_for_a_short_time_only(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = figures_data.snapshot()
    add_quarter(2027, 1, {"CEE010": 5})
    assert figures_data.snapshot() is first  # within the TTL: the same figures
    assert figures_data.snapshot(ttl=0).latest == (2027, 1)  # past it: read again


def test_text_from_the_database_is_escaped(sample_db_url: str) -> None:
    add_quarter(2027, 1, {"CEE010": 5}, source='<script>alert("x")</script>')
    figures_data.clear_cache()
    html = page()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_no_figures_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    store.dispose_engines()
    store.init_db()
    html = page()
    assert "No Center figures have been loaded yet." in html
    assert "<script" not in html  # nothing to sort
    assert get("/figures/chart/entries.png")[0] == 404


def test_database_down_gives_a_polite_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")  # no tables: unavailable
    store.dispose_engines()
    try:
        status, headers, body = get("/figures")
        assert status == 503
        html = body.decode()
        assert "The figures are unavailable right now" in html and "try again in a few minutes" in html
        assert "Traceback" not in html and "sqlite" not in html.lower() and "OperationalError" not in html
        assert headers["Retry-After"] == "60" and "Content-Security-Policy" in headers
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert get("/figures/trend/entries.png")[0] == 503
    finally:
        store.dispose_engines()


# -- the charts --------------------------------------------------------------------------------------------------------
def png_size(body: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG"
        return image.size


def test_charts_are_served_for_every_metric(sample_db_url: str) -> None:
    html = page()
    for metric in METRICS:
        for kind, size in (("chart", (640, 360)), ("trend", (960, 520))):
            src = re.search(rf'src="(/figures/{kind}/{metric}\.png\?v=\w+)"', html)
            assert src, (kind, metric)
            status, headers, body = get(src.group(1).replace("&amp;", "&"))
            assert status == 200 and headers["Content-Type"] == "image/png", (kind, metric)
            assert png_size(body) == size
            assert "Content-Security-Policy" in headers
    for path in (
        "/figures/chart/nothing.png",
        "/figures/trend/..%2Fsettings.png",
        "/figures/chart/",
        "/templates/figures.html",
    ):
        assert get(path)[0] == 404, path


def test_every_chart_has_a_text_alternative_naming_every_value(sample_db_url: str) -> None:
    html = page()
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert len(images) == 2 * len(METRICS)
    alt = dict(images)
    entries_alt = next(text for src, text in alt.items() if "/chart/entries" in src)
    assert entries_alt.startswith("Bar chart: Entries by Center, FY2026 Q4 (Jul–Sep 2026).")
    for record in store.ranking("entries"):
        assert f": {record.value:,} entries" in entries_alt
    staff_trend = next(text for src, text in alt.items() if "/trend/staff" in src)
    assert staff_trend.startswith("Line charts of CBP staff at each Center, quarter by quarter from FY2025 Q1")


def test_chart_images_follow_the_figures(sample_db_url: str) -> None:
    before = get("/figures/chart/entries.png")[2]
    assert get("/figures/chart/entries.png")[2] == before  # drawn once per data (cached under the digest)
    add_quarter(2027, 1, {"CEE010": 987_654, "CEE001": 123_456})
    figures_data.clear_cache()
    assert get("/figures/chart/entries.png")[2] != before


def test_trend_chart_checks_its_input_and_marks_missing_quarters() -> None:
    with pytest.raises(ValueError):
        figure_charts.trend_png("t", [("A", [1, 2])], ["Q1"])
    with pytest.raises(ValueError):
        figure_charts.trend_png("t", [], [])
    body = figure_charts.trend_png("Entries", [("A", [1, None, 3]), ("B", [None, None, 2])], ["Q1", "Q2", "Q3"])
    assert png_size(body)[0] == 960


@pytest.mark.parametrize(
    ("value", "text"), [(118, "118"), (540_200, "540k"), (2_430_000, "2.43M"), (1_000_000_000, "1B"), (0, "0")]
)
def test_compact_tick_labels(value: float, text: str) -> None:
    assert figure_charts.compact(value) == text


def test_the_page_context_is_strings_ready_to_show(sample_db_url: str) -> None:
    context: dict[str, Any] = figures_page.page_context(figures_data.read_snapshot(), "entries", "desc")
    assert context["latest"] == "FY2026 Q4 (Jul–Sep 2026)"
    assert [c["aria_sort"] for c in context["columns"]] == [None, None, None, "descending", None, None]
    assert all(isinstance(cell["text"], str) for row in context["rows"] for cell in row["cells"])

"""The Center figures page (issue 15, item 4) in a real browser, against a real page server and a real SQLite database.

The page server is ``python -m bot.runtime.web_server`` (no Rasa server or model needed); the database is seeded and
then changed with the staff command line (``python -m bot.db seed``, ``import-figures``) while the server runs.
Debian's headless Chromium is driven by Playwright; axe-core checks the page (0 violations of any impact).

Also saves a screenshot to ``results/screenshot-figures.png``; ``CEE_UPDATE_SCREENSHOT=1`` (or a missing file) also
writes ``docs/screenshot-figures.png``, the one the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.db.importer import FIGURE_COLUMNS
from bot.runtime.processes import free_ports, listening, wait_until
from bot.settings import ROOT

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.e2e import test_browser  # noqa: E402
from tests.e2e.test_browser import RESULTS, axe_violations  # noqa: E402
from tests.stack import run_db_command  # noqa: E402

SCREENSHOT = ROOT / "docs" / "screenshot-figures.png"
CODES = [f"CEE{n:03d}" for n in range(1, 11)]


@dataclass
class PageServer:
    url: str
    database_url: str
    process: subprocess.Popen


@contextmanager
def page_server(database_url: str) -> Iterator[PageServer]:
    """A page server of its own reading ``database_url``."""
    (port,) = free_ports(1)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.web_server", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: listening(port), timeout=60)
        yield PageServer(f"http://127.0.0.1:{port}", database_url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    """A page server on a SQLite database seeded with the sample data by ``python -m bot.db seed``."""
    url = f"sqlite:///{tmp_path_factory.mktemp('figures') / 'cee-guide.db'}"
    assert "Seeded the database" in run_db_command(url, "seed")
    with page_server(url) as running:
        yield running


browser = test_browser.browser  # the same module-wide Chromium fixture


@contextmanager
def new_page(browser: Browser, javascript: bool = True, height: int = 760, expected: str = "^$") -> Iterator[Page]:
    """A fresh browser page; fails the test on any page error or console error (but those matching ``expected``)."""
    context = browser.new_context(
        viewport={"width": 1200, "height": height}, device_scale_factor=1, java_script_enabled=javascript
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    try:
        yield page
        assert not [error for error in errors if not re.search(expected, error)], errors
    finally:
        context.close()


def column(page: Page, key: str) -> list[int]:
    """The latest figures' column ``key`` as the rows stand now."""
    index = ["center", "importers", "partner_accounts", "entries", "post_entry_actions", "staff"].index(key)
    return [
        int(v)
        for v in page.locator(f"#figures-table tbody tr td:nth-child({index + 1})").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
    ]


def centers(page: Page) -> list[str]:
    return page.locator("#figures-table tbody th[scope=row]").all_inner_texts()


def images_loaded(page: Page) -> list[int]:
    """Each chart image's natural width once loaded (0: broken). Polled: ``img.decode()`` never settles in a page
    whose scripts are off."""
    page.locator("img").evaluate_all("imgs => imgs.forEach(i => { i.loading = 'eager'; })")
    widths: list[int] = []

    def settled() -> bool:
        widths[:] = page.locator("img").evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)")
        return -1 not in widths

    assert wait_until(settled, timeout=60, interval=0.25), widths
    return widths


def test_figures_page_is_accessible_and_sorts_with_the_keyboard(browser: Browser, server: PageServer) -> None:
    with new_page(browser, height=1000) as page:
        response = page.goto(server.url + "/figures")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("Center figures")
        expect(page.locator("#latest-caption")).to_have_text("Center figures for FY2026 Q4 (Jul–Sep 2026)")
        expect(page.locator(".figures-source")).to_contain_text("Source: sample data")
        expect(page.locator("#figures-table tbody tr")).to_have_count(10)
        by_name = centers(page)
        assert by_name == sorted(by_name, key=str.lower)
        # The script turned every heading link into a button.
        expect(page.locator("#figures-table thead button.sort-button")).to_have_count(6)
        expect(page.locator("#figures-table thead a")).to_have_count(0)
        assert images_loaded(page) == [640] * 5 + [960] * 5
        assert axe_violations(page) == []

        # Keyboard only: from the Center heading, Tab three times reaches Entries; Enter sorts largest first.
        page.locator("th[data-sort-key=center] button").focus()
        for _ in range(3):
            page.keyboard.press("Tab")
        entries = page.locator("th[data-sort-key=entries]")
        expect(entries.locator("button")).to_be_focused()
        page.keyboard.press("Enter")
        expect(entries).to_have_attribute("aria-sort", "descending")
        assert page.locator("#figures-table thead th[aria-sort]").count() == 1
        values = column(page, "entries")
        assert values == sorted(values, reverse=True)
        expect(page.locator("#sort-status")).to_have_text("Table sorted by Entries, descending.")
        # Space reverses it; the total row stays last.
        page.keyboard.press(" ")
        expect(entries).to_have_attribute("aria-sort", "ascending")
        assert column(page, "entries") == sorted(values)
        expect(page.locator("#figures-table tfoot th")).to_have_text("All Centers")
        assert page.url.endswith("/figures?sort=entries&order=asc#latest")

        # A text column: A to Z first, then Z to A.
        page.locator("th[data-sort-key=center] button").press("Enter")
        expect(page.locator("th[data-sort-key=center]")).to_have_attribute("aria-sort", "ascending")
        assert centers(page) == by_name
        page.locator("th[data-sort-key=center] button").press("Enter")
        expect(page.locator("th[data-sort-key=center]")).to_have_attribute("aria-sort", "descending")
        assert centers(page) == list(reversed(by_name))

        # The reloaded page (the URL the script kept) is sorted the same way by the server.
        page.locator("th[data-sort-key=staff] button").press("Enter")
        staff = column(page, "staff")
        page.reload()
        expect(page.locator("th[data-sort-key=staff]")).to_have_attribute("aria-sort", "descending")
        assert column(page, "staff") == staff == sorted(staff, reverse=True)
        assert axe_violations(page) == []

        # The screenshot the README shows: the page sorted by entries, largest first, down to the first charts.
        page.set_viewport_size({"width": 1200, "height": 1500})
        page.goto(server.url + "/figures?sort=entries&order=desc")
        assert images_loaded(page)[:2] == [640, 640]
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / "screenshot-figures.png"))
        assert (RESULTS / "screenshot-figures.png").stat().st_size < 400_000
        if os.environ.get("CEE_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists():
            SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copyfile(RESULTS / "screenshot-figures.png", SCREENSHOT)


def test_figures_table_works_without_javascript(browser: Browser, server: PageServer) -> None:
    with new_page(browser, javascript=False) as page:
        page.goto(server.url + "/figures")
        expect(page.locator("#figures-table tbody tr")).to_have_count(10)
        expect(page.locator("#figures-table thead button")).to_have_count(0)
        link = page.locator("th[data-sort-key=post_entry_actions] a.sort-link")
        expect(link).to_have_text("Post-entry actions")
        link.click()
        page.wait_for_url(re.compile(r"sort=post_entry_actions&order=desc"))
        expect(page.locator("th[data-sort-key=post_entry_actions]")).to_have_attribute("aria-sort", "descending")
        values = column(page, "post_entry_actions")
        assert values == sorted(values, reverse=True)
        page.locator("th[data-sort-key=post_entry_actions] a.sort-link").click()  # again: the other way
        page.wait_for_url(re.compile(r"sort=post_entry_actions&order=asc"))
        assert column(page, "post_entry_actions") == sorted(values)
        # The trend's tables open without JavaScript too.
        page.locator("#trend summary").first.click()
        expect(page.locator("#trend-importers-caption")).to_be_visible()
        assert images_loaded(page) == [640] * 5 + [960] * 5
        url = page.url
    # axe-core needs scripts (its promise never settles in a page without them): check the same page, as the server
    # sends it, in a browser with scripts on but without the page's own script.
    with new_page(browser) as page:
        page.route("**/figures.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
        page.goto(url)
        expect(page.locator("#figures-table thead a.sort-link")).to_have_count(6)
        page.locator("#trend summary").first.click()
        assert axe_violations(page) == []


def test_newly_imported_figures_show_without_a_restart(browser: Browser, server: PageServer, tmp_path: Path) -> None:
    with new_page(browser) as page:
        page.goto(server.url + "/figures")
        expect(page.locator("#latest-caption")).to_contain_text("FY2026 Q4")
        old_chart = page.locator("#charts img").first.get_attribute("src")

        # CBP staff import a new quarter with the command line while the page server runs.
        csv = tmp_path / "figures-fy2027q1.csv"
        rows = [",".join(FIGURE_COLUMNS)]
        rows += [
            f"{code},2027,1,{20000 + i},{400 + i},{3_000_000 + i},{40000 + i},{150 + i}" for i, code in enumerate(CODES)
        ]
        csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        out = run_db_command(server.database_url, "import-figures", str(csv), "--source", "CBP test export")
        assert "10 inserted" in out

        def shows_new_quarter() -> bool:
            page.reload()
            return "FY2027 Q1" in (page.locator("#latest-caption").text_content() or "")

        assert wait_until(shows_new_quarter, timeout=15, interval=0.5)
        assert server.process.poll() is None  # the same server process: no restart
        expect(page.locator("#latest-caption")).to_have_text("Center figures for FY2027 Q1 (Oct–Dec 2026)")
        expect(page.locator(".figures-source")).to_contain_text("Source: CBP test export.")
        expect(page.locator(".figures-source")).not_to_contain_text("sample data")
        expect(page.locator("#figures-table tbody")).to_contain_text("3,000,009")
        expect(page.locator("#figures-table tfoot")).to_contain_text(f"{sum(3_000_000 + i for i in range(10)):,}")
        new_chart = page.locator("#charts img").first.get_attribute("src")
        assert new_chart != old_chart  # the charts are drawn from the new figures
        alt = page.locator("#charts img").nth(2).get_attribute("alt") or ""
        assert alt.startswith("Bar chart: Entries by Center, FY2027 Q1") and "3,000,009 entries" in alt
        assert images_loaded(page) == [640] * 5 + [960] * 5
        page.locator("#trend summary").nth(2).click()
        expect(page.locator("#trend-entries-caption")).to_be_visible()
        expect(page.locator("#trend-entries-caption + thead th").last).to_have_text("Change on the year before")
        assert "FY27 Q1" in page.locator("#trend-entries-caption + thead").inner_text()


def test_figures_page_when_the_database_is_down(browser: Browser, tmp_path: Path) -> None:
    with (
        page_server(f"sqlite:///{tmp_path / 'never-initialised.db'}") as down,
        new_page(browser, expected="status of 503") as page,
    ):
        response = page.goto(down.url + "/figures")
        assert response is not None and response.status == 503
        expect(page.locator("h2")).to_have_text("The figures are unavailable right now")
        expect(page.locator("main")).to_contain_text("Please try again in a few minutes.")
        assert "Traceback" not in page.content()
        assert axe_violations(page) == []

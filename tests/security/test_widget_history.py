"""The widget's copy of a conversation in the browser (localStorage) is dropped after the period the server keeps
conversations (``RETENTION_DAYS``, given to the page by the page server as the widget tag's ``data-retention-days``).

In Debian's headless Chromium driven by Playwright (as ``tests/e2e/test_browser.py``), against the real servers.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.running import Bot

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.e2e import test_browser  # noqa: E402
from tests.e2e.test_browser import page_url, point_widget_at, rasa_url, wait_ready  # noqa: E402
from tests.security.test_static_server import page_server  # noqa: E402

DAY_MS = 86_400_000
SESSION_KEY = "cee-guide-session"


browser = test_browser.browser  # the same module-wide Chromium fixture


def history_key(session: str) -> str:
    return f"cee-guide-history:{session}"


def time_key(session: str) -> str:
    return f"cee-guide-history-at:{session}"


@pytest.fixture
def page(browser: Browser, bot: Bot) -> Iterator[Page]:
    """The demo page, its widget talking to the test Rasa (the tag's data-server set as the parser inserts it)."""
    context = browser.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    point_widget_at(page, rasa_url(bot))
    page.goto(page_url(bot))
    try:
        yield page
    finally:
        context.close()


def store_history(page: Page, session: str, text: str, age_days: float | None, message_age_days: float = 0) -> None:
    """A history of one user message in localStorage, saved ``age_days`` ago (None: with no time saved)."""
    now = time.time() * 1000
    history = [{"from": "user", "text": text, "ts": now - message_age_days * DAY_MS}]
    items: dict[str, Any] = {history_key(session): json.dumps(history)}
    if age_days is not None:
        items[time_key(session)] = str(now - age_days * DAY_MS)
    page.evaluate("items => { for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v); }", items)


def stored(page: Page) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")


def test_history_older_than_the_retention_period_is_gone_after_a_reload(page: Page) -> None:
    assert page.get_attribute("script[src='/widget/cee-chat.js']", "data-retention-days") == "90"
    wait_ready(page)
    # The recent history is kept under a session id the server issued: the widget drops the history of any other id
    # when the server replaces it (tests/security/test_sessions.py).
    page.wait_for_function("key => localStorage.getItem(key)", arg=SESSION_KEY)
    issued = str(page.evaluate("key => localStorage.getItem(key)", SESSION_KEY))
    store_history(page, "old-session", "my old question", age_days=91, message_age_days=91)
    store_history(page, issued, "my recent question", age_days=1, message_age_days=1)
    store_history(page, "untimed-old", "an untimed old question", age_days=None, message_age_days=120)
    store_history(page, "untimed-recent", "an untimed recent question", age_days=None, message_age_days=2)
    page.evaluate("key => localStorage.setItem(key, 'old-session')", SESSION_KEY)

    page.reload()
    wait_ready(page)
    kept = stored(page)
    assert history_key("old-session") not in kept and time_key("old-session") not in kept
    assert history_key("untimed-old") not in kept
    assert "my recent question" in kept[history_key(issued)]
    assert "an untimed recent question" in kept[history_key("untimed-recent")]
    expect(page.locator("#cee-chat-log")).not_to_contain_text("my old question")

    page.evaluate("([key, issued]) => localStorage.setItem(key, issued)", [SESSION_KEY, issued])
    page.reload()
    wait_ready(page)
    expect(page.locator(".cee-msg-user .cee-msg-text").last).to_have_text("my recent question")


def test_saving_the_history_saves_its_time(page: Page) -> None:
    wait_ready(page)
    before = time.time() * 1000
    page.fill("#cee-chat-input", "hello")
    page.press("#cee-chat-input", "Enter")
    session = page.evaluate("() => window.CEEChat.sessionId")
    assert "hello" in stored(page)[history_key(session)]
    assert before - 60_000 <= float(stored(page)[time_key(session)]) <= time.time() * 1000 + 1000


def test_the_page_server_gives_the_widget_retention_days() -> None:
    with page_server(RETENTION_DAYS="30") as base, urllib.request.urlopen(f"{base}/", timeout=30) as response:
        html = response.read().decode("utf-8")
    assert 'src="/widget/cee-chat.js"' in html and 'data-retention-days="30"' in html

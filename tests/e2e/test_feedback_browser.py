"""Feedback on answers in a real browser (Debian's headless Chromium driven by Playwright), against the real servers:
the buttons are shown after answers only, are real keyboard-operable buttons named with their answer's question, pass
axe-core with no violation, and a "Not helpful" click is stored in the database with the answer's knowledge id and the
question masked, and is in the staff report's unanswered questions; the thanks that replaces the buttons is announced
(``role="status"``) and takes the focus.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from bot.db import store
from bot.insights import report
from tests.running import FAQ_ARTICLE, FAQ_QUESTION, Bot

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

from tests.e2e import test_browser  # noqa: E402
from tests.e2e.test_browser import REPLY_TIMEOUT_MS, ask, axe_violations, wait_ready  # noqa: E402

browser = test_browser.browser  # the same module-wide Chromium fixture
page = test_browser.page  # a fresh profile showing the demo page, failing on any page or console error

IMPORTER_QUESTION = "which center is 123-45-6789 assigned to"  # as tests/e2e/test_lookups_and_figures.py asks it


@pytest.fixture
def bot_db(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bot]:
    """The running bot, with this process reading the bot's database through ``bot.db.store``."""
    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    yield bot


def sender_of(page: Page) -> str:
    session = page.evaluate("window.CEEChat.sessionId")
    assert session, "the widget has no session"
    return "web-" + str(session).split(".")[0]


def stored(sender: str) -> list[store.FeedbackRecord]:
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    return [f for f in store.feedback_between(since) if f.sender_id == sender]


def wait_for_feedback_buttons(page: Page, count: int) -> None:
    expect(page.locator(".cee-feedback-group")).to_have_count(count, timeout=REPLY_TIMEOUT_MS)


def test_a_not_helpful_click_is_stored(page: Page, bot_db: Bot) -> None:
    wait_ready(page)
    ask(page, "hello")
    expect(page.locator(".cee-msg-bot .cee-btn").first).to_be_visible(timeout=REPLY_TIMEOUT_MS)  # the greeting
    ask(page, FAQ_QUESTION)
    wait_for_feedback_buttons(page, 1)  # the answer has them, the greeting not

    answer = page.locator(".cee-msg-bot").last  # the buttons go after the answer's last part, its source
    expect(answer.locator(".cee-feedback-group")).to_have_count(1)
    expect(answer.locator(".cee-msg-text")).to_contain_text("Source:")
    group = page.get_by_role("group", name="Was this answer helpful?")
    expect(group).to_have_count(1)
    not_helpful = page.get_by_role("button", name=f"Not helpful, answer to \u201c{FAQ_QUESTION}\u201d", exact=True)
    helpful = page.get_by_role("button", name=re.compile("^Helpful, answer to"))
    expect(not_helpful).to_be_visible()
    expect(helpful).to_be_visible()
    assert axe_violations(page) == []  # with the feedback buttons shown

    not_helpful.focus()  # by keyboard
    page.keyboard.press("Enter")
    thanks = answer.get_by_role("status")
    expect(thanks).to_have_text("Thanks for your feedback.")
    expect(thanks).to_be_focused()
    expect(page.locator(".cee-feedback-group")).to_have_count(0)

    rows = stored(sender_of(page))
    assert [(f.answer_id, f.helpful, f.question, f.channel) for f in rows] == [
        (FAQ_ARTICLE, False, FAQ_QUESTION, "socketio")
    ]
    assert axe_violations(page) == []  # with the thanks
    unanswered = report.build(None, 1).table("unanswered")  # the staff report, from the bot's database
    assert unanswered is not None and FAQ_QUESTION in unanswered.csv()

    page.reload()  # the thanks stays with the answer, and no new buttons appear
    wait_ready(page)
    expect(page.locator(".cee-feedback-status").filter(has_text="Thanks for your feedback.")).to_have_count(1)
    expect(page.locator(".cee-feedback-group")).to_have_count(0)


def test_the_question_is_stored_masked(page: Page, bot_db: Bot) -> None:
    wait_ready(page)
    ask(page, IMPORTER_QUESTION)
    wait_for_feedback_buttons(page, 1)
    page.get_by_role("button", name=re.compile("^Helpful, answer to")).click()
    expect(page.get_by_role("status").filter(has_text="Thanks for your feedback.")).to_have_count(1)
    rows = stored(sender_of(page))
    assert [(f.answer_id, f.helpful, f.question) for f in rows] == [
        ("action_center_for_importer", True, "which center is ***-**-6789 assigned to")
    ]

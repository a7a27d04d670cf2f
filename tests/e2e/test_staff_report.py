"""The staff report against the running servers: a question the bot does not understand, asked over REST, and an
answer rated "not helpful" whose question has a Social Security-format number in it (stored masked), appear in the
report's unanswered group, masked, on the staff page (behind the API token) and in the files of
``python -m bot.insights``; the staff page refuses requests without the token.

The question that falls back is one of unknown words, which any model sends to the fallback (``bot.followups``); a
question with an importer-format number in it is an importer question, so the number comes with the feedback.

Also saves a screenshot of the staff page to ``results/screenshot-report.png``; ``CEE_UPDATE_SCREENSHOT=1`` (or a
missing file) also writes ``docs/screenshot-report.png``, the one the README shows.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from email.message import Message
from pathlib import Path
from typing import Any, Optional

import pytest

from bot.serve import Stack
from bot.settings import ROOT
from tests.running import Bot, new_sender
from tests.stack import rasa_url

TOKEN = secrets.token_hex(16)
FALLBACK = "blorp zanzibar quux"
NOT_HELPFUL = "purple elephants sing jazz, my social is 123-45-6789"
MASKED = "purple elephants sing jazz, my social is ***-**-6789"
QUESTIONS = (
    "hello",
    "Which Center handles frozen shrimp?",
    "Which Center handles HTS 8471.30.0100?",
    "How many entries did the Machinery Center have?",
    "Which Center has the most importers?",
    "Where is the Base Metals Center?",
    "How do I change my Center?",
    "how long does a change of center take?",
)
RESULTS = ROOT / "results"
SCREENSHOT = ROOT / "docs" / "screenshot-report.png"


@pytest.fixture(scope="module")
def staff(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[Stack]:
    """A running bot with the HTTP API's token set, and a few conversations in its tracker store."""
    with start_stack("staff-report", rasa_api_token=TOKEN, env={"IMPORTER_LOOKUP_LIMIT": "100000"}) as stack:
        for index, question in enumerate((*QUESTIONS, FALLBACK)):
            send(stack, question, new_sender() if index % 3 == 0 else "staff-report-test")
        rate = "from bot.db import store; import sys; store.record_feedback('staff-report-test', 'socketio', "
        rate += "'faq/change_how', False, sys.argv[1])"
        env = {**os.environ, "DATABASE_URL": stack.settings.database_url}
        subprocess.run([sys.executable, "-c", rate, NOT_HELPFUL], cwd=ROOT, env=env, check=True, timeout=120)
        yield stack


def send(stack: Stack, message: str, sender: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{rasa_url(stack)}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def get(stack: Stack, path: str, token: Optional[str] = None, header: bool = True) -> tuple[int, Message, bytes]:
    url = f"{rasa_url(stack)}/webhooks/staff/{path}"
    headers = {}
    if token and header:
        headers["Authorization"] = f"Bearer {token}"
    elif token:
        url += ("&" if "?" in url else "?") + f"token={token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_fallback_question_is_in_the_unanswered_group_masked(staff: Stack) -> None:
    status, headers, body = get(staff, "report?days=1", TOKEN)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    unanswered = page[page.index('<section id="unanswered"') :]
    unanswered = unanswered[: unanswered.index("</section>")]
    assert MASKED in unanswered and FALLBACK in unanswered
    assert "123-45-6789" not in page
    assert "no-store" in headers["Cache-Control"] and "default-src 'none'" in headers["Content-Security-Policy"]

    status, headers, body = get(staff, "report/unanswered.csv?days=1", TOKEN)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert MASKED in body.decode() and "123-45-6789" not in body.decode()
    status, headers, body = get(staff, "report/top_intents.png?days=1", TOKEN, header=False)
    assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")


def test_the_staff_page_refuses_requests_without_the_token(staff: Stack) -> None:
    for path in ("report", "report?days=7", "report/unanswered.csv", "report/top_intents.png"):
        status, headers, body = get(staff, path)
        assert status == 401 and headers.get("WWW-Authenticate") == "Bearer", path
        assert b"elephants" not in body
        assert get(staff, path, "not-the-token")[0] == 403, path
        assert get(staff, path, "not-the-token", header=False)[0] == 403, path
    assert get(staff, "report?days=0", TOKEN)[0] == 400
    assert get(staff, "report/nothing.csv", TOKEN)[0] == 404


def test_the_command_writes_the_report_files(staff: Stack, tmp_path: Path) -> None:
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "bot.insights", "--days", "1", "--out", str(out)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": staff.settings.database_url,
            "TRACKER_STORE_URL": f"sqlite:///{staff.log_dir / 'conversations.db'}",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert MASKED in page and "123-45-6789" not in page
    assert MASKED in (out / "unanswered.csv").read_text(encoding="utf-8")
    assert FALLBACK in (out / "unanswered.csv").read_text(encoding="utf-8")
    for name in ("traffic_by_day", "traffic_by_channel", "top_intents", "top_faq", "center_demand", "requests"):
        assert (out / f"{name}.csv").exists(), name
    assert (out / "top_intents.png").read_bytes().startswith(b"\x89PNG")


def test_screenshot_of_the_staff_page(staff: Stack) -> None:
    browser_test = pytest.importorskip("tests.e2e.test_browser")
    if not Path(browser_test.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_test.CHROMIUM, args=browser_test.CHROMIUM_ARGS, timeout=60_000
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1500})
            page.goto(f"{rasa_url(staff)}/webhooks/staff/report?days=1&token={TOKEN}")
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.locator("#unanswered table").inner_text().count("***-**-6789") >= 1
            for image in page.locator("img").all():
                assert image.get_attribute("alt"), "every chart has a text alternative"
            if browser_test.AXE.exists():
                serious = [v for v in browser_test.axe_violations(page) if v["impact"] in ("serious", "critical")]
                assert not serious, serious
            RESULTS.mkdir(exist_ok=True)
            page.locator("#unanswered").scroll_into_view_if_needed()
            page.screenshot(path=str(RESULTS / "screenshot-report.png"))
        finally:
            browser.close()
    assert (RESULTS / "screenshot-report.png").stat().st_size < 400_000
    if os.environ.get("CEE_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists():
        shutil.copyfile(RESULTS / "screenshot-report.png", SCREENSHOT)


def test_no_staff_page_on_a_server_without_a_token(bot: Bot) -> None:
    url = bot.rest_url.replace("/webhooks/rest/webhook", "/webhooks/staff/report?days=1")
    for headers in ({}, {"Authorization": "Bearer anything"}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60)
        assert refused.value.code == 404

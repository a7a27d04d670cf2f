"""The chat page in a real browser: Debian's headless Chromium driven by Playwright, against the real servers.

The page is the demo page served by the stack (``web/``), with the widget pointed at the test Rasa port: the
widget's ``data-server`` attribute is set on its script tag as the page loads (the widget would otherwise use
``location.hostname:5005``). The page's origin (``http://127.0.0.1:<web port>``) is in the test stack's CORS_ORIGINS.

Also saves a screenshot to ``results/screenshot-chat.png``; ``CEE_UPDATE_SCREENSHOT=1`` (or a missing file) also
writes ``docs/screenshot-chat.png``, the one the README shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.actions.charts import bar_chart
from bot.settings import ROOT
from tests.running import Bot

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = ROOT / "docs" / "screenshot-chat.png"
RESULTS = ROOT / "results"
REPLY_TIMEOUT_MS = 60_000


def page_url(bot: Bot) -> str:
    return f"http://127.0.0.1:{bot.stack.settings.web_port}/"


def rasa_url(bot: Bot) -> str:
    return f"http://127.0.0.1:{bot.stack.settings.rasa_port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


def point_widget_at(page: Page, server: str) -> None:
    """Give the widget's <script> tag a ``data-server`` attribute as the parser inserts it (before the deferred script
    runs), so that the page talks to ``server``.
    """
    page.add_init_script(
        """(server => {
            new MutationObserver((mutations, observer) => {
                for (const m of mutations) for (const node of m.addedNodes) {
                    if (node.tagName === 'SCRIPT' && /cee-chat\\.js/.test(node.getAttribute('src') || '')) {
                        node.setAttribute('data-server', server);
                        observer.disconnect();
                    }
                }
            }).observe(document, {childList: true, subtree: true});
        })(%s)"""  # noqa: UP031 - %-formatting: the script's braces stay single
        % json.dumps(server)
    )


@pytest.fixture
def page(browser: Browser, bot: Bot) -> Iterator[Page]:
    """A fresh browser profile (empty localStorage) showing the demo page, its widget talking to the test Rasa."""
    context = browser.new_context(viewport={"width": 1200, "height": 760}, device_scale_factor=1)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)

    # The page itself comes unchanged from the test web server: a page fulfilled by Playwright would count as
    # "public" for Chromium's local network access checks, which then block its calls to Rasa on 127.0.0.1.
    point_widget_at(page, rasa_url(bot))
    page.goto(page_url(bot))
    assert page.get_attribute("script[src='/widget/cee-chat.js']", "data-server") == rasa_url(bot)
    try:
        yield page
        assert not errors, errors
    finally:
        context.close()


def wait_ready(page: Page) -> None:
    expect(page.locator("#cee-chat")).to_have_attribute("data-status", "ready", timeout=REPLY_TIMEOUT_MS)


def ask(page: Page, text: str) -> None:
    page.fill("#cee-chat-input", text)
    page.press("#cee-chat-input", "Enter")
    expect(page.locator(".cee-msg-user .cee-msg-text").last).to_have_text(text)


def last_bot_text(page: Page) -> Any:
    return page.locator(".cee-msg-bot:not(.cee-msg-error) .cee-msg-text").last


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # Checked once the panel's opening fade is over: halfway through it, text has too little contrast (the typing
    # dots' endless animation is not waited for).
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)))"""
    )
    page.evaluate(AXE.read_text() + "\n;true")  # not a <script> tag: the page's CSP allows no inline script
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )


def test_chat_page_in_a_browser(page: Page, bot: Bot) -> None:
    wait_ready(page)
    expect(page.locator("#cee-chat-panel")).to_be_visible()  # the demo page opens the chat

    # A greeting with suggestion buttons; a click sends the payload and shows the title as the user's message.
    ask(page, "hello")
    expect(last_bot_text(page)).to_contain_text("CEE Guide", timeout=REPLY_TIMEOUT_MS)
    button = page.locator(".cee-btn", has_text="List the Centers").last
    expect(button).to_be_enabled()
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_class("cee-btn cee-btn-chosen")
    expect(page.locator(".cee-msg-user .cee-msg-text").last).to_have_text("List the Centers")
    # The answer: text with a link, and a table sent as custom JSON through the socket.io channel.
    table = page.locator(".cee-table").last
    expect(table.locator("caption")).to_have_text("The ten Centers", timeout=REPLY_TIMEOUT_MS)
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(table.locator("th[scope=col]")).to_have_text(["Code", "Center", "City"])
    expect(page.locator(".cee-msg-bot a.cee-link[href^='https://www.cbp.gov/']").first).to_be_visible()

    ask(page, "Where is the Machinery Center?")
    expect(last_bot_text(page)).to_contain_text("Laredo", timeout=REPLY_TIMEOUT_MS)
    session = page.evaluate("window.CEEChat.sessionId")
    assert session

    # A reload keeps the session and shows the history (buttons stay used).
    page.reload()
    wait_ready(page)
    assert page.evaluate("window.CEEChat.sessionId") == session
    expect(page.locator(".cee-msg-user .cee-msg-text")).to_have_text(
        ["hello", "List the Centers", "Where is the Machinery Center?"]
    )
    expect(last_bot_text(page)).to_contain_text("Laredo")
    expect(page.locator(".cee-btn", has_text="List the Centers").last).to_be_disabled()
    expect(page.locator(".cee-table caption")).to_have_text(["The ten Centers"])

    # The conversation goes on after the reload, in the same Rasa conversation.
    ask(page, "what does CEE005 cover")
    expect(last_bot_text(page)).to_contain_text("Base Metals", timeout=REPLY_TIMEOUT_MS)

    # Figures across Centers: text, a table and a chart image (a PNG data: URL with a text alternative).
    ask(page, "Which Center has the most entries?")
    chart = page.locator(".cee-figure img").last
    expect(chart).to_have_attribute(
        "alt", re.compile(r"^Bar chart: Entries by Center.*Machinery: [\d,]+ entries"), timeout=REPLY_TIMEOUT_MS
    )
    expect(chart).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    expect(page.locator(".cee-table caption").last).to_contain_text("Entries by Center")
    assert page.evaluate("img => img.decode().then(() => img.naturalWidth)", chart.element_handle()) == 640

    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious

    RESULTS.mkdir(exist_ok=True)
    page.evaluate("img => img.scrollIntoView({block: 'end'})", chart.element_handle())
    page.screenshot(path=str(RESULTS / "screenshot-chat.png"))
    assert (RESULTS / "screenshot-chat.png").stat().st_size < 300_000
    if os.environ.get("CEE_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(RESULTS / "screenshot-chat.png", SCREENSHOT)


def test_chart_list_and_keyboard(page: Page, bot: Bot) -> None:
    """A chart from bot.actions.charts and a list (no action sends one yet), drawn accessibly; the keyboard."""
    wait_ready(page)
    chart = bar_chart("Entries by Center, Q3 FY2025", ["Machinery", "Base Metals"], [12345, 6789.5], "entries")
    page.evaluate("m => window.CEEChat.receive(m)", {"text": "Entries by Center:", **chart})
    page.evaluate(
        "m => window.CEEChat.receive(m)",
        {"type": "list", "title": "Ways to reach a Center", "items": ["CEE Directory", "Your account manager"]},
    )
    image = page.locator(".cee-figure img").last
    expect(image).to_have_attribute("alt", chart["alt"])
    assert page.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) == 640
    expect(page.locator(".cee-list li")).to_have_text(["CEE Directory", "Your account manager"])

    # Keyboard: Escape closes the panel and gives focus back to the launcher; the launcher opens it on the input.
    page.focus("#cee-chat-input")
    page.keyboard.press("Escape")
    expect(page.locator("#cee-chat-panel")).to_be_hidden()
    expect(page.locator("#cee-chat-launcher")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#cee-chat-input")).to_be_focused()

    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_the_language_switch(page: Page, bot: Bot) -> None:
    """Español in the header: the widget's words and `lang` change, and a question in English words gets a Spanish
    answer; the choice survives a reload; English again. No axe violation in either language.
    """
    wait_ready(page)
    root, english, spanish = (
        page.locator("#cee-chat"),
        page.locator(".cee-lang-btn[lang=en]"),
        page.locator(".cee-lang-btn[lang=es]"),
    )
    expect(root).to_have_attribute("lang", "en")
    expect(english).to_have_attribute("aria-pressed", "true")
    assert axe_violations(page) == []

    spanish.focus()
    page.keyboard.press("Enter")  # keyboard-accessible
    expect(spanish).to_have_attribute("aria-pressed", "true")
    expect(english).to_have_attribute("aria-pressed", "false")
    expect(root).to_have_attribute("lang", "es")
    expect(page.locator("#cee-chat-input")).to_have_attribute("placeholder", "Escriba su pregunta")
    expect(page.locator("#cee-chat-send")).to_have_text("Enviar")
    expect(page.locator(".cee-chat-close")).to_have_attribute("aria-label", "Cerrar el chat")
    expect(last_bot_text(page)).to_contain_text("De ahora en adelante", timeout=REPLY_TIMEOUT_MS)

    ask(page, "which center handles 8471.30")
    expect(last_bot_text(page)).to_contain_text("Lo maneja", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".cee-msg-user").last).to_have_attribute("lang", "es")
    expect(page.locator(".cee-msg-bot").last).to_have_attribute("lang", "es")
    expect(page.locator(".cee-msg-bot .cee-sr-only").last).to_have_text("CEE Guide dijo:")
    assert axe_violations(page) == []

    page.reload()  # the choice is kept with the session
    wait_ready(page)
    expect(root).to_have_attribute("lang", "es")
    ask(page, "where is the Machinery Center?")
    expect(last_bot_text(page)).to_contain_text("Laredo", timeout=REPLY_TIMEOUT_MS)
    expect(last_bot_text(page)).to_contain_text("Fuente:")

    english.click()
    expect(root).to_have_attribute("lang", "en")
    expect(page.locator("#cee-chat-send")).to_have_text("Send")
    expect(last_bot_text(page)).to_contain_text("I'll answer in English", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".cee-msg-bot").last).to_have_attribute("lang", "en")
    expect(page.locator(".cee-msg-user").first).to_have_attribute("lang", "es")  # earlier messages keep theirs
    assert axe_violations(page) == []


def test_each_answer_is_marked_with_its_language_when_none_was_chosen(page: Page, bot: Bot) -> None:
    """No language chosen: the widget stays English, and each answer carries the `lang` the server wrote it in,
    an action's answer and a fixed reply alike: Spanish for Spanish words, English again for English ones; the
    user's message takes the language of its answer.
    """
    wait_ready(page)
    root, answer = page.locator("#cee-chat"), page.locator(".cee-msg-bot").last
    question = page.locator(".cee-msg-user").last
    ask(page, "¿Qué centro se encarga de las importaciones de acero?")  # an action's answer
    expect(last_bot_text(page)).to_contain_text("Base Metals", timeout=REPLY_TIMEOUT_MS)
    expect(answer).to_have_attribute("lang", "es")
    expect(question).to_have_attribute("lang", "es")
    expect(root).to_have_attribute("lang", "en")
    ask(page, "muchas gracias")  # a fixed reply
    expect(last_bot_text(page)).to_contain_text("De nada", timeout=REPLY_TIMEOUT_MS)
    expect(answer).to_have_attribute("lang", "es")
    assert axe_violations(page) == []
    ask(page, "which center handles steel pipes?")
    expect(last_bot_text(page)).to_contain_text("Base Metals", timeout=REPLY_TIMEOUT_MS)
    expect(answer).to_have_attribute("lang", "en")
    expect(question).to_have_attribute("lang", "en")
    expect(page.locator(".cee-msg-user").first).to_have_attribute("lang", "es")  # each keeps its own


def test_a_typed_choice_switches_the_widget_too(page: Page, bot: Bot) -> None:
    """A message that chooses a language, however written, switches the widget's own words as the header's buttons
    do, and the choice then goes with every message: English words keep getting Spanish answers.
    """
    wait_ready(page)
    root = page.locator("#cee-chat")
    ask(page, "can you answer in spanish please")
    expect(last_bot_text(page)).to_contain_text("De ahora en adelante", timeout=REPLY_TIMEOUT_MS)
    expect(root).to_have_attribute("lang", "es")
    expect(page.locator(".cee-lang-btn[lang=es]")).to_have_attribute("aria-pressed", "true")
    ask(page, "which center handles 8471.30")
    expect(last_bot_text(page)).to_contain_text("Lo maneja", timeout=REPLY_TIMEOUT_MS)

"""Editing knowledge/ while the bot runs: the new text is answered within seconds, with no training.

The servers run on a copy of knowledge/ (CEE_KNOWLEDGE_DIR), which the test edits as CBP staff would edit the real one.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from bot.serve import Stack
from bot.settings import KNOWLEDGE_DIR
from bot.train import MODEL_PATH
from tests.stack import rasa_url

LIVE_WITHIN_S = 10


@pytest.fixture(scope="module")
def live_bot(
    tmp_path_factory: pytest.TempPathFactory, start_stack: Callable[..., AbstractContextManager[Stack]]
) -> Iterator[tuple[Callable[[str], str], Path]]:
    copy = tmp_path_factory.mktemp("live") / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    with start_stack("live-stack", env={"CEE_KNOWLEDGE_DIR": str(copy)}) as stack:
        url = rasa_url(stack)

        def ask(message: str) -> str:
            body = json.dumps({"sender": f"live-{uuid.uuid4().hex[:8]}", "message": message}).encode()
            request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                return "\n".join(r.get("text") or "" for r in json.loads(response.read()))

        yield ask, copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _seconds_until(ask: Callable[[str], str], question: str, wanted: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if wanted in ask(question):
            return time.monotonic() - started
        time.sleep(0.5)
    return float("inf")


def test_an_faq_answer_edit_is_live_without_training(live_bot: tuple[Callable[[str], str], Path]) -> None:
    ask, copy = live_bot
    question = "How do I change the Center my company is assigned to?"
    assert "Office of Field Operations" in ask(question)
    model_before = MODEL_PATH.stat().st_mtime_ns
    _edit(
        copy / "faq" / "change.yml",
        "You can ask to change (appeal) your Center assignment",
        "LIVE EDIT: you can ask to change (appeal) your Center assignment",
    )
    assert _seconds_until(ask, question, "LIVE EDIT: you can ask") <= LIVE_WITHIN_S
    assert MODEL_PATH.stat().st_mtime_ns == model_before  # nothing was trained


def test_a_reply_edit_reaches_the_action_server_too(live_bot: tuple[Callable[[str], str], Path]) -> None:
    ask, copy = live_bot
    _edit(
        copy / "replies" / "lookup.yml",
        "I don't keep a copy of those contacts",
        "LIVE EDIT: I don't keep a copy of those contacts",
    )
    assert _seconds_until(ask, "what's the phone number of the Machinery Center", "LIVE EDIT") <= LIVE_WITHIN_S


def test_a_broken_edit_keeps_the_last_good_answer(live_bot: tuple[Callable[[str], str], Path]) -> None:
    ask, copy = live_bot
    question = "How do I change the Center my company is assigned to?"
    path = copy / "faq" / "change.yml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("  - id: change_how", "  - id: [broken", 1), encoding="utf-8")
    time.sleep(2.5)  # past the reload check
    assert "Office of Field Operations" in ask(question)  # the previous knowledge stays in use
    path.write_text(good, encoding="utf-8")

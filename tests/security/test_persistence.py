"""Issue 14: conversations persist across a restart of the Rasa server by default (no TRACKER_STORE_URL)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from bot.runtime.service import wait_until_answering
from bot.serve import Stack
from tests.running import new_sender
from tests.stack import rasa_url

TOKEN = "persistence-test-token"


def _send(stack: Stack, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    url = f"{rasa_url(stack)}/webhooks/rest/webhook"
    with urllib.request.urlopen(
        urllib.request.Request(url, body, {"Content-Type": "application/json"}), timeout=60
    ) as r:
        return json.loads(r.read())


def _user_texts(stack: Stack, sender: str) -> list[str]:
    url = f"{rasa_url(stack)}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=60) as response:
        events = json.loads(response.read())["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_a_conversation_survives_a_rasa_server_restart(
    start_stack: Callable[..., AbstractContextManager[Stack]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)  # the default store
    sender = new_sender()
    with start_stack("persistence", rasa_api_token=TOKEN) as stack:
        assert _send(stack, sender, "where is the electronics center?")
        assert _send(stack, sender, "my importer number is 123-45-6789")
        rasa = next(s for s in stack.services if s.name == "rasa")
        rasa.stop()
        rasa.start(stack.log_dir)
        wait_until_answering([rasa], 240)
        texts = _user_texts(stack, sender)
        assert texts[:2] == ["where is the electronics center?", "my importer number is ***-**-6789"]
        assert _send(stack, sender, "and its phone number?")  # the conversation goes on after the restart
        assert len(_user_texts(stack, sender)) == 3

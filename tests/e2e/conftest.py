"""End-to-end fixtures: the real action server, Rasa server and web page, on test ports, with a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.runtime.processes import free_ports
from bot.serve import Stack
from bot.settings import ROOT, load_settings
from tests.stack import PORT_NAMES, rasa_url

# Chosen once per test run, so that a second run (or a `make run`) on the machine never clashes.
TEST_PORTS = dict(zip(PORT_NAMES, free_ports(3)))


@dataclass
class Bot:
    """A running bot and helpers to talk to it over the REST channel."""

    stack: Stack
    rest_url: str
    database_url: str

    def send(self, message: str, sender: str | None = None, timeout: float = 60) -> list[dict[str, Any]]:
        """Send one message; return the bot's replies."""
        body = json.dumps({"sender": sender or new_sender(), "message": message}).encode()
        request = urllib.request.Request(self.rest_url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def text(self, message: str, sender: str | None = None) -> str:
        """Send one message; return the bot's replies' text joined."""
        return "\n".join(r.get("text", "") for r in self.send(message, sender))

    def db(self, *args: str) -> subprocess.CompletedProcess:
        """Run the CBP staff command line against this bot's database."""
        return subprocess.run(
            [sys.executable, "-m", "bot.db", *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": self.database_url},
            capture_output=True,
            text=True,
            timeout=120,
        )


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[Bot]:
    """The whole bot (with the chat page), started once for the end-to-end tests."""
    cors_origins = (*load_settings().cors_origins, f"http://127.0.0.1:{TEST_PORTS['web_port']}")  # the browser test
    env = {"CORS_ORIGINS": ",".join(cors_origins)}  # the socket.io channel reads its allowed origins from CORS_ORIGINS
    with start_stack("e2e", web=True, env=env, cors_origins=cors_origins, **TEST_PORTS) as stack:
        yield Bot(stack, f"{rasa_url(stack)}/webhooks/rest/webhook", stack.settings.database_url)

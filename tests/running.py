"""The running bot the end-to-end and security tests talk to: the real action server, Rasa server and web page, on
test ports, with a fresh database (the ``bot`` fixture in ``tests/conftest.py`` starts it once per run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from bot.runtime.processes import free_ports
from bot.serve import Stack
from bot.settings import ROOT
from tests.stack import PORT_NAMES

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

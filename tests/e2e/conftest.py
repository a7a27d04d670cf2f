"""End-to-end fixtures: the real action server, Rasa server and web page, on test ports, with a fresh database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.serve import Stack, free_ports
from bot.settings import ROOT, load_settings
from bot.train import MODEL_PATH

# Chosen once per test run, so that a second run (or a `make run`) on the machine never clashes.
TEST_PORTS = dict(zip(("action_port", "rasa_port", "web_port"), free_ports(3)))


@dataclass
class Bot:
    """A running bot and helpers to talk to it over the REST channel."""

    stack: Stack
    rest_url: str
    database_url: str

    def send(self, message: str, sender: str | None = None, timeout: float = 60) -> List[Dict[str, Any]]:
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
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """The whole bot, started once for the end-to-end tests."""
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    workdir: Path = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{workdir / 'cee.db'}"
    base = load_settings()
    cors_origins = (*base.cors_origins, f"http://127.0.0.1:{TEST_PORTS['web_port']}")  # the browser test's page
    settings = replace(base, database_url=database_url, rasa_api_token=None, rasa_jwt_secret=None,
                       slack_token=None, slack_signing_secret=None, cors_origins=cors_origins, **TEST_PORTS)
    seeded = subprocess.run([sys.executable, "-m", "bot.db", "seed"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": database_url})
    assert seeded.returncode == 0, seeded.stderr
    stack = Stack(settings, log_dir=workdir / "log")
    for service in stack.services:  # the socket.io channel reads its allowed origins from CORS_ORIGINS
        service.env["CORS_ORIGINS"] = ",".join(settings.cors_origins)
    try:
        stack.start(timeout=240)
        yield Bot(stack, f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook", database_url)
    finally:
        stack.stop()

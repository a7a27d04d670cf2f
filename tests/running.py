"""The running bot the end-to-end and security tests talk to: the real action server, Rasa server and web page, on
test ports, with a fresh database (the ``bot`` fixture in ``tests/conftest.py`` starts it once per run)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.runtime.processes import free_ports
from bot.serve import Stack
from bot.settings import ROOT
from tests.stack import PORT_NAMES

# A question every trained model answers with its FAQ article (the article's own first question, in words no other
# article or intent uses), for the tests of what follows an FAQ answer (feedback buttons).
FAQ_QUESTION, FAQ_ARTICLE = "What is the KI query?", "faq/ki_query"


def sqlite_text(database: Path) -> str:
    """What a SQLite database holds on disk, as text: its file and its write-ahead log, which holds the latest commits
    (the tracker store keeps its connections open, so they may not be checkpointed into the file yet)."""
    files = [database, database.with_name(f"{database.name}-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists()).decode("utf-8", errors="replace")


# Chosen once per test run, so that a second run (or a `make run`) on the machine never clashes.
TEST_PORTS = dict(zip(PORT_NAMES, free_ports(3)))


@dataclass
class Bot:
    """A running bot and helpers to talk to it over the REST channel."""

    stack: Stack
    rest_url: str
    database_url: str

    def send(
        self, message: str, sender: str | None = None, timeout: float = 60, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one message (with the channel's ``metadata``, if any); return the bot's replies."""
        body = json.dumps({"sender": sender or new_sender(), "message": message, "metadata": metadata or {}}).encode()
        request = urllib.request.Request(self.rest_url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def text(self, message: str, sender: str | None = None, metadata: dict[str, Any] | None = None) -> str:
        """Send one message (with the channel's ``metadata``, if any); return the bot's replies' text joined."""
        return "\n".join(r.get("text", "") for r in self.send(message, sender, metadata=metadata))

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


class SocketChat:
    """A web chat client over socket.io (python-socketio, HTTP long-polling), as the widget talks to the bot.

    ``async with SocketChat(url) as chat:`` connects as a page on an allowed origin; :meth:`session` asks for a session
    (the id the server confirms), :meth:`ask` sends a message and returns the bot's messages.
    """

    def __init__(self, url: str, origin: str = "http://127.0.0.1:8080") -> None:
        import socketio

        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: list[str] = []
        self.replies: list[dict[str, Any]] = []
        self.client.on("session_confirm", lambda data: self.confirmed.append(str(data)))
        self.client.on("bot_uttered", lambda data: self.replies.append(data))

    async def __aenter__(self) -> SocketChat:
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"], wait_timeout=15)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.eio.disconnect(abort=True)  # without waiting for the pending long-poll (up to 25 s)

    async def _wait_for(self, items: list[Any], count: int, timeout: float) -> None:
        for _ in range(int(timeout * 10)):
            if len(items) >= count:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"no answer from {self.url} in {timeout} s")

    async def session(self, session_id: str | None = None) -> str:
        """Ask for ``session_id`` (a new session when None); the id the server confirms."""
        before = len(self.confirmed)
        await self.client.emit("session_request", {"session_id": session_id})
        await self._wait_for(self.confirmed, before + 1, 15)
        return self.confirmed[-1]

    async def ask(self, message: str, session_id: str | None, timeout: float = 60, **extra: Any) -> list[dict]:
        """Send ``message`` in ``session_id``; the bot's messages (those arriving within 1.5 s of each other)."""
        before = len(self.replies)
        await self.client.emit("user_uttered", {"message": message, "session_id": session_id, **extra})
        await self._wait_for(self.replies, before + 1, timeout)
        while True:
            count = len(self.replies)
            await asyncio.sleep(1.5)
            if len(self.replies) == count:
                return self.replies[before:]

    @staticmethod
    def text(replies: list[dict[str, Any]]) -> str:
        """The replies' text joined."""
        return "\n".join(str(r.get("text", "")) for r in replies)

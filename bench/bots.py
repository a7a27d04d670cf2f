"""The two bots under test: CEE Guide (as ``make run`` starts it) and a stock Rasa 3.6 starter bot (``rasa init``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, Optional, cast

from bench import procs
from bot.runtime.processes import free_ports, spawn, stop_group, tail
from bot.runtime.service import Service
from bot.serve import Stack
from bot.settings import KNOWLEDGE_DIR, ROOT, load_settings
from bot.train import MODEL_PATH

HOST = "127.0.0.1"

# Representative messages, sent in this order (each simulated user starts at a different place in the list).
OUR_MESSAGES = [
    "what exactly is a cee",
    "Where is the Machinery Center?",
    "which center handles frozen shrimp",
    "when did the centers of excellence start",
    "list all the centers",
    "what is the legal basis for the centers",
    "center for HTS 8471.30",
    "tell me about Base Metals",
    "why did cbp create the centers in the first place",
    "thanks",
]
# The starter bot's own intents: greet, moods, affirm/deny, bot challenge, goodbye.
STOCK_MESSAGES = [
    "hello",
    "I am feeling great",
    "hi there",
    "I am sad",
    "yes",
    "are you a bot?",
    "good morning",
    "very bad",
    "no",
    "goodbye",
]


def post(url: str, message: str, sender: str, timeout: float = 10) -> list[dict[str, Any]]:
    """One REST message; the bot's replies."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def first_answer(url: str, message: str, started: float, processes: list[subprocess.Popen], timeout: float) -> float:
    """Poll the REST channel until a message gets a non-empty answer; seconds since ``started``.

    Raises:
        RuntimeError: a process died or there was no answer in time.
    """
    deadline = started + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{cast(list, process.args)[:4]!r} stopped with code {process.returncode}")
        try:
            if post(url, message, f"bench-cold-{uuid.uuid4().hex[:8]}", timeout=60):
                return time.monotonic() - started
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {timeout:.0f} s")


class BotUnderTest:
    """A bot started on its own loopback ports."""

    name = ""
    label = ""
    messages: ClassVar[list[str]] = []
    first_message = "hello"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.rasa_port = free_ports(1)[0]
        self.rest_url = f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.details: dict[str, Any] = {}

    def prepare(self) -> Optional[float]:
        """Get the bot ready to start; the seconds it took when they are a figure of the report."""
        raise NotImplementedError

    def start(self, timeout: float = 600) -> dict[str, float]:
        """Start the servers; the cold-start figures in seconds."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the bot's servers, the last started first."""
        for process in reversed(list(self.processes.values())):
            stop_group(process)
        self.processes = {}

    def memory(self) -> dict[str, Any]:
        """Memory of each server's process tree, and the total."""
        parts = {name: procs.memory_mib([p.pid]) for name, p in self.processes.items() if p.poll() is None}
        total = {key: round(sum(part[key] for part in parts.values()), 1) for key in ("rss_mib", "pss_mib")}
        return {**total, "parts": parts}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each server's process tree."""
        return {name: procs.cpu_seconds([p.pid]) for name, p in self.processes.items() if p.poll() is None}

    def log_tail(self) -> str:
        """The end of every server's log, for an error message."""
        return "\n".join(f"--- {name}\n{tail(path)}" for name, path in self.logs.items())


class StockBot(BotUnderTest):
    """``rasa init --no-prompt`` in a temporary folder, served with ``rasa run`` and its defaults."""

    name = "stock"
    label = "Rasa 3.6 starter bot"
    messages = STOCK_MESSAGES
    first_message = "hello"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.project = workdir / "stock"
        self.model: Optional[Path] = None

    def prepare(self) -> float:
        """Create the starter project (``rasa init`` also trains its first model); seconds taken."""
        started = time.monotonic()
        log = self.workdir / "log" / "stock-init.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.project.mkdir(parents=True)  # rasa init wants an existing (empty) folder
        with log.open("wb") as out:
            done = subprocess.run(
                [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(self.project)],
                cwd=self.workdir,
                env={**os.environ, "RASA_CACHE_DIRECTORY": str(self.workdir / "cache-stock-init")},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=1800,
            )
        if done.returncode != 0:
            raise RuntimeError(f"rasa init failed:\n{tail(log)}")
        models = sorted((self.project / "models").glob("*.tar.gz"))
        if not models:
            raise RuntimeError(f"rasa init trained no model:\n{tail(log)}")
        self.model = models[-1]
        endpoints = (self.project / "endpoints.yml").read_text()
        self.details["action_server"] = (
            "none: the starter bot's stories and rules use responses only (actions/actions.py is all comments and "
            "action_endpoint is commented out in its endpoints.yml)"
            if "\naction_endpoint:" not in endpoints
            else "configured in its endpoints.yml, but not started by the benchmark"
        )
        self.details["model_mib"] = round(self.model.stat().st_size / 2**20, 1)
        return time.monotonic() - started

    def start(self, timeout: float = 600) -> dict[str, float]:
        """Serve the trained starter bot with ``rasa run``; the cold-start figures in seconds."""
        assert self.model is not None, "prepare() first"
        command = [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(self.model),
            "--interface",
            HOST,
            "--port",
            str(self.rasa_port),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ]
        self.logs["rasa"] = self.workdir / "log" / "stock-rasa.log"
        started = time.monotonic()
        self.processes["rasa"] = spawn(command, self.logs["rasa"], {"PYTHONUNBUFFERED": "1"}, cwd=self.project)
        try:
            seconds = first_answer(self.rest_url, self.first_message, started, list(self.processes.values()), timeout)
        except RuntimeError as exc:
            raise RuntimeError(f"the stock bot did not start: {exc}\n{self.log_tail()}") from exc
        return {"first_answer_s": round(seconds, 2)}


class OurBot(BotUnderTest):
    """CEE Guide: the action server and the Rasa server exactly as ``bot.serve.Stack`` starts them."""

    name = "ours"
    label = "CEE Guide"
    messages = OUR_MESSAGES
    first_message = "hello"
    custom_action_message = "list all the centers"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        database = workdir / "cee-guide.db"
        self.settings = replace(
            load_settings(),
            database_url=f"sqlite:///{database}",
            rasa_port=self.rasa_port,
            action_port=free_ports(1)[0],
            web_port=free_ports(1)[0],
            host=HOST,
            rasa_api_token=None,
            rasa_jwt_secret=None,
            slack_token=None,
            slack_signing_secret=None,
        )
        self.stack: Optional[Stack] = None
        self.knowledge = workdir / "knowledge"  # the servers read this copy, which the benchmark may edit

    def prepare(self) -> None:
        """Seed a private copy of the database and copy knowledge/ (the benchmark never touches var/ or knowledge/)."""
        shutil.copytree(KNOWLEDGE_DIR, self.knowledge)
        if not MODEL_PATH.exists():
            raise RuntimeError("no trained model: run `make bench` (it trains first)")
        seeded = subprocess.run(
            [sys.executable, "-m", "bot.db", "seed"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DATABASE_URL": self.settings.database_url},
        )
        if seeded.returncode != 0:
            raise RuntimeError(f"could not seed the benchmark database:\n{seeded.stderr}")
        self.details["model_mib"] = round(MODEL_PATH.stat().st_size / 2**20, 1)
        self.details["action_server"] = "rasa_sdk action server (bot.actions), measured with the Rasa server"

    def start(self, timeout: float = 600) -> dict[str, float]:
        """Start CEE Guide's servers (without the chat page); the cold-start figures in seconds."""
        self.stack = Stack(self.settings, log_dir=self.workdir / "log" / "ours")
        services: list[Service] = [s for s in self.stack.services if s.name != "web"]  # the chat page is not the bot
        started = time.monotonic()
        for service in services:
            # MESSAGE_RATE_LIMIT=0: the benchmark sends from one address far faster than a person.
            service.env = {**service.env, "CEE_KNOWLEDGE_DIR": str(self.knowledge), "MESSAGE_RATE_LIMIT": "0"}
            service.start(self.stack.log_dir)
            assert service.process is not None and service.log_path is not None
            self.processes[service.name] = service.process
            self.logs[service.name] = service.log_path
        hidden = ("DATABASE_URL", "CEE_KNOWLEDGE_DIR")
        self.details["env"] = {k: v for k, v in services[0].env.items() if k not in hidden}
        try:
            seconds = first_answer(self.rest_url, self.first_message, started, list(self.processes.values()), timeout)
            actions = next(s for s in services if s.name == "actions")
            assert actions.process is not None
            while not actions.is_up():  # a custom action needs the action server too
                if time.monotonic() > started + timeout or actions.process.poll() is not None:
                    raise RuntimeError("the action server did not answer")
                time.sleep(0.2)
            action = first_answer(
                self.rest_url, self.custom_action_message, started, list(self.processes.values()), timeout
            )
        except RuntimeError as exc:
            raise RuntimeError(f"CEE Guide did not start: {exc}\n{self.log_tail()}") from exc
        return {"first_answer_s": round(seconds, 2), "first_custom_action_answer_s": round(action, 2)}

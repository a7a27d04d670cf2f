"""Readiness and stopping (issue 14, item 7).

* The Rasa server counts as up only once its model answers a message (``/ready``), not when ``/`` says hello: with a
  model that cannot be loaded, ``/`` answers and every message is dropped, and the stack must not report it as up.
* ``make run`` (``python -m bot.serve``) stops every server when its terminal is closed (a pseudo-terminal here,
  whose closing sends SIGHUP), and its servers stop even when it is killed outright (SIGKILL): no server is left
  holding its port.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from bot.runtime.processes import StartError, alive, free_ports, listening, wait_until
from bot.runtime.service import answers
from bot.serve import Stack
from bot.settings import ROOT, load_settings
from tests.running import Bot
from tests.stack import rasa_url, seed_database


def rest(url: str, message: str) -> list[dict[str, object]]:
    body = json.dumps({"sender": "readiness-test", "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read()))


def test_ready_only_when_the_model_answers(bot: Bot, tmp_path: Path) -> None:
    url = rasa_url(bot.stack)
    assert answers(f"{url}/ready") and rest(url, "Where is the Machinery Center?")  # the shared stack: ready, answers

    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    ports = dict(zip(("action_port", "rasa_port", "web_port"), free_ports(3)))
    settings = replace(load_settings(), database_url=seed_database(tmp_path), rasa_api_token=None, **ports)
    stack = Stack(settings, log_dir=tmp_path / "log", model=broken)
    stack.services = [s for s in stack.services if s.name != "web"]
    url = rasa_url(stack)
    try:
        with pytest.raises(StartError, match="no answer from rasa"):
            stack.start(timeout=60)
        assert answers(f"{url}/")  # Rasa's hello answers, but...
        assert rest(url, "Where is the Machinery Center?") == []  # ...nothing can answer a message
        assert not answers(f"{url}/ready")
    finally:
        stack.stop()


def _group_members(leaders: set[int]) -> set[int]:
    """The processes whose process group is one of ``leaders``."""
    members = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2]) in leaders:
                    members.add(int(proc.name))
            except (OSError, IndexError, ValueError):
                continue
    return members


def _children(pid: int) -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(proc.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class Terminal:
    """A pseudo-terminal that runs a command as its session leader (as a shell runs ``make run``); closing it hangs
    up (the kernel sends SIGHUP to the command), as closing a terminal window does."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.output = bytearray()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )  # fmt: skip
        os.close(slave)

    def text(self) -> str:
        """What the command has written so far (read without blocking: a blocked read would keep the terminal open)."""
        with contextlib.suppress(OSError):
            while select.select([self.master], [], [], 0)[0]:
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.output += chunk
        return self.output.decode(errors="replace")

    def close(self) -> None:
        os.close(self.master)


@pytest.mark.parametrize("how", ["closed terminal", "SIGKILL"])
def test_closing_the_terminal_stops_every_server(tmp_path: Path, how: str) -> None:
    ports = free_ports(3)
    env = {
        **os.environ,
        "ACTION_PORT": str(ports[0]),
        "RASA_PORT": str(ports[1]),
        "WEB_PORT": str(ports[2]),
        "DATABASE_URL": seed_database(tmp_path),
    }
    terminal = Terminal([sys.executable, "-m", "bot.serve"], env)
    serve = terminal.process
    servers: set[int] = set()
    try:
        assert wait_until(lambda: "CEE Guide is running" in terminal.text() or serve.poll() is not None, 300)
        assert serve.poll() is None, terminal.text()
        assert all(listening(port) for port in ports)
        servers = _group_members(_children(serve.pid))
        assert len(servers) >= 3
        started = time.monotonic()
        if how == "SIGKILL":
            serve.kill()
        else:
            terminal.close()  # the kernel hangs up: SIGHUP to bot.serve
        serve.wait(timeout=60)
        assert wait_until(lambda: not any(alive(pid) for pid in servers), timeout=40), terminal.output.decode()
        assert not any(listening(port) for port in ports)
        assert time.monotonic() - started < 40
    finally:
        if serve.poll() is None:
            serve.kill()
        with contextlib.suppress(OSError):
            terminal.close()
        for pid in servers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)

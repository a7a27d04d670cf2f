"""Readiness and stopping (issue 14, item 7).

* The Rasa server counts as up only once its model answers a message (``/ready``), not when ``/`` says hello: with a
  model that cannot be loaded, ``/`` answers and every message is dropped, and the stack must not report it as up.
* ``make run`` (``python -m bot.serve``) stops every server when its terminal is closed (SIGHUP), and its servers
  stop even when it is killed outright (SIGKILL): no server is left holding its port.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGKILL], ids=["SIGHUP", "SIGKILL"])
def test_closing_the_terminal_stops_every_server(tmp_path: Path, signum: int) -> None:
    ports = free_ports(3)
    env = {
        **os.environ,
        "ACTION_PORT": str(ports[0]),
        "RASA_PORT": str(ports[1]),
        "WEB_PORT": str(ports[2]),
        "DATABASE_URL": seed_database(tmp_path),
    }
    output = tmp_path / "serve.out"
    with output.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "bot.serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal of its own: the signal reaches bot.serve only, as on a real one
        )  # fmt: skip
    servers: set[int] = set()
    try:
        assert wait_until(lambda: "CEE Guide is running" in output.read_text() or serve.poll() is not None, 300)
        assert serve.poll() is None, output.read_text()
        assert all(listening(port) for port in ports)
        servers = _group_members(_children(serve.pid))
        assert len(servers) >= 3
        started = time.monotonic()
        serve.send_signal(signum)
        serve.wait(timeout=60)
        assert wait_until(lambda: not any(alive(pid) for pid in servers), timeout=40), output.read_text()
        assert not any(listening(port) for port in ports)
        assert time.monotonic() - started < 40
    finally:
        if serve.poll() is None:
            serve.kill()
        for pid in servers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)

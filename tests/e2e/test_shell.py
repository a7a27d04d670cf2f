"""``make shell`` for CBP staff: ``scripts/shell.sh`` (what ``make shell`` runs) driven through a terminal by pexpect.

A conversation with the real model and the real action server (on a test port, with a seeded temporary database):
three turns, the last one an importer look-up (CBP staff see its name), then ``/es`` and an English question answered
in Spanish, then ``/stop``. The script's own Rasa server is
moved to a test port and to 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path

import pytest

from bot.runtime.processes import free_ports
from bot.settings import ROOT
from bot.train import MODEL_PATH
from tests.stack import seed_database

pexpect = pytest.importorskip("pexpect")

PROMPT = "Your input ->"
LOAD_TIMEOUT = 240  # the model loads in about 30 s, longer while other tests run
REPLY_TIMEOUT = 60
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_shell_two_turns(tmp_path: Path) -> None:
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    action_port, shell_port = free_ports(2)
    database_url = seed_database(tmp_path)

    env = {
        **os.environ,
        "ACTION_PORT": str(action_port),
        "DATABASE_URL": database_url,
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no cursor-position queries to the (pseudo) terminal
        "TERM": "xterm",
        "NO_COLOR": "1",
    }
    transcript = (tmp_path / "shell.txt").open("w")
    child = pexpect.spawn(
        "bash",
        ["scripts/shell.sh", "--port", str(shell_port), "--interface", "127.0.0.1"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(50, 200),
        timeout=REPLY_TIMEOUT,
    )
    child.logfile_read = transcript
    try:
        child.expect("Loading the model", timeout=120)  # the action server is up
        child.expect_exact(PROMPT, timeout=LOAD_TIMEOUT)

        child.sendline("where is the machinery center")
        child.expect("Laredo")
        child.expect_exact(PROMPT)

        child.sendline("what does CEE005 cover")
        child.expect("Base Metals")
        child.expect_exact(PROMPT)

        child.sendline("which center is 12-3456789AB assigned to")  # CBP staff see the importer's name
        child.expect("Sample Machinery Works Inc")
        child.expect_exact(PROMPT)

        child.sendline("/es")  # the language switch: English words are answered in Spanish from now on
        child.expect("De ahora en adelante")
        child.expect_exact(PROMPT)
        child.sendline("which center handles 8471.30")  # an action's answer: the action server reads the choice
        child.expect("Lo maneja")
        child.expect_exact(PROMPT)

        child.sendline("/stop")
        child.expect(pexpect.EOF, timeout=60)
        # The script stops its action server when it ends; Rasa's shell server ends with it.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (port_is_free(action_port) and port_is_free(shell_port)):
            time.sleep(0.5)
        assert port_is_free(action_port), "the action server outlived the shell"
        assert port_is_free(shell_port), "Rasa's shell server outlived the shell"
    except (pexpect.TIMEOUT, pexpect.EOF) as error:
        transcript.flush()
        shown = ANSI.sub("", (tmp_path / "shell.txt").read_text(errors="replace"))[-3000:]
        pytest.fail(f"{type(error).__name__}; the terminal showed:\n{shown}")
    finally:
        _stop(child)
        transcript.close()


def _stop(child: pexpect.spawn) -> None:
    """Stop the script and anything it started and left behind (they share its process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _group_alive(child):
            time.sleep(0.2)
        if not _group_alive(child):
            break
    child.close(force=True)


def _group_alive(child: pexpect.spawn) -> bool:
    child.isalive()  # reaps the script once it has ended, so that a zombie does not count
    try:
        os.killpg(child.pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True

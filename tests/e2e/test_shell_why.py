"""``make shell``'s staff commands through a real terminal: ``scripts/shell.sh`` in a tmux session of its own.

The script runs with the real model and the real action server (test ports, a seeded temporary database, the saved
tests going to a temporary file through ``STAFF_TESTS_FILE``); the test types into the pane with ``tmux send-keys``
and reads it with ``tmux capture-pane``: commands before anything was said, an unknown command, three questions with
``/why`` after each (intent, alternatives, the FAQ article and its source, the slots, a Social Security-format number
masked), ``/save``, then ``/stop``. The saved conversation is then read by the conversation runner and asked against
a server of its own, where it passes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.knowledge import knowledge
from bot.runtime.processes import free_ports
from bot.settings import ROOT
from bot.train import MODEL_PATH
from tests.conversations import runner
from tests.stack import conversation_stack, seed_database

PROMPT = "Your input ->"
LOAD_TIMEOUT = 240  # the model loads in about 30 s, longer while other tests run
REPLY_TIMEOUT = 60
SAMPLE_SSN = "123-45-6789"  # fictional: knowledge/sample/importers.csv


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Pane:
    """One tmux server (its own socket) with one session running ``scripts/shell.sh``."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket, self.env = socket, env

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], env=self.env, capture_output=True, text=True, timeout=30
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr}")
        return done.stdout

    def screen(self) -> str:
        """Everything the pane showed, its history included, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "staff")

    def wait_for(self, pattern: str, start: int, timeout: float = REPLY_TIMEOUT) -> str:
        """The pane's text from ``start`` on, once ``pattern`` (a regex) appears there followed by a new prompt."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()[start:]
            found = re.search(pattern, text)
            if found and PROMPT in text[found.end() :]:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not appear; the terminal showed:\n{self.screen()[-3000:]}")
            time.sleep(0.5)

    def type(self, line: str, expect: str, timeout: float = REPLY_TIMEOUT) -> str:
        """Type ``line`` and Enter; the text shown from the typed line to the next prompt after ``expect``."""
        start = len(self.screen().rstrip())
        self.tmux("send-keys", "-t", "staff", "-l", line)
        self.tmux("send-keys", "-t", "staff", "Enter")
        text = self.wait_for(re.escape(line) + r"[\s\S]*" + expect, start, timeout)
        return text[text.index(line) : text.rindex(PROMPT)]

    def value(self, name: str) -> str:
        return self.tmux("display-message", "-p", "-t", "staff", f"#{{{name}}}").strip()


@dataclass
class Session:
    shown: dict[str, str]  # what each step showed, by step name
    saved: Path  # the staff file /save wrote
    exit_status: str
    ports_freed: bool


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (make system-deps)")
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    tmp = tmp_path_factory.mktemp("shell-why")
    saved = tmp / "conversations" / "staff" / "saved.yml"
    action_port, shell_port = free_ports(2)
    env = {
        **{k: v for k, v in os.environ.items() if k != "TMUX"},
        "ACTION_PORT": str(action_port),
        "DATABASE_URL": seed_database(tmp),
        "STAFF_TESTS_FILE": str(saved),
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no cursor-position queries to the terminal
        "NO_COLOR": "1",
    }
    pane = Pane(tmp / "tmux.sock", env)
    # The script's exit status goes to a file: tmux records a dead pane's status late or, on some machines, not at
    # all (CI read an empty pane_dead_status twice).
    exit_file = tmp / "exit-status"
    command = f"bash scripts/shell.sh --port {shell_port} --interface 127.0.0.1; echo $? > {exit_file}"
    pane.tmux("new-session", "-d", "-s", "staff", "-x", "200", "-y", "50", "-c", str(ROOT), command)
    pane_pid = int(pane.value("pane_pid"))
    shown: dict[str, str] = {}
    try:
        pane.wait_for("Bot loaded", 0, LOAD_TIMEOUT)
        shown["why_first"] = pane.type("/why", "No answer yet")
        shown["save_first"] = pane.type("/save", "Not saved")
        shown["unknown"] = pane.type("/whatever", "There is no command")
        shown["help"] = pane.type("/help", "Saved tests go to")
        shown["center"] = pane.type("where is the machinery center", "Laredo")
        shown["why_center"] = pane.type("/why", "slots")
        shown["faq"] = pane.type("how do I change my center", "Source")
        shown["why_faq"] = pane.type("/why", "slots")
        shown["importer"] = pane.type(f"which center is {SAMPLE_SSN} assigned to", "Sample Sole Proprietor Imports")
        shown["why_importer"] = pane.type("/why", "slots")
        shown["save"] = pane.type("/save machinery tour", "Saved as")
        pane.tmux("send-keys", "-t", "staff", "-l", "/stop")
        pane.tmux("send-keys", "-t", "staff", "Enter")
        deadline = time.monotonic() + 120  # the script still stops the action server: more on a loaded machine
        while time.monotonic() < deadline and not (exit_file.exists() and exit_file.read_text().strip()):
            time.sleep(0.5)
        status = exit_file.read_text().strip() if exit_file.exists() else "still running"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (port_is_free(action_port) and port_is_free(shell_port)):
            time.sleep(0.5)
        yield Session(shown, saved, status, port_is_free(action_port) and port_is_free(shell_port))
    finally:
        with contextlib.suppress(ProcessLookupError):  # the script and what it started, if /stop did not end them
            os.killpg(pane_pid, signal.SIGTERM)
        pane.tmux("kill-server", check=False)


def test_commands_before_anything_was_said(session: Session) -> None:
    assert "No answer yet: ask the bot something first, then type /why." in session.shown["why_first"]
    assert "there is nothing to save yet" in session.shown["save_first"]
    assert "There is no command /whatever. Type /help" in session.shown["unknown"]
    for command in ("/why", "/save [name]", "/save-last [name]", "/restart", "/stop"):
        assert command in session.shown["help"]


def test_why_shows_intent_alternatives_and_slots(session: Session) -> None:
    why = session.shown["why_center"]
    assert 'Why this answer to "where is the machinery center" (turn 1)' in why
    assert re.search(r"intent +center_info [01]\.\d\d", why)
    assert len(re.search(r"alternatives +(.*)", why).group(1).split(", ")) == 3  # type: ignore[union-attr]
    assert re.search(r"actions +action_center_info", why)
    assert "ctx_center=CEE010*" in why
    assert re.search(r"FAQ article +none", why)


def test_why_shows_the_faq_article_and_its_source(session: Session) -> None:
    article = knowledge().article("faq/change_how")
    assert article is not None
    why = session.shown["why_faq"]
    assert re.search(r"intent +faq ", why)
    assert f"change_how: {article.title}" in why
    assert f"source        {article.source}" in why
    assert "responses     utter_faq/change_how" in why


def test_why_masks_social_security_format_numbers(session: Session) -> None:
    assert "Sample Sole Proprietor Imports" in session.shown["importer"]  # the cmdline channel is staff
    why = session.shown["why_importer"].split("\n", 1)[1]  # after the typed /why line
    assert "***-**-6789" in why
    assert SAMPLE_SSN not in why


def test_save_writes_a_test_the_runner_picks_up(session: Session) -> None:
    assert "Saved as staff-machinery-tour-01" in session.shown["save"]
    assert "(3 turns)" in session.shown["save"]
    assert "check that turn" not in session.shown["save"]  # every turn passed the runner's judge when saved
    loaded = runner.load(session.saved.parent.parent, staff=True)
    assert [c.id for c in loaded] == ["staff-machinery-tour-01"]
    expects = [t.expect for t in loaded[0].turns]
    assert expects[0] == {"answer": "center_info", "center": "CEE010"}
    assert expects[1] == {"answer": "faq", "faq": "change_how"}
    assert expects[2]["answer"] == "importer_center" and expects[2]["center"] == "CEE004"
    assert expects[2]["not_says"] == [SAMPLE_SSN]


def test_stop_ends_the_shell_and_its_servers(session: Session) -> None:
    assert session.exit_status == "0"
    assert session.ports_freed


def test_the_saved_test_passes_when_the_runner_asks_it(session: Session) -> None:
    loaded = runner.load(session.saved.parent.parent, staff=True)
    with conversation_stack() as (rasa_url, token):
        outcomes = runner.run(rasa_url, token, loaded)
    assert [o.passed for o in outcomes] == [True], [o.failures for o in outcomes]

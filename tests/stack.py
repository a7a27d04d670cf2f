"""A running bot for the tests that need one: the action server and Rasa (and the chat page, when asked) on free
ports, with a fresh sample database; optionally the HTTP API behind a token, other settings and extra environment.

Tests take it from the ``start_stack`` fixture (``tests/conftest.py``); the conversation runner
(``tests/conversations/runner.py``) uses :func:`conversation_stack` outside pytest.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from bot.runtime.processes import free_ports
from bot.serve import Stack
from bot.settings import ROOT, load_settings
from bot.train import MODEL_PATH

PORT_NAMES = ("action_port", "rasa_port", "web_port")


def run_db_command(database_url: str, *args: str) -> str:
    """``python -m bot.db --database-url URL ARGS``, the staff command line; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.db", "--database-url", database_url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def seed_database(workdir: Path) -> str:
    """A SQLite database in ``workdir`` filled with the sample data; its URL.

    Raises:
        RuntimeError: ``python -m bot.db seed`` failed (its error output is in the message).
    """
    database_url = f"sqlite:///{workdir / 'cee.db'}"
    seeded = subprocess.run(
        [sys.executable, "-m", "bot.db", "seed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=300,
    )
    if seeded.returncode != 0:
        raise RuntimeError(f"seeding the database failed: {seeded.stderr}")
    return database_url


def rasa_url(stack: Stack) -> str:
    """The Rasa server's base URL."""
    return f"http://127.0.0.1:{stack.settings.rasa_port}"


@contextlib.contextmanager
def running_stack(
    workdir: Optional[Path] = None,
    *,
    web: bool = False,
    env: Optional[dict[str, str]] = None,
    model: Path = MODEL_PATH,
    **settings: Any,
) -> Iterator[Stack]:
    """Start the bot; yield its :class:`bot.serve.Stack` once every server answers; stop it.

    Args:
        workdir: the folder for the database and the logs (a temporary folder, removed after, when None).
        web: start the chat page too.
        env: more environment for every server.
        model: the trained model.
        **settings: :class:`bot.settings.Settings` fields to change. By default the ports are free ones, the HTTP
            API and Slack are off, and the database is a new SQLite file with the sample data (a ``database_url``
            given here is used as it is). The Rasa server counts as started once its model answers (``/ready``).
    """
    with contextlib.ExitStack() as cleanup:
        if workdir is None:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="cee-stack-")))
        defaults: dict[str, Any] = {
            "rasa_api_token": None,
            "rasa_jwt_secret": None,
            "slack_token": None,
            "slack_signing_secret": None,
            **dict(zip(PORT_NAMES, free_ports(3))),
        }
        database_url = settings.pop("database_url", None) or seed_database(workdir)
        config = replace(load_settings(), database_url=database_url, **{**defaults, **settings})
        stack = Stack(config, log_dir=workdir / "log", model=model)
        if not web:
            stack.services = [s for s in stack.services if s.name != "web"]
        for service in stack.services:
            service.env.update(env or {})
        try:
            stack.start(timeout=240)
            yield stack
        finally:
            stack.stop()


@contextlib.contextmanager
def conversation_stack(model: Path = MODEL_PATH) -> Iterator[tuple[str, str]]:
    """A running bot with the HTTP API behind a new token; yield Rasa's URL and the token."""
    token = secrets.token_hex(16)
    # Every conversation comes from 127.0.0.1, hundreds of messages: no per-address limits.
    unlimited = {"IMPORTER_LOOKUP_LIMIT": "100000", "MESSAGE_RATE_LIMIT": "0"}
    with running_stack(rasa_api_token=token, model=model, env=unlimited) as stack:
        yield rasa_url(stack), token

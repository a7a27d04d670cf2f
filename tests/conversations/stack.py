"""A running bot for tests that need their own: its own ports and a fresh sample database, optionally the HTTP API
behind a token (the conversation runner reads trackers with it) and extra environment (another knowledge folder)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

from bot.serve import Stack, free_ports
from bot.settings import ROOT, load_settings
from bot.train import MODEL_PATH


@contextlib.contextmanager
def running_stack(api_token: Optional[str] = None, env: Optional[Dict[str, str]] = None,
                  model: Path = MODEL_PATH) -> Iterator[str]:  # fmt: skip
    """Start the action server and Rasa (no web page); yield Rasa's URL; stop them."""
    with tempfile.TemporaryDirectory(prefix="cee-stack-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite:///{workdir / 'cee.db'}"
        seeded = subprocess.run([sys.executable, "-m", "bot.db", "seed"], cwd=ROOT, capture_output=True, text=True,
                                env={**os.environ, "DATABASE_URL": database_url}, timeout=300)  # fmt: skip
        if seeded.returncode != 0:
            raise RuntimeError(f"seeding the database failed: {seeded.stderr}")
        ports = dict(zip(("action_port", "rasa_port", "web_port"), free_ports(3)))
        settings = replace(load_settings(), database_url=database_url, rasa_api_token=api_token, rasa_jwt_secret=None,
                           slack_token=None, slack_signing_secret=None, **ports)  # fmt: skip
        stack = Stack(settings, log_dir=workdir / "log", model=model)
        stack.services = [s for s in stack.services if s.name != "web"]
        for service in stack.services:
            service.env.update(env or {})
        try:
            stack.start(timeout=240)
            yield f"http://127.0.0.1:{settings.rasa_port}"
        finally:
            stack.stop()


@contextlib.contextmanager
def conversation_stack(model: Path = MODEL_PATH) -> Iterator[Tuple[str, str]]:
    """A running bot with the HTTP API behind a new token; yield Rasa's URL and the token."""
    token = secrets.token_hex(16)
    with running_stack(api_token=token, model=model) as url:
        yield url, token

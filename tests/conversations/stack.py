"""A running bot for the conversation set: its own ports, a fresh sample database and the HTTP API behind a token
(the runner reads each conversation's tracker to see which actions ran)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Tuple

from bot.serve import Stack, free_ports
from bot.settings import ROOT, load_settings
from bot.train import MODEL_PATH


@contextlib.contextmanager
def conversation_stack(model: Path = MODEL_PATH) -> Iterator[Tuple[str, str]]:
    """Start the action server and Rasa; yield Rasa's URL and the API token; stop them."""
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="cee-conversations-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite:///{workdir / 'cee.db'}"
        seeded = subprocess.run([sys.executable, "-m", "bot.db", "seed"], cwd=ROOT, capture_output=True, text=True,
                                env={**os.environ, "DATABASE_URL": database_url}, timeout=300)  # fmt: skip
        if seeded.returncode != 0:
            raise RuntimeError(f"seeding the database failed: {seeded.stderr}")
        ports = dict(zip(("action_port", "rasa_port", "web_port"), free_ports(3)))
        settings = replace(load_settings(), database_url=database_url, rasa_api_token=token, rasa_jwt_secret=None,
                           slack_token=None, slack_signing_secret=None, **ports)  # fmt: skip
        stack = Stack(settings, log_dir=workdir / "log", model=model)
        stack.services = [s for s in stack.services if s.name != "web"]
        try:
            stack.start(timeout=240)
            yield f"http://127.0.0.1:{settings.rasa_port}", token
        finally:
            stack.stop()

"""Start the action server, the Rasa server and the chat page together: ``python -m bot.serve``.

``make run`` calls this after setting everything up. It prints the URLs, waits until every server answers, and stops
all three on Ctrl-C (or when one of them dies). Logs go to ``var/log/``. The tests use :class:`Stack` to start the
same servers on their own ports.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.settings import ROOT, VAR_DIR, Settings, load_settings
from bot.train import MODEL_PATH

LOG_DIR = VAR_DIR / "log"


def credentials_file(settings: Settings, path: Optional[Path] = None) -> Path:
    """Write the run-time channel credentials: ``credentials.yml`` plus Slack when its secrets are set.

    Rasa fails at start-up on a ``${VAR}`` that is not set, so the optional Slack channel is added here instead of
    being written in ``credentials.yml``.
    """
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    if settings.slack_enabled:
        credentials["bot.channels.slack.SlackInput"] = {
            "slack_token": settings.slack_token,
            "slack_signing_secret": settings.slack_signing_secret,
            "slack_api_url": settings.slack_api_url,
            "use_threads": True,
            "conversation_granularity": "thread",
        }
    path = path or VAR_DIR / "credentials.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# GENERATED at start-up by bot/serve.py from credentials.yml and .env; it may hold secrets.\n"
        + yaml.safe_dump(credentials, sort_keys=False),
        encoding="utf-8",
    )
    os.chmod(path, 0o600)
    return path


def rasa_command(settings: Settings, credentials: Path, model: Path = MODEL_PATH) -> List[str]:
    """The Rasa server's command line. The HTTP API is on only when a token or a JWT secret is set."""
    command = [
        sys.executable, "-m", "bot.server", "run", "--model", str(model), "--endpoints", "endpoints.yml",
        "--credentials", str(credentials), "--interface", settings.host, "--port", str(settings.rasa_port),
        "--cors", *settings.cors_origins,
    ]  # fmt: skip
    if settings.rasa_api_token or settings.rasa_jwt_secret:
        command.append("--enable-api")
    if settings.rasa_api_token:
        command += ["--auth-token", settings.rasa_api_token]
    if settings.rasa_jwt_secret:
        command += ["--jwt-secret", settings.rasa_jwt_secret]
    return command


@dataclass
class Service:
    """One server process."""

    name: str
    command: List[str]
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    log_path: Optional[Path] = None

    def start(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status < 500
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Stack:
    """The action server, the Rasa server and the web page, started and stopped together."""

    def __init__(self, settings: Settings, log_dir: Path = LOG_DIR, model: Path = MODEL_PATH) -> None:
        self.settings = settings
        self.log_dir = log_dir
        host = settings.host
        env = {
            "ACTION_ENDPOINT_URL": settings.action_endpoint,
            "DATABASE_URL": settings.database_url,
            "PYTHONUNBUFFERED": "1",
            "SANIC_HOST": host,  # the action server listens on this address only
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        credentials = credentials_file(settings, log_dir / "credentials.yml")
        self.services = [
            Service(
                "actions",
                [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(settings.action_port)],
                f"http://{host}:{settings.action_port}/health",
                env,
            ),
            Service("rasa", rasa_command(settings, credentials, model), f"http://{host}:{settings.rasa_port}/", env),
            Service(
                "web",
                [sys.executable, "-m", "http.server", str(settings.web_port), "--bind", host, "--directory", "web"],
                f"http://{host}:{settings.web_port}/",
                env,
            ),
        ]

    def start(self, timeout: float = 300) -> None:
        """Start every server and wait until each answers.

        Raises:
            RuntimeError: a server died or did not answer in time; the end of its log is in the message.
        """
        for service in self.services:
            service.start(self.log_dir)
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending:
            for service in list(pending):
                if service.process and service.process.poll() is not None:
                    raise RuntimeError(f"the {service.name} server stopped:\n{self._tail(service)}")
                if service.is_up():
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise RuntimeError(f"no answer from {names} after {timeout:.0f} s:\n{self._tail(pending[0])}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop every server (reverse order)."""
        for service in reversed(self.services):
            service.stop()

    def first_dead(self) -> Optional[Service]:
        """A server that has stopped, if any."""
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)

    @staticmethod
    def _tail(service: Service, lines: int = 30) -> str:
        if not service.log_path or not service.log_path.exists():
            return ""
        return "\n".join(service.log_path.read_text(errors="replace").splitlines()[-lines:])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    """Start everything and wait for Ctrl-C."""
    argparse.ArgumentParser(prog="python -m bot.serve", description=__doc__.split("\n")[0]).parse_args(argv)
    settings = load_settings()
    if not MODEL_PATH.exists():
        print("No trained model: run `make run` (it trains when needed).", file=sys.stderr)
        return 1
    stack = Stack(settings)
    print("Starting the action server, the Rasa server and the chat page (logs in var/log/)...", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start()
        host = settings.host
        print(
            f"\nCEE Guide is running:\n"
            f"  chat page       http://{host}:{settings.web_port}/\n"
            f"  REST channel    POST http://{host}:{settings.rasa_port}/webhooks/rest/webhook\n"
            f"  socket.io       http://{host}:{settings.rasa_port}/socket.io\n"
            f"  action server   http://{host}:{settings.action_port}/health\n"
            + ("  Slack           on (events at /webhooks/slack/webhook)\n" if settings.slack_enabled else "")
            + "Press Ctrl-C to stop.",
            flush=True,
        )
        while True:
            dead = stack.first_dead()
            if dead:
                print(f"The {dead.name} server stopped; see {dead.log_path}. Stopping the others.", file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except RuntimeError as exc:
        print(f"Could not start CEE Guide: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())

"""Start the action server, the Rasa server and the chat page together: ``python -m bot.serve``.

``make run`` calls this after setting everything up. It prints the URLs, waits until every server answers (the Rasa
server once its model has answered a message: ``/ready``, :mod:`bot.runtime.readiness`), and stops all three on
Ctrl-C, SIGTERM, or SIGHUP (the terminal was closed), or when one of them dies; they also get SIGTERM if this process
is killed. Logs go to ``var/log/``. The tests use :class:`Stack` to start the same servers on their own ports.

The action server listens on ``ACTION_HOST`` (loopback by default) and answers only requests with its secret,
``ACTION_SERVER_TOKEN``, or a random one made for this run when none is set (:mod:`bot.runtime.action_server`).
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Optional

from bot.retention import purge_at_start
from bot.runtime.commands import (
    actions_command,
    api_secrets_env,
    rasa_command,
    sanic_workers,
    server_env,
    web_command,
)
from bot.runtime.endpoints import credentials_file
from bot.runtime.readiness import READY_PATH
from bot.runtime.service import Service, wait_until_answering
from bot.settings import VAR_DIR, Settings, load_settings
from bot.train import MODEL_PATH

LOG_DIR = VAR_DIR / "log"


class Stack:
    """The action server, the Rasa server and the web page, started and stopped together."""

    def __init__(self, settings: Settings, log_dir: Path = LOG_DIR, model: Path = MODEL_PATH) -> None:
        token = settings.action_server_token or secrets.token_urlsafe(32)
        self.settings = settings = replace(settings, action_server_token=token)
        self.log_dir = log_dir
        host = settings.host
        env = server_env(settings.action_endpoint, settings.database_url, settings.action_host, sanic_workers(), token)
        credentials = credentials_file(settings, log_dir / "credentials.yml")
        actions_health = f"{settings.action_endpoint.rsplit('/', 1)[0]}/health"
        rasa_env = {**env, **api_secrets_env(settings)}
        self.services = [
            Service("actions", actions_command(settings.action_port), actions_health, env, with_parent=True),
            Service(
                "rasa",
                rasa_command(settings, credentials, model),
                f"http://{host}:{settings.rasa_port}{READY_PATH}",
                rasa_env,
                with_parent=True,
            ),
            Service(
                "web",
                web_command(settings.web_port, host, settings.rasa_port),
                f"http://{host}:{settings.web_port}/",
                env,
                with_parent=True,
            ),
        ]

    def start(self, timeout: float = 300) -> None:
        """Start every server and wait until each answers.

        Raises:
            RuntimeError: a server died or did not answer in time; the end of its log is in the message.
        """
        for service in self.services:
            service.start(self.log_dir)
        wait_until_answering(self.services, timeout)

    def stop(self) -> None:
        """Stop every server (reverse order)."""
        for service in reversed(self.services):
            service.stop()

    def first_dead(self) -> Optional[Service]:
        """A server that has stopped, if any."""
        return next((s for s in self.services if s.has_stopped()), None)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # and SIGINT (Ctrl-C), which Python raises as KeyboardInterrupt


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[list[str]] = None) -> int:
    """Start everything and wait for Ctrl-C."""
    argparse.ArgumentParser(prog="python -m bot.serve", description=__doc__.split("\n")[0]).parse_args(argv)
    settings = load_settings()
    purge_at_start(settings)  # conversations older than RETENTION_DAYS (bot/retention.py)
    if not MODEL_PATH.exists():
        print("No trained model: run `make run` (it trains when needed).", file=sys.stderr)
        return 1
    try:
        stack = Stack(settings)
    except ValueError as exc:  # e.g. a TRACKER_STORE_URL or LOCK_STORE_URL of the wrong kind
        print(f"Could not start CEE Guide: {exc}. See .env.example.", file=sys.stderr)
        return 1
    print("Starting the action server, the Rasa server and the chat page (logs in var/log/)...", flush=True)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)
    try:
        stack.start()
        host = settings.host
        print(
            f"\nCEE Guide is running:\n"
            f"  chat page       http://{host}:{settings.web_port}/\n"
            f"  REST channel    POST http://{host}:{settings.rasa_port}/webhooks/rest/webhook\n"
            f"  socket.io       http://{host}:{settings.rasa_port}/socket.io\n"
            f"  action server   {stack.services[0].health_url} (private: it needs ACTION_SERVER_TOKEN)\n"
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
        for signum in (*STOP_SIGNALS, signal.SIGINT):  # a second signal must not cut the stopping short
            signal.signal(signum, signal.SIG_IGN)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())

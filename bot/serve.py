"""Start the action server, the Rasa server and the chat page together: ``python -m bot.serve``.

``make run`` calls this after setting everything up. It prints the URLs, waits until every server answers, and stops
all three on Ctrl-C (or when one of them dies). Logs go to ``var/log/``. The tests use :class:`Stack` to start the
same servers on their own ports.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
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


def free_ports(count: int, host: str = "127.0.0.1") -> List[int]:
    """Distinct TCP ports nobody listens on right now (for tests, the benchmark and side-by-side deployments)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()

# TensorFlow's thread pools are for big models: for one message of these small ones, handing tiny operations to other
# threads costs more than it saves (and competes with the action server). One thread each, unless set in .env.
TF_THREAD_DEFAULTS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
MEMORY_TRACKER_STORE = "bot.stores.MemoryTrackerStore"


def _store_url(name: str) -> Optional[str]:
    """``TRACKER_STORE_URL`` / ``LOCK_STORE_URL`` from the environment (``load_settings`` has read ``.env``)."""
    return os.environ.get(name) or None


def tracker_store_endpoint(url: str) -> Dict[str, object]:
    """Rasa's ``tracker_store`` section for a SQLAlchemy URL (``postgresql://...``, ``sqlite:///...``) or ``redis://``.

    Raises:
        ValueError: a URL of another kind.
    """
    from sqlalchemy.engine import make_url

    if url.startswith(("redis://", "rediss://")):
        return {"type": "redis", **_redis_parts(url)}
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"TRACKER_STORE_URL: use a postgresql://, sqlite:/// or redis:// URL, not {dialect}")
    section: Dict[str, object] = {"type": "sql", "dialect": parsed.drivername, "db": parsed.database or ""}
    if dialect == "sqlite":  # a relative path is taken from the project root, as for DATABASE_URL
        section["db"] = parsed.database if parsed.database == ":memory:" else str(ROOT / (parsed.database or "rasa.db"))
        return section
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username),
                       ("password", parsed.password)):  # fmt: skip  (Rasa calls the host "url")
        if value is not None:
            section[key] = value
    if parsed.query:
        section["query"] = dict(parsed.query)
    return section


def _redis_parts(url: str) -> Dict[str, object]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    parts: Dict[str, object] = {"url": parsed.hostname or "localhost", "port": parsed.port or 6379}
    if parsed.path.strip("/"):
        parts["db"] = int(parsed.path.strip("/"))
    if parsed.password:
        parts["password"] = parsed.password
    if parsed.scheme == "rediss":
        parts["use_ssl"] = True
    return parts


def lock_store_endpoint(url: str) -> Dict[str, object]:
    """Rasa's ``lock_store`` section for a ``redis://host:port/db`` URL.

    Raises:
        ValueError: not a Redis URL (Rasa's only lock store shared between processes).
    """
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError("LOCK_STORE_URL: use a redis:// URL (Rasa's only lock store shared between processes)")
    return {"type": "redis", **_redis_parts(url)}


def endpoints_file(
    path: Optional[Path] = None, tracker_store_url: Optional[str] = None, lock_store_url: Optional[str] = None
) -> Path:
    """Write the run-time endpoints: ``endpoints.yml`` plus the stores named in ``.env``.

    ``TRACKER_STORE_URL`` (PostgreSQL, SQLite or Redis) keeps conversations outside the Rasa process, so that they
    survive a restart and several Rasa servers can share them; ``LOCK_STORE_URL`` (Redis) lets several Rasa processes
    handle one conversation's messages one at a time. Without them both stay in the Rasa process's memory (one
    process only): conversations in :class:`bot.stores.MemoryTrackerStore`, locks in Rasa's in-memory lock store.
    Like :func:`credentials_file`, this avoids ``${VAR}`` references to variables that may be unset. The URLs can
    also be given (``deploy/scale_out.py`` does).
    """
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    tracker_url = tracker_store_url or _store_url("TRACKER_STORE_URL")
    lock_url = lock_store_url or _store_url("LOCK_STORE_URL")
    if tracker_url:
        endpoints["tracker_store"] = tracker_store_endpoint(tracker_url)
    elif "tracker_store" not in endpoints:
        endpoints["tracker_store"] = {"type": MEMORY_TRACKER_STORE}  # Rasa's in-memory store, faster (bot/stores.py)
    if lock_url:
        endpoints["lock_store"] = lock_store_endpoint(lock_url)
    sources = "endpoints.yml and .env; it may hold passwords"
    return _write_private_yaml(path or VAR_DIR / "endpoints.yml", endpoints, sources)


def sanic_workers() -> str:
    """``SANIC_WORKERS`` for the Rasa server: more than 1 only with a shared tracker store and a Redis lock store.

    Rasa itself checks only the lock store; with the default in-memory tracker store each worker would keep its own
    copy of a conversation, so that a conversation would forget what it was told whenever a message reaches another
    worker. Each worker loads its own copy of the model (memory × workers).
    """
    wanted = os.environ.get("SANIC_WORKERS") or "1"
    if wanted != "1" and not (_store_url("TRACKER_STORE_URL") and _store_url("LOCK_STORE_URL")):
        print(
            f"SANIC_WORKERS={wanted} needs TRACKER_STORE_URL and LOCK_STORE_URL (see .env.example); using 1 worker.",
            file=sys.stderr,
        )
        return "1"
    return wanted


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
    sources = "credentials.yml and .env; it may hold secrets"
    return _write_private_yaml(path or VAR_DIR / "credentials.yml", credentials, sources)


def _write_private_yaml(path: Path, data: Dict[str, object], sources: str) -> Path:
    """Write a run-time YAML file, readable by its owner only, that says where it comes from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# GENERATED at start-up by bot/serve.py from {sources}.\n" + yaml.safe_dump(data, sort_keys=False),
        encoding="utf-8",
    )
    os.chmod(path, 0o600)
    return path


def rasa_command(
    settings: Settings, credentials: Path, model: Path = MODEL_PATH, endpoints: Optional[Path] = None
) -> List[str]:
    """The Rasa server's command line. The HTTP API is on only when a token or a JWT secret is set."""
    endpoints = endpoints or endpoints_file(credentials.parent / "endpoints.yml")
    command = [
        sys.executable, "-m", "bot.server", "run", "--model", str(model), "--endpoints", str(endpoints),
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


def spawn(command: List[str], log_path: Path, env: Dict[str, str], cwd: Path = ROOT) -> subprocess.Popen:
    """Start a command in a process group of its own, with the environment plus ``env`` and its output appended to
    ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop_group(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    """Stop a process group started by :func:`spawn`: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def tail(path: Optional[Path], lines: int = 30) -> str:
    """The last lines of a log file ("" when there is none)."""
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


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
        self.log_path = log_dir / f"{self.name}.log"
        self.process = spawn(self.command, self.log_path, self.env)

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status < 500
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        stop_group(self.process)


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
            "SANIC_WORKERS": sanic_workers(),
            # Rasa sends usage data and crash reports to Rasa's servers unless told not to.
            "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED") or "false",
            **{name: os.environ.get(name) or default for name, default in TF_THREAD_DEFAULTS.items()},
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
                    raise RuntimeError(f"the {service.name} server stopped:\n{tail(service.log_path)}")
                if service.is_up():
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise RuntimeError(f"no answer from {names} after {timeout:.0f} s:\n{tail(pending[0].log_path)}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop every server (reverse order)."""
        for service in reversed(self.services):
            service.stop()

    def first_dead(self) -> Optional[Service]:
        """A server that has stopped, if any."""
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    """Start everything and wait for Ctrl-C."""
    argparse.ArgumentParser(prog="python -m bot.serve", description=__doc__.split("\n")[0]).parse_args(argv)
    settings = load_settings()
    if not MODEL_PATH.exists():
        print("No trained model: run `make run` (it trains when needed).", file=sys.stderr)
        return 1
    try:
        stack = Stack(settings)
    except ValueError as exc:  # e.g. a TRACKER_STORE_URL or LOCK_STORE_URL of the wrong kind
        print(f"Could not start CEE Guide: {exc}. See .env.example.", file=sys.stderr)
        return 1
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

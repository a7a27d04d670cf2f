"""The command lines and the environment of CEE Guide's servers: the Rasa server, the action server, the chat page."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from bot.runtime.endpoints import endpoints_file, store_url
from bot.settings import Settings
from bot.train import MODEL_PATH

# TensorFlow's thread pools are for big models: for one message of these small ones, handing tiny operations to other
# threads costs more than it saves (and competes with the action server). One thread each, unless set in .env.
TF_THREAD_DEFAULTS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
RASA_CLI = "bot.runtime.rasa_cli"  # python -m bot.runtime.rasa_cli: Rasa's command line with bot.patches


def sanic_workers() -> str:
    """``SANIC_WORKERS`` for the Rasa server: more than 1 only with a shared tracker store and a Redis lock store.

    Rasa itself checks only the lock store; with the default in-memory tracker store each worker would keep its own
    copy of a conversation, so that a conversation would forget what it was told whenever a message reaches another
    worker. Each worker loads its own copy of the model (memory × workers).
    """
    wanted = os.environ.get("SANIC_WORKERS") or "1"
    if wanted != "1" and not (store_url("TRACKER_STORE_URL") and store_url("LOCK_STORE_URL")):
        print(
            f"SANIC_WORKERS={wanted} needs TRACKER_STORE_URL and LOCK_STORE_URL (see .env.example); using 1 worker.",
            file=sys.stderr,
        )
        return "1"
    return wanted


def server_env(
    action_endpoint: str, database_url: str, host: str, workers: str, token: Optional[str] = None, **extra: str
) -> dict[str, str]:
    """The environment added for the Rasa server and the action server (``extra``: more variables, e.g. stores).

    Secrets travel here (readable by the same user only, unlike command lines, which ``ps`` shows to everyone).

    Args:
        action_endpoint: the action server's webhook URL (``ACTION_ENDPOINT_URL``).
        database_url: the bot's database (``DATABASE_URL``).
        host: the address the action server listens on (``ACTION_HOST``).
        workers: ``SANIC_WORKERS`` for the Rasa server (see :func:`sanic_workers`).
        token: the action server's shared secret (``ACTION_SERVER_TOKEN``), if any.
        **extra: more variables, added after these.
    """
    return {
        "ACTION_ENDPOINT_URL": action_endpoint,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        "ACTION_HOST": host,  # the action server listens on this address only
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_WORKERS": workers,
        # Rasa sends usage data and crash reports to Rasa's servers unless told not to.
        "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED") or "false",
        **{name: os.environ.get(name) or default for name, default in TF_THREAD_DEFAULTS.items()},
        **({"ACTION_SERVER_TOKEN": token} if token else {}),
        **extra,
    }


def api_secrets_env(settings: Settings) -> dict[str, str]:
    """The Rasa server's HTTP API secrets for its environment (empty when unset, so that ``.env`` cannot add them)."""
    return {"RASA_API_TOKEN": settings.rasa_api_token or "", "RASA_JWT_SECRET": settings.rasa_jwt_secret or ""}


def rasa_command(
    settings: Settings, credentials: Path, model: Path = MODEL_PATH, endpoints: Optional[Path] = None
) -> list[str]:
    """The Rasa server's command line. The HTTP API is on only when a token or a JWT secret is set.

    The token and the JWT secret are not on it (``ps`` shows command lines to every user): :mod:`bot.runtime.rasa_cli`
    reads them from the environment. The action server's token is in the environment, named by ``endpoints.yml``.
    """
    endpoints = endpoints or endpoints_file(
        credentials.parent / "endpoints.yml", action_token=bool(settings.action_server_token)
    )
    command = [
        sys.executable,
        "-m",
        RASA_CLI,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--interface",
        settings.host,
        "--port",
        str(settings.rasa_port),
        "--cors",
        *settings.cors_origins,
    ]
    if settings.rasa_api_token or settings.rasa_jwt_secret:
        command.append("--enable-api")
    return command


def actions_command(port: int) -> list[str]:
    """The action server's command line (:mod:`bot.runtime.action_server`); it listens on ``ACTION_HOST``."""
    return [sys.executable, "-m", "bot.runtime.action_server", "--port", str(port)]


def web_command(port: int, host: str, rasa_port: int) -> list[str]:
    """The chat page's command line: :mod:`bot.runtime.web_server`, the widget's files only.

    The page's widget talks to the Rasa server on ``rasa_port``, unless ``RASA_PUBLIC_URL`` says otherwise.
    """
    return [
        sys.executable,
        *("-m", "bot.runtime.web_server", "--port", str(port), "--host", host, "--rasa-port", str(rasa_port)),
    ]

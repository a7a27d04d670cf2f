"""The run-time Rasa configuration: ``endpoints.yml`` with the tracker and lock stores, and ``credentials.yml``.

Both are written at start-up, readable by their owner only, from the checked-in files plus ``.env``: Rasa fails at
start-up on a ``${VAR}`` that is not set, so optional parts are added here instead of being written as references.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import yaml

from bot.settings import ROOT, VAR_DIR, Settings

MEMORY_TRACKER_STORE = "bot.stores.MemoryTrackerStore"
ACTION_TOKEN_REFERENCE = "${ACTION_SERVER_TOKEN}"  # Rasa fills it in from its environment
PERSISTENT_TRACKER_STORE = "bot.tracker_store.PersistentTrackerStore"
MASKING_SQL_TRACKER_STORE = "bot.tracker_store.MaskingSQLTrackerStore"
CONVERSATIONS_DB = "conversations.db"  # beside the run-time endpoints file (var/log/ under `make run`)


def store_url(name: str) -> Optional[str]:
    """``TRACKER_STORE_URL`` / ``LOCK_STORE_URL`` from the environment (``load_settings`` has read ``.env``)."""
    return os.environ.get(name) or None


def tracker_store_endpoint(url: str) -> dict[str, object]:
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
    section: dict[str, object] = {  # Rasa's SQL store, masking SSN-format numbers first (bot/tracker_store.py)
        "type": MASKING_SQL_TRACKER_STORE,
        "dialect": parsed.drivername,
        "db": parsed.database or "",
    }
    if dialect == "sqlite":  # a relative path is taken from the project root, as for DATABASE_URL
        section["db"] = parsed.database if parsed.database == ":memory:" else str(ROOT / (parsed.database or "rasa.db"))
        return section
    for key, value in (
        ("url", parsed.host),
        ("port", parsed.port),
        ("username", parsed.username),
        ("password", parsed.password),
    ):  # Rasa calls the host "url"
        if value is not None:
            section[key] = value
    if parsed.query:
        section["query"] = dict(parsed.query)
    return section


def _redis_parts(url: str) -> dict[str, object]:
    """Host, port, database, password and TLS of a ``redis://`` URL, as Rasa's Redis stores name them."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    parts: dict[str, object] = {"url": parsed.hostname or "localhost", "port": parsed.port or 6379}
    if parsed.path.strip("/"):
        parts["db"] = int(parsed.path.strip("/"))
    if parsed.password:
        parts["password"] = parsed.password
    if parsed.scheme == "rediss":
        parts["use_ssl"] = True
    return parts


def lock_store_endpoint(url: str) -> dict[str, object]:
    """Rasa's ``lock_store`` section for a ``redis://host:port/db`` URL.

    Raises:
        ValueError: not a Redis URL (Rasa's only lock store shared between processes).
    """
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError("LOCK_STORE_URL: use a redis:// URL (Rasa's only lock store shared between processes)")
    return {"type": "redis", **_redis_parts(url)}


def endpoints_file(
    path: Optional[Path] = None,
    tracker_store_url: Optional[str] = None,
    lock_store_url: Optional[str] = None,
    action_token: bool = False,
) -> Path:
    """Write the run-time endpoints: ``endpoints.yml`` plus the stores named in ``.env``.

    ``TRACKER_STORE_URL`` (PostgreSQL, SQLite or Redis) keeps conversations outside the Rasa process, so that they
    survive a restart and several Rasa servers can share them; ``LOCK_STORE_URL`` (Redis) lets several Rasa processes
    handle one conversation's messages one at a time. Without them both stay in the Rasa process's memory (one
    process only): conversations in :class:`bot.tracker_store.PersistentTrackerStore` (in memory, written through to
    the SQLite file ``conversations.db`` beside the endpoints file, so that they survive a restart), locks in Rasa's
    in-memory lock store. The URLs can also be given (``deploy/servers.py`` does). With ``action_token``, Rasa sends
    the action server the secret ``ACTION_SERVER_TOKEN`` from its environment (written as a reference, never as its
    value).
    """
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    tracker_url = tracker_store_url or store_url("TRACKER_STORE_URL")
    lock_url = lock_store_url or store_url("LOCK_STORE_URL")
    if tracker_url:
        endpoints["tracker_store"] = tracker_store_endpoint(tracker_url)
    elif "tracker_store" not in endpoints:  # in memory for speed, written through to SQLite (bot/tracker_store.py)
        target = path or VAR_DIR / "endpoints.yml"
        db = str(target.parent / CONVERSATIONS_DB)
        endpoints["tracker_store"] = {"type": PERSISTENT_TRACKER_STORE, "dialect": "sqlite", "db": db}
    if lock_url:
        endpoints["lock_store"] = lock_store_endpoint(lock_url)
    if action_token:
        endpoints["action_endpoint"] = {**endpoints.get("action_endpoint", {}), "token": ACTION_TOKEN_REFERENCE}
    sources = "endpoints.yml and .env; it may hold passwords"
    return _write_private_yaml(path or VAR_DIR / "endpoints.yml", endpoints, sources)


def credentials_file(settings: Settings, path: Optional[Path] = None) -> Path:
    """Write the run-time channel credentials: ``credentials.yml`` plus Slack when its secrets are set."""
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


def _write_private_yaml(path: Path, data: dict[str, object], sources: str) -> Path:
    """Write a run-time YAML file, readable by its owner only, that says where it comes from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# GENERATED at start-up by bot/runtime/endpoints.py from {sources}.\n"
        + yaml.safe_dump(data, sort_keys=False),
        encoding="utf-8",
    )
    os.chmod(path, 0o600)
    return path

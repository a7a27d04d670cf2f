"""Settings read from the environment and an optional ``.env`` file, with defaults that work without one."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
# CEE_KNOWLEDGE_DIR points the running servers at another copy of knowledge/ (the live-edit test uses one).
KNOWLEDGE_DIR = Path(os.environ.get("CEE_KNOWLEDGE_DIR") or ROOT / "knowledge")
MODELS_DIR = ROOT / "bot" / "models"
VAR_DIR = ROOT / "var"

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'cee-guide.db'}"


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Run-time settings. Every field has a default that works on a developer machine."""

    database_url: str = DEFAULT_DATABASE_URL
    action_port: int = 5055
    rasa_port: int = 5005
    web_port: int = 8080
    host: str = "127.0.0.1"
    cors_origins: tuple[str, ...] = field(default=("http://localhost:8080", "http://127.0.0.1:8080"))
    rasa_api_token: Optional[str] = None
    rasa_jwt_secret: Optional[str] = None
    slack_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    slack_api_url: str = "https://slack.com/api/"
    max_message_chars: int = 1000
    action_host: str = "127.0.0.1"  # the action server's address: loopback unless it must be reached from elsewhere
    action_server_token: Optional[str] = None  # the secret Rasa sends the action server (required off loopback)
    action_timeout: float = 10.0  # seconds an action call may take before the user gets a polite answer
    frame_ancestors: tuple[str, ...] = ("'self'",)  # pages allowed to embed the chat page (CSP frame-ancestors)
    rasa_public_url: Optional[str] = None  # the Rasa server's URL as browsers reach it (default: host and rasa_port)
    # Public channels (bot/channels/limits.py): request and metadata sizes, messages per address per window.
    max_request_bytes: int = 65_536
    max_metadata_bytes: int = 4_096
    message_rate_limit: int = 30  # 0: no limit
    message_rate_window_s: float = 60.0
    max_conversations: int = 10_000  # conversations kept by the in-memory tracker store (bot/stores.py)
    session_secret: Optional[str] = None  # signs the web chat's session ids (bot/channels/sessions.py)
    speedups: bool = True  # CEE_SPEEDUPS=0: Rasa runs without the speed patches of bot.patches (to compare)
    # Importer look-ups (docs/security.md): per conversation and per client address, in a sliding window.
    lookup_limit: int = 5
    lookup_window_minutes: float = 10
    rate_limit_redis_url: Optional[str] = None  # shared counters for several processes; else in-process
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For is believed (e.g. nginx's address)
    staff_channels: tuple[str, ...] = ("cmdline",)  # input channels whose users are CBP staff (rasa shell)
    retention_days: int = 90  # conversations whose last message is older are deleted (bot/retention.py)
    tracker_store_url: Optional[str] = None  # TRACKER_STORE_URL; bot.retention.tracker_store_url gives the default

    @property
    def slack_enabled(self) -> bool:
        """Slack is on only when both its token and its signing secret are set."""
        return bool(self.slack_token and self.slack_signing_secret)

    @property
    def action_endpoint(self) -> str:
        """The action server's webhook URL (on loopback when it listens on every address)."""
        host = "127.0.0.1" if self.action_host in ("0.0.0.0", "::", "") else self.action_host
        return f"http://{host}:{self.action_port}/webhook"


def _absolute_sqlite(url: str) -> str:
    """A relative SQLite path (``sqlite:///var/x.db``) is taken from the project root, not the current folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(ROOT / url[len(prefix) :])
    return url


def load_settings(env_file: Optional[Path] = None) -> Settings:
    """Read settings from ``.env`` (if present) and the process environment.

    Variables already set in the environment win over the file, so tests and CI can override anything.
    """
    load_dotenv(env_file or ROOT / ".env", override=False)
    env = os.environ

    def opt(name: str) -> Optional[str]:
        return env.get(name) or None

    defaults = Settings()
    return Settings(
        database_url=_absolute_sqlite(env.get("DATABASE_URL") or defaults.database_url),
        action_port=int(env.get("ACTION_PORT") or defaults.action_port),
        rasa_port=int(env.get("RASA_PORT") or defaults.rasa_port),
        web_port=int(env.get("WEB_PORT") or defaults.web_port),
        host=env.get("BIND_HOST") or defaults.host,
        cors_origins=_split(env["CORS_ORIGINS"]) if env.get("CORS_ORIGINS") else defaults.cors_origins,
        rasa_api_token=opt("RASA_API_TOKEN"),
        rasa_jwt_secret=opt("RASA_JWT_SECRET"),
        slack_token=opt("SLACK_TOKEN"),
        slack_signing_secret=opt("SLACK_SIGNING_SECRET"),
        slack_api_url=env.get("SLACK_API_URL") or defaults.slack_api_url,
        max_message_chars=int(env.get("MAX_MESSAGE_CHARS") or defaults.max_message_chars),
        action_host=env.get("ACTION_HOST") or defaults.action_host,
        action_server_token=opt("ACTION_SERVER_TOKEN"),
        action_timeout=float(env.get("ACTION_TIMEOUT_SECONDS") or defaults.action_timeout),
        frame_ancestors=_split(env["FRAME_ANCESTORS"]) if env.get("FRAME_ANCESTORS") else defaults.frame_ancestors,
        rasa_public_url=opt("RASA_PUBLIC_URL"),
        max_request_bytes=int(env.get("MAX_REQUEST_BYTES") or defaults.max_request_bytes),
        max_metadata_bytes=int(env.get("MAX_METADATA_BYTES") or defaults.max_metadata_bytes),
        message_rate_limit=int(env.get("MESSAGE_RATE_LIMIT") or defaults.message_rate_limit),
        message_rate_window_s=float(env.get("MESSAGE_RATE_WINDOW") or defaults.message_rate_window_s),
        max_conversations=int(env.get("MAX_CONVERSATIONS") or defaults.max_conversations),
        session_secret=opt("SESSION_SECRET"),
        speedups=env.get("CEE_SPEEDUPS", "1").strip() not in ("0", "false", "no", "off"),
        lookup_limit=int(env.get("IMPORTER_LOOKUP_LIMIT") or defaults.lookup_limit),
        lookup_window_minutes=float(env.get("IMPORTER_LOOKUP_WINDOW_MINUTES") or defaults.lookup_window_minutes),
        rate_limit_redis_url=opt("RATE_LIMIT_REDIS_URL") or opt("REDIS_URL") or opt("LOCK_STORE_URL"),
        trusted_proxies=_split(env.get("TRUSTED_PROXIES") or ""),
        staff_channels=_split(env["STAFF_CHANNELS"]) if env.get("STAFF_CHANNELS") else defaults.staff_channels,
        retention_days=int(env.get("RETENTION_DAYS") or defaults.retention_days),
        tracker_store_url=opt("TRACKER_STORE_URL"),
    )

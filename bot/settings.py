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
    retention_days: int = 90  # RETENTION_DAYS: conversations (and the widget's local history) are deleted after this
    speedups: bool = True  # CEE_SPEEDUPS=0: Rasa runs without the speed patches of bot.patches (to compare)

    @property
    def slack_enabled(self) -> bool:
        """Slack is on only when both its token and its signing secret are set."""
        return bool(self.slack_token and self.slack_signing_secret)

    @property
    def action_endpoint(self) -> str:
        """The action server's webhook URL."""
        return f"http://{self.host}:{self.action_port}/webhook"


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
        retention_days=int(env.get("RETENTION_DAYS") or defaults.retention_days),
        speedups=env.get("CEE_SPEEDUPS", "1").strip() not in ("0", "false", "no", "off"),
    )

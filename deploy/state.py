"""The record of a scale-out deployment (``state.json`` in its state folder), its parts' ports and its databases.

Every other module of ``deploy/`` reads and fills in a :class:`Deployment`; :mod:`deploy.scale_out` saves it after
each step, so that ``stop`` and ``status`` find what ``start`` started.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from bot.runtime import postgres, processes
from bot.runtime.processes import HOST, StartError

DEFAULT_PORTS = {
    "nginx": 5080,
    "web": 5090,
    "rasa1": 5101,
    "rasa2": 5102,
    "actions": 5155,
    "postgres": 5433,
    "redis": 6380,
}
PG_SUPERUSER = postgres.SUPERUSER
TRACKER_DB = "rasa"
APP_DB = "cee_guide"
RASA_SERVERS = ("rasa1", "rasa2")

DeployError = StartError  # what start raises: a package is missing, a command failed or a part did not start


@dataclass
class Deployment:
    """What ``start`` started, saved as ``state.json`` in the state folder."""

    state_dir: str
    ports: dict[str, int]
    pids: dict[str, int] = field(default_factory=dict)
    pg_user: Optional[str] = None
    pg_dir: Optional[str] = None  # PostgreSQL's folder: <state>/postgres, unless pg_user cannot reach the state folder
    www_dir: Optional[str] = None  # the chat page's files for nginx: <state>/nginx/www, unless nobody can read them

    @property
    def dir(self) -> Path:
        """The deployment's state folder."""
        return Path(self.state_dir)

    @property
    def pg_data(self) -> Path:
        """PostgreSQL's data folder (in :attr:`pg_dir`, or in the state folder before PostgreSQL's first start)."""
        return Path(self.pg_dir or self.dir / "postgres") / "data"

    @property
    def url(self) -> str:
        """nginx: the one address clients use."""
        return f"http://{HOST}:{self.ports['nginx']}"

    @property
    def rest_url(self) -> str:
        """The REST channel's URL, through nginx."""
        return f"{self.url}/webhooks/rest/webhook"

    def postgres_url(self, database: str) -> str:
        """The URL of ``database`` on the deployment's PostgreSQL."""
        return f"postgresql+psycopg2://{PG_SUPERUSER}@{HOST}:{self.ports['postgres']}/{database}"

    @property
    def tracker_store_url(self) -> str:
        """The tracker store's database URL."""
        return self.postgres_url(TRACKER_DB)

    @property
    def database_url(self) -> str:
        """CEE Guide's database URL (figures, importers, requests)."""
        return self.postgres_url(APP_DB)

    @property
    def lock_store_url(self) -> str:
        """The Redis lock store's URL."""
        return f"redis://{HOST}:{self.ports['redis']}/0"

    def save(self) -> None:
        """Write the deployment's state to ``state.json``."""
        (self.dir / "state.json").write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, state_dir: Path) -> Optional[Deployment]:
        """The deployment recorded in ``state_dir``; None when there is none."""
        path = state_dir / "state.json"
        return cls(**json.loads(path.read_text())) if path.exists() else None


def free_ports() -> dict[str, int]:
    """A free loopback port for every part (for tests and parallel runs)."""
    return dict(zip(DEFAULT_PORTS, processes.free_ports(len(DEFAULT_PORTS), HOST)))

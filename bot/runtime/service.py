"""One server process, and the wait until servers answer (used by :class:`bot.serve.Stack` and ``deploy/``)."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.runtime.processes import StartError, spawn, stop_group, tail


def answers(url: str) -> bool:
    """Whether ``url`` answers with anything but a server error."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Service:
    """One server process."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    log_path: Optional[Path] = None
    with_parent: bool = False  # stopped when the process that started it dies (see processes.spawn)

    def start(self, log_dir: Path) -> None:
        """Start the process, its output appended to ``<log_dir>/<name>.log``."""
        self.log_path = log_dir / f"{self.name}.log"
        self.process = spawn(self.command, self.log_path, self.env, with_parent=self.with_parent)

    def is_up(self) -> bool:
        """Whether the server answers its health URL."""
        return answers(self.health_url)

    def has_stopped(self) -> bool:
        """Whether the process was started and has ended."""
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """Stop the process and its children."""
        stop_group(self.process)


def wait_until_answering(services: Sequence[Service], timeout: float, logs: Optional[Path] = None) -> None:
    """Wait until every service answers its health URL.

    Args:
        services: started services.
        timeout: seconds to wait in all.
        logs: the folder named when a service does not answer in time; without it, the end of that service's log.

    Raises:
        StartError: a service stopped (the end of its log is in the message) or did not answer in time.
    """
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for service in list(pending):
            if service.has_stopped():
                raise StartError(f"the {service.name} server stopped:\n{tail(service.log_path)}")
            if service.is_up():
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            where = f"; logs in {logs}" if logs else f":\n{tail(pending[0].log_path)}"
            raise StartError(f"no answer from {names} after {timeout:.0f} s{where}")
        time.sleep(0.5)

"""The parts of a scale-out deployment as processes: their names, whether each still runs, and stopping one."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from bot.runtime.processes import HOST, alive, wait_until
from deploy.state import RASA_SERVERS, Deployment

PART_NAMES = {
    "postgres": "PostgreSQL (tracker store, bot database)",
    "redis": "Redis (lock store)",
    "actions": "action server",
    "rasa1": "Rasa server 1",
    "rasa2": "Rasa server 2",
    "web": "page server (figures page)",
    "nginx": "nginx (load balancer)",
}
PYTHON_SERVERS = ("web", *RASA_SERVERS, "actions")  # started as services, each in a process group of its own


def _marker(dep: Deployment, name: str) -> str:
    """A string that the command line of this deployment's ``name`` process holds, and no other process's."""
    if name == "postgres":
        return str(dep.pg_data)
    if name == "redis":
        return f"{HOST}:{dep.ports['redis']}"  # redis-server shows "redis-server 127.0.0.1:PORT"
    if name == "nginx":
        return str(dep.dir / "nginx")
    return f"--port {dep.ports[name]}"  # the Rasa servers, the action server and the page server


def running(dep: Deployment, name: str) -> bool:
    """Whether the process saved as ``name`` still runs and is still that part of this deployment.

    A pid alone is not enough: after a reboot or a crash, the saved pid may belong to another process by now, which
    ``stop`` must never signal.
    """
    pid = dep.pids.get(name)
    if not alive(pid):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return _marker(dep, name) in command


def stop_part(dep: Deployment, name: str) -> bool:
    """Stop the process saved as ``name`` if it is still this deployment's (SIGTERM, SIGKILL after 20 seconds).

    Not for PostgreSQL, which ``pg_ctl`` stops (:func:`deploy.stores.stop_postgres`).

    Returns:
        Whether it was signalled: False when it no longer ran or was no longer this deployment's part.
    """
    pid = dep.pids.get(name)
    if pid is None or not running(dep, name):
        return False
    # the Python servers were started in their own session (process group = pid): stop their children too
    group = name in PYTHON_SERVERS and os.getpgid(pid) == pid
    kill = os.killpg if group else os.kill
    try:
        kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    if not wait_until(lambda: not alive(pid), timeout=20):
        with contextlib.suppress(ProcessLookupError):
            kill(pid, signal.SIGKILL)
    return True

"""A PostgreSQL server from Debian's ``postgresql`` package, in a folder of its own, on 127.0.0.1 only.

``deploy/scale_out.py`` keeps its conversations in one; the tests start a throwaway one (``tests/conftest.py``).
PostgreSQL refuses to run as root: when started by root it runs as the package's user (or one created for it).
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

from bot.runtime.processes import HOST, as_user, run_as

SUPERUSER = "ceeguide"
RUN_AS = ("postgres", "ceeguide-pg")  # when started by root: the package's user, else one we create


def pg_bin() -> Optional[Path]:
    """The bin folder of the newest PostgreSQL from Debian's packages, if installed."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()]
    found.sort(key=lambda b: int(b.parent.name) if b.parent.name.isdigit() else 0)
    return found[-1] if found else None


def pg_system_user() -> Optional[str]:
    """The user to run PostgreSQL as: None when not root (PostgreSQL refuses to run as root), else the package's
    user or one created for it.
    """
    if os.geteuid() != 0:
        return None
    for name in RUN_AS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    run_as(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS[-1]])
    return RUN_AS[-1]


def _bin(program: str) -> str:
    bin_dir = pg_bin()
    assert bin_dir is not None, "PostgreSQL is not installed"
    return str(bin_dir / program)


def init_cluster(data: Path, user: Optional[str]) -> None:
    """Create a cluster in ``data`` whose superuser (:data:`SUPERUSER`) logs in without a password from loopback.

    Raises:
        StartError: ``initdb`` failed.
    """
    run_as(
        [_bin("initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], user
    )


def start_cluster(data: Path, log: Path, port: int, socket_dir: Path, user: Optional[str], *settings: str) -> None:
    """Start the cluster in ``data`` on 127.0.0.1:``port`` and wait until it accepts connections.

    Args:
        data: the cluster's folder.
        log: the server's log file.
        port: its TCP port.
        socket_dir: where it puts its Unix socket.
        user: the user to run it as (see :func:`pg_system_user`).
        *settings: more server settings, each ``name=value``.

    Raises:
        StartError: ``pg_ctl start`` failed.
    """
    options = " ".join([f"-c listen_addresses={HOST} -p {port} -k {socket_dir}", *(f"-c {s}" for s in settings)])
    run_as([_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"], user)


def stop_cluster(data: Path, user: Optional[str], timeout: float = 90) -> None:
    """Stop the cluster in ``data`` (fast shutdown: open connections are closed); nothing when it is not running."""
    if pg_bin() and (data / "postmaster.pid").exists():
        stop = [_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]
        subprocess.run(as_user(user, stop), capture_output=True, timeout=timeout)


def server_pid(data: Path) -> int:
    """The pid of the cluster's server (from ``postmaster.pid``)."""
    return int((data / "postmaster.pid").read_text().split()[0])


def admin_connect(port: int, host: str = HOST) -> Any:
    """A psycopg2 connection in autocommit mode to the server's ``postgres`` database, as :data:`SUPERUSER`."""
    import psycopg2

    connection = psycopg2.connect(host=host, port=port, user=SUPERUSER, dbname="postgres", connect_timeout=10)
    connection.autocommit = True
    return connection


def create_databases(port: int, names: Iterable[str]) -> list[str]:
    """Create the databases that do not exist yet; the names created."""
    created: list[str] = []
    connection = admin_connect(port)
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {name}")
                    created.append(name)
    finally:
        connection.close()
    return created

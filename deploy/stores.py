"""The stores the Rasa servers share: PostgreSQL (the tracker store and the bot's database) and Redis (the lock store).

Both come from Debian's packages and listen on 127.0.0.1 only, with their data in the deployment's state folder.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from bot.runtime import postgres
from bot.runtime.processes import HOST, as_user, listening, run_as, tail, wait_until
from deploy.state import APP_DB, TRACKER_DB, DeployError, Deployment


def redis_bin() -> Optional[str]:
    """redis-server, if installed."""
    return shutil.which("redis-server")


def start_postgres(dep: Deployment) -> None:
    """Start PostgreSQL (creating its cluster and the two databases the first time) and record its pid.

    It keeps the previous run's folder, so that a restart finds the conversations again. When ``dep.pg_user`` (the
    user PostgreSQL runs as) cannot reach the state folder, the data goes to a temporary folder instead.

    Raises:
        DeployError: a command failed or PostgreSQL did not start.
    """
    base = dep.dir / "postgres"
    if dep.pg_dir and Path(dep.pg_dir).is_dir():
        base = Path(dep.pg_dir)  # the previous run's (a restart keeps the conversations)
    elif dep.pg_user and subprocess.run(as_user(dep.pg_user, ["test", "-x", str(dep.dir)])).returncode:
        base = Path(tempfile.mkdtemp(prefix="cee-scale-out-pg-"))  # e.g. pytest's folders are private to root
    dep.pg_dir = str(base)
    dep.save()
    data = base / "data"
    base.mkdir(parents=True, exist_ok=True)
    if dep.pg_user:
        shutil.chown(base, user=dep.pg_user)
    if not (data / "PG_VERSION").exists():
        postgres.init_cluster(data, dep.pg_user)
    port = dep.ports["postgres"]
    postgres.start_cluster(data, base / "postgres.log", port, base, dep.pg_user, "max_connections=200")
    dep.pids["postgres"] = postgres.server_pid(data)
    postgres.create_databases(port, (TRACKER_DB, APP_DB))


def stop_postgres(dep: Deployment) -> None:
    """Stop the deployment's PostgreSQL (its data stays)."""
    postgres.stop_cluster(dep.pg_data, dep.pg_user)


def start_redis(dep: Deployment) -> None:
    """Start Redis, in memory only (no snapshots, no append-only file), and record its pid.

    Raises:
        DeployError: redis-server failed, or Redis did not start (with the end of its log).
    """
    base = dep.dir / "redis"
    base.mkdir(parents=True, exist_ok=True)
    pidfile = base / "redis.pid"
    pidfile.unlink(missing_ok=True)  # left by a crash
    run_as(
        [
            redis_bin() or "redis-server",
            "--port",
            str(dep.ports["redis"]),
            "--bind",
            HOST,
            "--dir",
            str(base),
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(base / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
    )
    if not wait_until(lambda: pidfile.exists() and listening(dep.ports["redis"]), timeout=30):
        raise DeployError(f"Redis did not start:\n{tail(base / 'redis.log')}")
    dep.pids["redis"] = int(pidfile.read_text().split()[0])

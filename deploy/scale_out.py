"""Two CEE Guide Rasa servers behind nginx, sharing PostgreSQL and Redis: ``deploy/scale-out.sh start|stop|status``.

Everything comes from Debian packages (``postgresql``, ``redis-server``, ``nginx``) and listens on 127.0.0.1 only::

    nginx :5080 ──┬── Rasa server 1 :5101 ─┐
                  ├── Rasa server 2 :5102 ─┼── action server :5155
                  │                        ├── PostgreSQL :5433  (tracker store "rasa"; the bot's "cee_guide")
                  │                        └── Redis :6380       (lock store)
                  └── page server :5090 (/figures) ── PostgreSQL :5433 ("cee_guide")

* REST messages (``/webhooks/``) go to either replica (``least_conn``): the conversation is in PostgreSQL and Rasa's
  per-conversation lock in Redis, so any replica can answer any message, and when one is down nginx uses the other.
* socket.io (``/socket.io/``) is sticky (``ip_hash``; WebSocket upgrade headers are passed on): a socket.io session
  lives in one Rasa process.
* Slack (``/webhooks/slack/``, off here since Slack cannot reach loopback) goes to replica 1, replica 2 being its
  backup: the channel's memory of deliveries already answered is per process (``bot/channels/slack.py``).
* The Center figures page (``/figures``, its chart images and its style and script) comes from the page server
  (``python -m bot.runtime.web_server``), reading the figures from the bot's database in PostgreSQL, the one the
  actions use: figures imported there show on the next page load. nginx serves the chat page's files itself.
* nginx adds ``X-CEE-Upstream`` (the replica that answered) to every response, for the tests and for debugging.
* Each Rasa server runs one Sanic worker, with TensorFlow thread pools of 1 thread (``TF_THREAD_DEFAULTS`` in
  ``bot/runtime/commands.py``; ``TF_INTRA_OP_PARALLELISM_THREADS`` and ``TF_INTER_OP_PARALLELISM_THREADS`` override
  them).
* All state lives in one folder (default ``var/scale-out/``): databases, logs, pid files, nginx's configuration.
  PostgreSQL runs as the ``postgres`` user when started by root (it refuses to run as root); if that user cannot
  reach the folder, its data goes to a temporary folder instead (named in ``state.json``).

``start`` refuses to run when that folder has a running deployment or a port is taken; ``stop`` stops everything it
started and keeps the folder, so that a new ``start`` finds the conversations again (``stop --clean`` removes it).
Ports: ``--ports nginx=5080,rasa1=5101,...`` or ``--free-ports``. ``status`` exits with 0 only when every part is up.

This module runs the steps in order (``start``, ``stop``, ``status``); :mod:`deploy.state` is the record it keeps,
:mod:`deploy.stores` starts PostgreSQL and Redis, :mod:`deploy.servers` the action, Rasa and page servers,
:mod:`deploy.nginx` nginx, and :mod:`deploy.parts` tells whether each part still runs and stops it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Optional

from bot.runtime import postgres
from bot.runtime.processes import HOST, listening
from bot.runtime.service import wait_until_answering
from bot.settings import VAR_DIR
from bot.train import MODEL_PATH
from deploy.nginx import nginx_bin, start_nginx
from deploy.parts import PART_NAMES, PYTHON_SERVERS, running, stop_part
from deploy.servers import start_bot
from deploy.state import DEFAULT_PORTS, DeployError, Deployment
from deploy.stores import redis_bin, start_postgres, start_redis, stop_postgres

DEFAULT_DIR = VAR_DIR / "scale-out"


def missing_packages() -> list[str]:
    """The Debian packages this deployment needs that are not installed."""
    return [
        name
        for name, found in (("postgresql", postgres.pg_bin()), ("redis-server", redis_bin()), ("nginx", nginx_bin()))
        if not found
    ]


def _quiet(message: str) -> None:
    pass


def start(
    state_dir: Path = DEFAULT_DIR,
    ports: Optional[dict[str, int]] = None,
    timeout: float = 600,
    say: Callable[[str], None] = _quiet,
) -> Deployment:
    """Start PostgreSQL, Redis, the action server, two Rasa servers, the page server and nginx; wait until all answer.

    ``say`` receives a line for each step.

    Raises:
        DeployError: a package or the trained model is missing, a deployment already runs there, a port is taken, or
            a part did not start (whatever had started is stopped again).
    """
    missing = missing_packages()
    if missing:
        raise DeployError(
            f"missing Debian packages: {' '.join(missing)}; install them as root with `bash scripts/system-deps.sh` "
            f"(or apt-get install {' '.join(missing)})"
        )
    if not MODEL_PATH.exists():
        raise DeployError("no trained model: run `make train` first")
    state_dir = state_dir.resolve()
    previous = Deployment.load(state_dir)
    if previous and any(running(previous, name) for name in previous.pids):
        raise DeployError(
            f"a deployment is already running in {state_dir}; stop it first: {shell_command('stop', state_dir)}"
        )
    wanted = {**DEFAULT_PORTS, **(ports or {})}
    busy = [f"{HOST}:{port} ({name})" for name, port in wanted.items() if listening(port)]
    if busy:
        raise DeployError(
            f"already in use: {', '.join(busy)}. Stop what uses it, or choose other ports with --ports "
            f"name=port,... or --free-ports"
        )
    if len(set(wanted.values())) != len(wanted):
        raise DeployError(f"two parts on the same port: {wanted}")
    state_dir.mkdir(parents=True, exist_ok=True)
    pg_dir = previous.pg_dir if previous else None
    dep = Deployment(str(state_dir), wanted, pg_user=postgres.pg_system_user(), pg_dir=pg_dir)
    try:
        dep.save()
        for name, step in (("postgres", start_postgres), ("redis", start_redis)):
            say(f"  {PART_NAMES[name]} on {HOST}:{dep.ports[name]}")
            step(dep)
            dep.save()
        say("  bot database, action server, two Rasa servers and the page server (loading the model takes a while)")
        servers = start_bot(dep)
        dep.save()
        wait_until_answering(servers, timeout, logs=dep.dir / "log")  # each Rasa server's /ready: its model answers
        say(f"  {PART_NAMES['nginx']} on {HOST}:{dep.ports['nginx']}")
        start_nginx(dep)
        dep.save()
    except BaseException:
        say("  failed: stopping what had started")
        stop(state_dir)
        raise
    return dep


def stop(state_dir: Path = DEFAULT_DIR, clean: bool = False) -> list[str]:
    """Stop everything ``start`` started there (nginx, page server, Rasa servers, action server, Redis, PostgreSQL);
    what stopped.

    Only processes that are still this deployment's parts are signalled (see :func:`deploy.parts.running`).
    """
    state_dir = state_dir.resolve()
    dep = Deployment.load(state_dir)
    stopped: list[str] = []
    if dep is not None:
        stopped = [name for name in ("nginx", *PYTHON_SERVERS, "redis") if stop_part(dep, name)]
        if running(dep, "postgres"):
            stop_postgres(dep)
            stopped.append("postgres")
    if dep is not None and dep.www_dir and not Path(dep.www_dir).is_relative_to(state_dir):
        shutil.rmtree(dep.www_dir, ignore_errors=True)  # a copy, made again at each start
    if clean:
        if dep is not None and dep.pg_dir and not Path(dep.pg_dir).is_relative_to(state_dir):
            shutil.rmtree(dep.pg_dir, ignore_errors=True)
        shutil.rmtree(state_dir, ignore_errors=True)
    return stopped


def status(state_dir: Path = DEFAULT_DIR) -> dict[str, dict[str, object]]:
    """Each part's pid, port, and whether it runs and answers."""
    dep = Deployment.load(state_dir.resolve())
    if dep is None:
        return {}
    return {
        name: {"pid": dep.pids.get(name), "port": port, "running": running(dep, name), "listening": listening(port)}
        for name, port in dep.ports.items()
    }


def shell_command(verb: str, state_dir: Path) -> str:
    """The command that does ``verb`` (start, stop, status) to the deployment in ``state_dir``."""
    where = "" if state_dir.resolve() == DEFAULT_DIR.resolve() else f" --dir {state_dir}"
    return f"deploy/scale-out.sh {verb}{where}"

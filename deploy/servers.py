"""The Python servers of a scale-out deployment: the action server, the two Rasa servers and the page server.

They share PostgreSQL and Redis (:mod:`deploy.stores`); each runs as a :class:`bot.runtime.service.Service`, in a
process group of its own, with its log in ``<state>/log/``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import replace

from bot.runtime.commands import actions_command, api_secrets_env, rasa_command, server_env, web_command
from bot.runtime.endpoints import credentials_file, endpoints_file
from bot.runtime.processes import HOST, run_as
from bot.runtime.readiness import READY_PATH
from bot.runtime.service import Service
from bot.settings import ROOT, load_settings
from bot.train import MODEL_PATH
from deploy.state import PG_SUPERUSER, RASA_SERVERS, TRACKER_DB, DeployError, Deployment

FIGURES_PATH = "/figures"  # the page server's figures page (bot/runtime/figures_page.py), also its health check


def _create_tracker_tables(dep: Deployment) -> None:
    """Create Rasa's tables once, before two servers race to create them at the same time."""
    code = (
        "from rasa.core.tracker_store import SQLTrackerStore\n"
        f"SQLTrackerStore(dialect='postgresql', host='{HOST}', port={dep.ports['postgres']}, db='{TRACKER_DB}', "
        f"username='{PG_SUPERUSER}')\n"
    )
    run_as([sys.executable, "-c", code], timeout=300, cwd=ROOT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})


def _server_env(dep: Deployment, token: str) -> dict[str, str]:
    """The environment of the action server and the Rasa servers: the shared stores, and nginx as trusted proxy."""
    return server_env(
        f"http://{HOST}:{dep.ports['actions']}/webhook",
        dep.database_url,
        HOST,
        "1",
        token,
        TRACKER_STORE_URL=dep.tracker_store_url,
        LOCK_STORE_URL=dep.lock_store_url,  # also the action server's shared rate limits (bot/ratelimit.py)
        TRUSTED_PROXIES=HOST,  # nginx: its X-Forwarded-For gives the client address
    )


def _page_server(dep: Deployment) -> Service:
    """The page server, for the figures page only (nginx serves the chat page's files), reading the bot's database.

    Its Content-Security-Policy names nginx as the Rasa server, like nginx's own (which nginx sends instead).
    """
    port = dep.ports["web"]
    env = {"DATABASE_URL": dep.database_url, "RASA_PUBLIC_URL": dep.url, "PYTHONUNBUFFERED": "1"}
    command = web_command(port, HOST, dep.ports["nginx"])
    return Service("web", command, f"http://{HOST}:{port}{FIGURES_PATH}", env)  # 503 until it reads the database


def start_bot(dep: Deployment) -> list[Service]:
    """Fill the bot's database, then start the action server, the Rasa servers and the page server (without waiting
    for them).

    The action server answers only requests with its secret (``ACTION_SERVER_TOKEN``, or a random one made for this
    start), which the Rasa servers have in their environment and send (:mod:`bot.runtime.action_server`).

    Raises:
        DeployError: the bot's database could not be filled, or Rasa's tables could not be created.
    """
    settings = replace(load_settings(), host=HOST, slack_token=None, slack_signing_secret=None)
    settings = replace(settings, cors_origins=(*settings.cors_origins, dep.url))  # the chat page nginx serves
    token = settings.action_server_token or secrets.token_urlsafe(32)
    env = {**_server_env(dep, token), "CORS_ORIGINS": ",".join(settings.cors_origins)}
    seeded = subprocess.run(
        [sys.executable, "-m", "bot.db", "seed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    if seeded.returncode != 0:
        raise DeployError(f"could not fill the bot's database:\n{seeded.stderr[-2000:]}")
    _create_tracker_tables(dep)
    endpoints = endpoints_file(dep.dir / "endpoints.yml", dep.tracker_store_url, dep.lock_store_url, action_token=True)
    credentials = credentials_file(settings, dep.dir / "credentials.yml")
    actions_url = f"http://{HOST}:{dep.ports['actions']}/health"
    services = [Service("actions", actions_command(dep.ports["actions"]), actions_url, env)]
    rasa_env = {**env, **api_secrets_env(settings)}
    for name in RASA_SERVERS:
        command = rasa_command(replace(settings, rasa_port=dep.ports[name]), credentials, MODEL_PATH, endpoints)
        services.append(Service(name, command, f"http://{HOST}:{dep.ports[name]}{READY_PATH}", rasa_env))
    services.append(_page_server(dep))
    for service in services:
        service.start(dep.dir / "log")
        assert service.process is not None
        dep.pids[service.name] = service.process.pid
    return services

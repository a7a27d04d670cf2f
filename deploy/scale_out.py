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
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Optional

from bot.runtime import postgres, processes
from bot.runtime.commands import actions_command, api_secrets_env, rasa_command, server_env, web_command
from bot.runtime.endpoints import credentials_file, endpoints_file
from bot.runtime.processes import HOST, StartError, alive, as_user, listening, run_as, tail, wait_until
from bot.runtime.readiness import READY_PATH
from bot.runtime.service import Service, wait_until_answering
from bot.runtime.web_server import PAGE_FILES, WEB_DIR, security_headers
from bot.settings import ROOT, VAR_DIR, load_settings
from bot.train import MODEL_PATH

DEFAULT_DIR = VAR_DIR / "scale-out"
NGINX_TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
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
PYTHON_SERVERS = ("web", *RASA_SERVERS, "actions")  # started as services, each in a process group of its own
FIGURES_PATH = "/figures"  # the page server's figures page (bot/runtime/figures_page.py), also its health check
WIDGET_TAG = '<script src="/widget/cee-chat.js"'  # in web/index.html; nginx's copy names the Rasa server (nginx)


DeployError = StartError  # what start raises: a package is missing, a command failed or a part did not start


# -- what is installed ------------------------------------------------------------------------------------------------
def redis_bin() -> Optional[str]:
    """redis-server, if installed."""
    return shutil.which("redis-server")


def nginx_bin() -> Optional[str]:
    """nginx, if installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def missing_packages() -> list[str]:
    """The Debian packages this deployment needs that are not installed."""
    return [
        name
        for name, found in (("postgresql", postgres.pg_bin()), ("redis-server", redis_bin()), ("nginx", nginx_bin()))
        if not found
    ]


# -- state ------------------------------------------------------------------------------------------------------------
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


def _marker(dep: Deployment, name: str) -> str:
    """A string that the command line of this deployment's ``name`` process holds, and no other process's."""
    if name == "postgres":
        return str(Path(dep.pg_dir or dep.dir / "postgres") / "data")
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


def _start_postgres(dep: Deployment) -> None:
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


def _start_redis(dep: Deployment) -> None:
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


def _create_tracker_tables(dep: Deployment) -> None:
    """Create Rasa's tables once, before two servers race to create them at the same time."""
    code = (
        "from rasa.core.tracker_store import SQLTrackerStore\n"
        f"SQLTrackerStore(dialect='postgresql', host='{HOST}', port={dep.ports['postgres']}, db='{TRACKER_DB}', "
        f"username='{PG_SUPERUSER}')\n"
    )
    run_as([sys.executable, "-c", code], timeout=300, cwd=ROOT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})


def _server_env(dep: Deployment, token: str) -> dict[str, str]:
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


def _start_bot(dep: Deployment) -> list[Service]:
    """Fill the bot's database, then start the action server, the Rasa servers and the page server (without waiting
    for them).

    The action server answers only requests with its secret (``ACTION_SERVER_TOKEN``, or a random one made for this
    start), which the Rasa servers have in their environment and send (:mod:`bot.runtime.action_server`).
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


def _copy_page(dep: Deployment, www: Path) -> Path:
    """Copy the chat page's files (and nothing else of ``web/``) for nginx; where they are.

    The page's widget talks to nginx. When nginx's workers run as nobody and cannot read ``www`` (e.g. pytest's
    folders are private to root), the files go to a temporary folder instead, recorded in ``state.json``.
    """
    shutil.rmtree(www, ignore_errors=True)
    for name in sorted(set(PAGE_FILES.values())):
        source, target = WEB_DIR / name, www / name
        if not source.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "index.html":
            page = source.read_text(encoding="utf-8")
            target.write_text(page.replace(WIDGET_TAG, f'{WIDGET_TAG} data-server="{dep.url}"'), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    if os.geteuid() == 0 and subprocess.run(as_user("nobody", ["test", "-r", str(www / "index.html")])).returncode:
        readable = Path(tempfile.mkdtemp(prefix="cee-scale-out-www-"))
        readable.chmod(0o755)
        shutil.copytree(www, readable, dirs_exist_ok=True)
        www = readable
    dep.www_dir = str(www)
    return www


def _start_nginx(dep: Deployment) -> None:
    base = dep.dir / "nginx"
    for sub in ("logs", "tmp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    user_line = ""
    if os.geteuid() == 0:  # nginx's workers run as nobody: they only need their temporary folder
        user_line = "user nobody nogroup;"
        shutil.chown(base / "tmp", user="nobody", group="nogroup")
    www = _copy_page(dep, base / "www")
    page_settings = replace(load_settings(), rasa_public_url=dep.url)
    conf = NGINX_TEMPLATE.read_text()
    values = {
        "content_security_policy": security_headers(page_settings)["Content-Security-Policy"],
        "user_line": user_line,
        "web_root": str(www),
        "listen": f"{HOST}:{dep.ports['nginx']}",
        "rasa_1": f"{HOST}:{dep.ports['rasa1']}",
        "rasa_2": f"{HOST}:{dep.ports['rasa2']}",
        "page_server": f"{HOST}:{dep.ports['web']}",
    }
    for name, value in values.items():
        conf = conf.replace(f"@{name}@", value)
    (base / "nginx.conf").write_text(
        f"# GENERATED by deploy/scale_out.py from deploy/nginx.conf.template; do not edit.\n{conf}"
    )
    nginx = nginx_bin() or "nginx"
    pidfile = base / "nginx.pid"
    pidfile.unlink(missing_ok=True)  # left by a crash
    args = ["-p", f"{base}/", "-c", str(base / "nginx.conf"), "-e", str(base / "logs" / "error.log")]
    run_as([nginx, "-t", "-q", *args])
    run_as([nginx, *args])
    if not wait_until(pidfile.exists, timeout=30):
        raise DeployError(f"nginx did not start:\n{tail(base / 'logs' / 'error.log')}")
    dep.pids["nginx"] = int(pidfile.read_text().split()[0])


# -- commands ---------------------------------------------------------------------------------------------------------
PART_NAMES = {
    "postgres": "PostgreSQL (tracker store, bot database)",
    "redis": "Redis (lock store)",
    "actions": "action server",
    "rasa1": "Rasa server 1",
    "rasa2": "Rasa server 2",
    "web": "page server (figures page)",
    "nginx": "nginx (load balancer)",
}


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
        for name, step in (("postgres", _start_postgres), ("redis", _start_redis)):
            say(f"  {PART_NAMES[name]} on {HOST}:{dep.ports[name]}")
            step(dep)
            dep.save()
        say("  bot database, action server, two Rasa servers and the page server (loading the model takes a while)")
        servers = _start_bot(dep)
        dep.save()
        wait_until_answering(servers, timeout, logs=dep.dir / "log")  # each Rasa server's /ready: its model answers
        say(f"  {PART_NAMES['nginx']} on {HOST}:{dep.ports['nginx']}")
        _start_nginx(dep)
        dep.save()
    except BaseException:
        say("  failed: stopping what had started")
        stop(state_dir)
        raise
    return dep


def stop(state_dir: Path = DEFAULT_DIR, clean: bool = False) -> list[str]:
    """Stop everything ``start`` started there (nginx, page server, Rasa servers, action server, Redis, PostgreSQL);
    what stopped.

    Only processes that are still this deployment's parts are signalled (see :func:`running`).
    """
    state_dir = state_dir.resolve()
    dep = Deployment.load(state_dir)
    stopped: list[str] = []
    if dep is not None:
        for name in ("nginx", *PYTHON_SERVERS, "redis"):
            pid = dep.pids.get(name)
            if pid is None or not running(dep, name):
                continue
            # the Python servers were started in their own session (process group = pid): stop their children too
            group = name in PYTHON_SERVERS and os.getpgid(pid) == pid
            kill = os.killpg if group else os.kill
            try:
                kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            if not wait_until(lambda: not alive(pid), timeout=20):  # noqa: B023 - called at once, for this pid
                with contextlib.suppress(ProcessLookupError):
                    kill(pid, signal.SIGKILL)
            stopped.append(name)
        if running(dep, "postgres"):
            postgres.stop_cluster(Path(dep.pg_dir or dep.dir / "postgres") / "data", dep.pg_user)
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

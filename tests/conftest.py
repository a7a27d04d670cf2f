"""Shared pytest fixtures.

* ``pg_url`` (session): a throwaway PostgreSQL server from Debian's ``postgresql`` package, started in a temp folder
  on 127.0.0.1 and a free port (as a non-root user when the tests run as root), with one database; yields its
  SQLAlchemy URL and stops the server at the end. Skipped, with the reason, when PostgreSQL is not installed. Set
  ``CEE_TEST_POSTGRES_URL`` to use a server that is already running instead.
* ``db_url`` (per test, parametrised ``sqlite`` / ``postgresql``): an empty database of that kind, set as
  ``DATABASE_URL`` for the test.
* ``bot`` (session): the whole bot with the chat page, started once for the end-to-end and security tests
  (:class:`tests.running.Bot`).
* ``redis_url`` (per module): a throwaway Redis server (Debian's ``redis-server``) on a free port; skipped without it.
* ``start_stack`` (session): starts a running bot (``with start_stack("name", ...) as stack:``, see
  :func:`tests.stack.running_stack`) in a folder of its own; fails the test when there is no trained model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import pytest

from bot.runtime import postgres
from bot.runtime.processes import StartError, free_ports
from bot.serve import Stack
from bot.settings import load_settings
from bot.train import MODEL_PATH
from tests.running import TEST_PORTS, Bot
from tests.stack import rasa_url, running_stack

if TYPE_CHECKING:
    from rasa_sdk import Tracker

# The tests talk to their servers from one address, far faster than a person: no per-address message limit in the
# servers they start, unless a test sets one (tests/security/test_limits.py).
os.environ.setdefault("MESSAGE_RATE_LIMIT", "0")

PG_SKIP_REASON = "PostgreSQL is not installed (apt-get install postgresql)"
PG_DATABASE = "cee_guide_test"


def _admin_connect(url: str):  # type: ignore[no-untyped-def]
    """A psycopg2 connection in autocommit mode to the server's ``postgres`` database."""
    import psycopg2
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    connection = psycopg2.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        connect_timeout=10,
    )
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server with one empty database; yields ``postgresql+psycopg2://...``."""
    external = os.environ.get("CEE_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    if postgres.pg_bin() is None:
        pytest.skip(PG_SKIP_REASON)
    user = postgres.pg_system_user()
    base = Path(tempfile.mkdtemp(prefix="cee-guide-pg-"))
    data, log = base / "data", base / "server.log"
    if user:
        shutil.chown(base, user=user)
    started = False
    try:
        postgres.init_cluster(data, user)
        for attempt in range(3):  # another process may take the free port before the server does
            port = free_ports(1)[0]
            try:
                postgres.start_cluster(
                    data, log, port, base, user, "fsync=off", "synchronous_commit=off", "full_page_writes=off"
                )
                started = True
                break
            except StartError as exc:
                if attempt == 2:
                    raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text() if log.exists() else ''}") from exc
        server = f"postgresql+psycopg2://{postgres.SUPERUSER}@127.0.0.1:{port}"
        connection = _admin_connect(f"{server}/postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {PG_DATABASE}")
        finally:
            connection.close()
        yield f"{server}/{PG_DATABASE}"
    finally:
        if started:
            postgres.stop_cluster(data, user, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database (SQLite file or a fresh PostgreSQL database), set as ``DATABASE_URL`` for the test."""
    from sqlalchemy.engine import make_url

    from bot.db import store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cee-guide.db'}"
    else:
        server_url = request.getfixturevalue("pg_url")
        name = f"cee_test_{uuid.uuid4().hex[:12]}"
        admin = _admin_connect(server_url)
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    store.dispose_engines()
    try:
        yield url
    finally:
        store.dispose_engines()
        if request.param == "postgresql":
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()


@pytest.fixture(scope="session")
def start_stack(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., AbstractContextManager[Stack]]:
    """Start a running bot: ``with start_stack("name", web=True, env={...}, rasa_api_token=...) as stack:``.

    The first argument names its folder (database, logs); the others are :func:`tests.stack.running_stack`'s.
    """

    def start(name: str, **options: Any) -> AbstractContextManager[Stack]:
        if not MODEL_PATH.exists():
            pytest.fail("no trained model: run `make test` (it trains first)")
        return running_stack(tmp_path_factory.mktemp(name), **options)

    return start


# -- action tests ------------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Each test starts with no importer look-ups counted (the in-process limiter of ``bot.ratelimit``)."""
    from bot import ratelimit

    ratelimit._limiter_for.cache_clear()
    yield
    ratelimit._limiter_for.cache_clear()


@pytest.fixture
def sample_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite database seeded with the sample data, set as ``DATABASE_URL`` for the test."""
    from bot.db import importer, store

    url = f"sqlite:///{tmp_path / 'sample.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store.init_db()
    assert importer.seed_sample_data() is not None
    yield url
    store.dispose_engines()


def make_tracker(
    text: str,
    intent: str,
    entities: Optional[Sequence[dict]] = None,
    slots: Optional[dict] = None,
    sender: str = "test-user",
    active_loop: Optional[str] = None,
    events: Sequence[dict] = (),
) -> Tracker:
    """A rasa_sdk Tracker whose latest message is ``text`` with the given intent and entities."""
    from rasa_sdk import Tracker

    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities or [])},
        events=list(events),
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str) -> dict:
    """An entity as the NLU pipeline reports it."""
    return {"entity": name, "value": value, "extractor": "SpacyEntityExtractor"}


def run_action(action: object, tracker: Tracker, domain: Optional[dict] = None) -> tuple[list, list]:
    """Run an action as the action server would; returns (messages, events)."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))  # type: ignore[attr-defined]
    return dispatcher.messages, events


@pytest.fixture(scope="session")
def bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[Bot]:
    """The whole bot (with the chat page), started once for the end-to-end and security tests."""
    cors_origins = (*load_settings().cors_origins, f"http://127.0.0.1:{TEST_PORTS['web_port']}")  # the browser test
    env = {"CORS_ORIGINS": ",".join(cors_origins)}  # the socket.io channel reads its allowed origins from CORS_ORIGINS
    env["IMPORTER_LOOKUP_LIMIT"] = "100000"  # every test talks from 127.0.0.1; tests/security/ tests the limit
    with start_stack("e2e", web=True, env=env, cors_origins=cors_origins, **TEST_PORTS) as stack:
        yield Bot(stack, f"{rasa_url(stack)}/webhooks/rest/webhook", stack.settings.database_url)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway Redis server on a free port (one per test module); skipped without Debian's redis-server."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_ports(1)[0]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port, socket_timeout=2)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.RedisError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A copy of ``knowledge/`` to edit (:func:`tests.knowledge_copy.edit`) and load."""
    from bot.settings import KNOWLEDGE_DIR

    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target

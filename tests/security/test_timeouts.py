"""A hung action server or database gets a polite answer within 15 s (issue 14, item 8), not a 5-minute stall.

* The action endpoint points at a socket that accepts connections and never answers: the user gets the "not
  available right now" reply after ``ACTION_TIMEOUT_SECONDS`` (10 s).
* PostgreSQL with the figures table locked by another transaction: the statement is cancelled after 8 s
  (``statement_timeout``) and the user gets the "database unavailable" reply (skipped without PostgreSQL).
* SQLite with another writer holding the lock: a write gives up after the same time (the busy timeout).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from bot import replies
from bot.serve import Stack
from bot.settings import ROOT
from tests.running import new_sender
from tests.stack import rasa_url

POLITE_WAIT = 15  # seconds


def timed_answer(stack: Stack, message: str) -> tuple[float, str]:
    """Seconds until the REST channel answered ``message``, and the answer's text."""
    body = json.dumps({"sender": new_sender(), "message": message}).encode()
    request = urllib.request.Request(
        f"{rasa_url(stack)}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=POLITE_WAIT + 15) as response:
        answer = json.loads(response.read())
    return time.monotonic() - started, "\n".join(r.get("text", "") for r in answer)


@pytest.fixture
def silent_socket() -> Iterator[int]:
    """A port whose socket accepts connections (the kernel completes them) and never answers; its number."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield int(server.getsockname()[1])


def test_a_hung_action_server_gets_a_polite_answer_in_time(
    start_stack: Callable[..., AbstractContextManager[Stack]], silent_socket: int
) -> None:
    hung = {"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{silent_socket}/webhook"}
    with start_stack("hung-actions", env=hung) as stack:
        seconds, text = timed_answer(stack, "Where is the Machinery Center?")
    print(f"hung action server: answered in {seconds:.1f} s")
    assert text == replies.text("utter_action_server_down")
    assert seconds < POLITE_WAIT


def _seed(url: str) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "bot.db", "seed"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr


def test_a_locked_postgresql_table_gets_a_polite_answer_in_time(
    start_stack: Callable[..., AbstractContextManager[Stack]], pg_url: str
) -> None:
    import psycopg2
    from sqlalchemy.engine import make_url

    from tests.conftest import _admin_connect

    name = f"cee_timeouts_{os.getpid()}"
    admin = _admin_connect(pg_url)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        _seed(url)
        with start_stack("locked-db", database_url=url) as stack:
            parsed = make_url(url)
            locker = psycopg2.connect(
                host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=name
            )
            try:
                with locker.cursor() as cursor:  # a transaction that holds the table and never ends (until rollback)
                    cursor.execute("LOCK TABLE figures IN ACCESS EXCLUSIVE MODE")
                seconds, text = timed_answer(stack, "Which Center has the most importers?")
            finally:
                locker.rollback()
                locker.close()
        print(f"locked PostgreSQL table: answered in {seconds:.1f} s")
        assert text == replies.text("utter_database_down")
        assert seconds < POLITE_WAIT
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_a_locked_sqlite_database_gives_up_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    from bot.db import engine

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine.dispose_engines()
    with engine.session_scope(write=True) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock and never lets go
    try:
        started = time.monotonic()
        with pytest.raises(engine.DatabaseUnavailable), engine.session_scope(write=True) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
        print(f"locked SQLite database: gave up after {time.monotonic() - started:.1f} s")
        assert time.monotonic() - started < 10
    finally:
        holder.rollback()
        holder.close()
        engine.dispose_engines()

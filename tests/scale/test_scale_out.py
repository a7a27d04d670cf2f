"""Two Rasa servers behind nginx sharing PostgreSQL (tracker store) and Redis (lock store): issue 7's scale-out tests.

Test order matters: the fail-over test kills one replica, so it runs last (pytest keeps the order of this file).
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import signal
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message
from pathlib import Path
from typing import Any

import aiohttp
import psycopg2
import pytest
import redis

from bot.actions.common import number
from bot.db.importer import FIGURE_COLUMNS
from bot.runtime.figures_data import center_name
from bot.runtime.postgres import SUPERUSER as PG_SUPERUSER
from bot.runtime.processes import HOST, listening, wait_until
from bot.runtime.web_server import WEB_DIR, security_headers
from bot.settings import load_settings
from deploy.state import APP_DB, RASA_SERVERS, TRACKER_DB, Deployment
from tests.security.test_http_api import websocket_exchange
from tests.stack import run_db_command

pytestmark = pytest.mark.scale

USERS, TURNS = 50, 20
REQUEST_TIMEOUT_S = 120
MESSAGES = [  # FAQ, Center and product look-ups, small talk: no form, so that every turn is one plain answer
    "what exactly is a cee",
    "Where is the Machinery Center?",
    "which center handles frozen shrimp",
    "when did the centers of excellence start",
    "list all the centers",
    "center for HTS 8471.30",
    "tell me about Base Metals",
    "thanks",
]
ACTION_SERVER_DOWN = "isn't available right now"  # utter_action_server_down: would hide a broken action server


def post(dep: Deployment, sender: str, text: str) -> tuple[list[dict[str, Any]], str]:
    """One message through nginx: the replies and the replica that answered (``host:port``)."""
    request = urllib.request.Request(
        dep.rest_url, json.dumps({"sender": sender, "message": text}).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
        return json.loads(response.read()), response.headers.get("X-CEE-Upstream", "")


def query(dep: Deployment, database: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """The rows of one query on the deployment's PostgreSQL database ``database``."""
    connection = psycopg2.connect(
        host=HOST, port=dep.ports["postgres"], user=PG_SUPERUSER, dbname=database, connect_timeout=10
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def stored_events(dep: Deployment, prefix: str) -> dict[str, dict[str, int]]:
    """Events per conversation and type (``user``, ``bot``, ...) in the PostgreSQL tracker store."""
    rows = query(
        dep,
        TRACKER_DB,
        "SELECT sender_id, type_name, count(*) FROM events WHERE sender_id LIKE %s GROUP BY sender_id, type_name",
        prefix + "%",
    )
    found: dict[str, dict[str, int]] = {}
    for sender, kind, count in rows:
        found.setdefault(sender, {})[kind] = count
    return found


def lock_commands(dep: Deployment) -> int:
    """How many SET commands Redis has run: Rasa's RedisLockStore saves a conversation's lock with SET."""
    client = redis.Redis(host=HOST, port=dep.ports["redis"], socket_timeout=10)
    try:
        return int(client.info("commandstats").get("cmdstat_set", {}).get("calls", 0))
    finally:
        client.close()


def replica_of(dep: Deployment, upstream: str) -> str:
    """``rasa1`` or ``rasa2`` for nginx's ``$upstream_addr`` (the last address, if nginx tried more than one)."""
    last = upstream.split(",")[-1].strip()
    return next((name for name in RASA_SERVERS if last == f"{HOST}:{dep.ports[name]}"), f"unknown ({upstream!r})")


def test_50_users_at_once_get_every_answer_and_every_turn_is_stored(deployment: Deployment) -> None:
    prefix = f"load-{uuid.uuid4().hex[:8]}-"
    replicas: set[str] = set()
    locks_before = lock_commands(deployment)

    async def user(session: aiohttp.ClientSession, number: int) -> list[str]:
        errors = []
        for turn in range(TURNS):  # one message after the other, as a person (or a widget) sends them
            text = MESSAGES[(number + turn) % len(MESSAGES)]
            try:
                body = {"sender": f"{prefix}{number}", "message": text}
                async with session.post(deployment.rest_url, json=body) as r:
                    replicas.add(replica_of(deployment, r.headers.get("X-CEE-Upstream", "")))
                    replies = await r.json(content_type=None) if r.status == 200 else await r.text()
                    if r.status != 200 or not replies or ACTION_SERVER_DOWN in json.dumps(replies):
                        errors.append(f"user {number} turn {turn + 1} ({text!r}): HTTP {r.status}, {replies!r:.300}")
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                errors.append(f"user {number} turn {turn + 1} ({text!r}): {type(exc).__name__} {exc}")
        return errors

    async def everyone() -> list[str]:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=USERS)) as session:
            results = await asyncio.gather(*(user(session, n) for n in range(USERS)))
        return [error for errors in results for error in errors]

    started = time.monotonic()
    errors = asyncio.run(everyone())
    elapsed = time.monotonic() - started
    assert errors == [], f"{len(errors)} errors in {USERS * TURNS} messages, e.g. {errors[:5]}"
    print(f"\n{USERS} users × {TURNS} messages: {elapsed:.1f} s, {USERS * TURNS / elapsed:.1f} messages/s")

    assert replicas == set(RASA_SERVERS), replicas  # nginx spread the users over both replicas
    stored = stored_events(deployment, prefix)
    assert len(stored) == USERS, sorted(stored)
    wrong = {sender: kinds for sender, kinds in stored.items() if kinds.get("user") != TURNS}
    assert wrong == {}, f"conversations without exactly {TURNS} user messages in PostgreSQL: {wrong}"
    unanswered = {sender: kinds for sender, kinds in stored.items() if kinds.get("bot", 0) < TURNS}
    assert unanswered == {}, unanswered
    # Every message went through Rasa's lock store in Redis (a ticket saved with SET, at least once per message).
    assert lock_commands(deployment) - locks_before >= USERS * TURNS


def polling_exchange(url: str, origin: str, message: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The socket.io protocol over HTTP long-polling, as a browser without WebSocket speaks it.

    Every request is a separate HTTP request, which nginx must send to the replica that holds the socket.io session.
    Returns the bot's replies and the upstream (``host:port``) of every request.
    """
    upstreams: list[str] = []
    sid = ""

    def request(body: str = "", timeout: float = 15) -> list[str]:
        query = "EIO=4&transport=polling" + (f"&sid={sid}" if sid else "")
        data = body.encode() if body else None
        headers = {"Origin": origin, "Content-Type": "text/plain;charset=UTF-8"}
        http_request = urllib.request.Request(f"{url}/socket.io/?{query}", data, headers)
        with urllib.request.urlopen(http_request, timeout=timeout) as r:
            upstreams.append(r.headers.get("X-CEE-Upstream", ""))
            return r.read().decode().split("\x1e")  # engine.io packets

    def events(timeout: float = 15) -> list[tuple[str, Any]]:
        found = []
        for packet in request(timeout=timeout):
            if packet.startswith("42"):
                event, *data = json.loads(packet[2:])
                found.append((event, data[0] if data else None))
        return found

    opened = request()[0]
    assert opened.startswith("0"), opened  # engine.io open
    sid = json.loads(opened[1:])["sid"]
    request("40")  # socket.io connect to the default namespace
    assert any(packet.startswith("40") for packet in request())
    request("42" + json.dumps(["session_request", {"session_id": None}]))
    confirmed = [data for event, data in events() if event == "session_confirm"]
    assert confirmed, "no session_confirm"
    request("42" + json.dumps(["user_uttered", {"message": message, "session_id": confirmed[0]}]))
    replies: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while not replies and time.monotonic() < deadline:  # a long poll returns when the server has something to send
        replies += [data for event, data in events(timeout=60) if event == "bot_uttered"]
    request("1")  # engine.io close
    return replies, upstreams


def test_the_web_chat_works_through_nginx_over_websocket_and_polling(deployment: Deployment) -> None:
    origin = load_settings().cors_origins[0]  # the widget's page
    replies = asyncio.run(websocket_exchange(deployment.url, origin, "what does CEE005 cover"))
    assert "Base Metals" in json.dumps(replies), replies  # nginx passed the WebSocket upgrade on
    replies, upstreams = polling_exchange(deployment.url, origin, "Where is the Machinery Center?")
    assert "Laredo" in json.dumps(replies), replies
    assert len(upstreams) >= 7 and len(set(upstreams)) == 1, upstreams  # sticky: every request reached one replica
    assert replica_of(deployment, upstreams[0]) in RASA_SERVERS, upstreams


def get(url: str) -> tuple[int, Message, bytes]:
    """GET ``url``: the status, every header (repeated ones too) and the body."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def latest_figures(dep: Deployment) -> dict[str, Any]:
    """The last Center's figures of the latest quarter in the deployment's database (columns as in an import file)."""
    columns = (*FIGURE_COLUMNS, "source")
    rows = query(dep, APP_DB, f"SELECT {', '.join(columns)} FROM figures ORDER BY fiscal_year, quarter, center_code")
    return dict(zip(columns, rows[-1]))


def import_figures(dep: Deployment, folder: Path, row: dict[str, Any]) -> None:
    """Import one row of figures into the deployment's database with the staff command line (``import-figures``)."""
    path = folder / "figures.csv"
    path.write_text(f"{','.join(FIGURE_COLUMNS)}\n{','.join(str(row[c]) for c in FIGURE_COLUMNS)}\n")
    run_db_command(dep.database_url, "import-figures", str(path), "--source", row["source"])


def test_the_figures_page_comes_through_nginx_from_the_shared_database(deployment: Deployment, tmp_path: Path) -> None:
    status, headers, body = get(f"{deployment.url}/figures")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html"), (status, page[:500])
    assert headers["X-CEE-Upstream"] == f"{HOST}:{deployment.ports['web']}"  # the page server answered
    latest = latest_figures(deployment)
    assert 'id="figures-table"' in page
    assert html.escape(center_name(latest["center_code"])) in page
    assert f">{number(latest['entries'])}<" in page, latest  # the figure in PostgreSQL, in the table
    # Each security header once: nginx's (the same as on the chat page), not also the page server's.
    chat_headers = get(f"{deployment.url}/")[1]
    header_names = list(security_headers(load_settings()))
    for name in header_names:
        assert headers.get_all(name) == chat_headers.get_all(name) and len(headers.get_all(name) or []) == 1, name

    charts = re.findall(r'src="(/figures/(?:chart|trend)/[a-z_]+\.png\?v=[0-9a-f]+)"', page)
    assert {chart.split("/")[2] for chart in charts} == {"chart", "trend"}, charts
    for chart in charts[:1] + charts[-1:]:
        status, headers, body = get(deployment.url + html.unescape(chart))
        assert (status, headers["Content-Type"]) == (200, "image/png") and body.startswith(b"\x89PNG"), chart
    for name, kind in (("figures.css", "text/css"), ("figures.js", "text/javascript")):
        status, headers, body = get(f"{deployment.url}/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind), (name, status)
        assert body == (WEB_DIR / name).read_bytes()
    for path in ("/figures/", "/figures.html", "/figuresx", "/figures/chart/nothing.png", "/templates/figures.html"):
        status, headers, _ = get(deployment.url + path)
        assert status == 404, (path, status)
        assert all(len(headers.get_all(name) or []) == 1 for name in header_names), path

    # Figures imported into the deployment's database show on the next page load, with no restart.
    changed = {**latest, "entries": latest["entries"] + 111_111}
    try:
        import_figures(deployment, tmp_path, changed)
        shown = f">{number(changed['entries'])}<"
        assert wait_until(lambda: shown in get(f"{deployment.url}/figures")[2].decode(), timeout=30, interval=0.5)
    finally:
        import_figures(deployment, tmp_path, latest)  # as seeded again, for the other tests


def test_a_conversation_goes_on_when_its_replica_dies(deployment: Deployment) -> None:
    sender = f"failover-{uuid.uuid4().hex[:8]}"
    replies, first = post(deployment, sender, "look up the center for my importer number")
    assert "importer of record number" in replies[0]["text"], replies  # the form asks for the number
    victim = replica_of(deployment, first)
    assert victim in RASA_SERVERS, first
    os.killpg(deployment.pids[victim], signal.SIGKILL)  # a crash, not a clean shutdown
    deadline = time.monotonic() + 20
    while listening(deployment.ports[victim]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not listening(deployment.ports[victim])

    replies, second = post(deployment, sender, "12-3456789AB")  # the answer to the form's question

    survivor = replica_of(deployment, second)
    assert survivor in RASA_SERVERS and survivor != victim, (first, second)  # the other replica answered
    text = "\n".join(str(r.get("text", "")) for r in replies)
    assert "Machinery Center (CEE010)" in text, text  # it knew the form was waiting for the number
    assert stored_events(deployment, sender)[sender]["user"] == 2  # both turns are in PostgreSQL

    replies, third = post(deployment, sender, "Where is the Machinery Center?")  # and the conversation goes on
    assert replica_of(deployment, third) == survivor
    assert "Laredo" in json.dumps(replies), replies

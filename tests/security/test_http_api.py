"""Security by default, against running servers: the HTTP API, socket.io origins, masked SSNs, secrets in .env.

Uses the shared ``bot`` stack (no token, no JWT secret, no Slack) and, for the HTTP API with credentials, a second
stack of its own (``RASA_API_TOKEN`` and ``RASA_JWT_SECRET`` set, Rasa logging at DEBUG level).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import jwt
import pytest
import socketio
import websockets

from bot.serve import Stack
from bot.settings import ROOT
from tests.running import Bot, new_sender
from tests.stack import rasa_url

API_TOKEN = "test-api-token-5b1e"
JWT_SECRET = "test-jwt-secret-77c2-0123456789abcdef0123"  # 32+ bytes, as HS256 wants
ALLOWED_ORIGIN = "http://127.0.0.1:8080"  # a default CORS origin
DISALLOWED_ORIGIN = "http://evil.example"


def status_of(url: str, method: str = "GET", headers: Optional[dict[str, str]] = None, body: Any = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json", **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass
class SecuredBot:
    stack: Stack

    @property
    def url(self) -> str:
        return rasa_url(self.stack)


@pytest.fixture(scope="module")
def secured_bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[SecuredBot]:
    """A second stack with the HTTP API on (token and JWT secret), Rasa logging everything (DEBUG)."""
    debug = {"LOG_LEVEL": "DEBUG"}  # Rasa's own debug logs echo user messages: they must be masked too
    with start_stack("secured", env=debug, rasa_api_token=API_TOKEN, rasa_jwt_secret=JWT_SECRET) as stack:
        yield SecuredBot(stack)


# --- The HTTP API ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("GET", "/conversations/x/tracker", None),
        ("GET", "/status", None),
        ("POST", "/model/parse", {"text": "hello"}),
        ("POST", "/conversations/x/messages", {"text": "hello", "sender": "user"}),
    ],
)
def test_http_api_is_off_without_a_token(bot: Bot, method: str, path: str, body: Any) -> None:
    assert status_of(rasa_url(bot.stack) + path, method, body=body) in (404, 405)


def test_http_api_needs_the_token(secured_bot: SecuredBot) -> None:
    url = secured_bot.url
    assert status_of(f"{url}/status") in (401, 403)
    assert status_of(f"{url}/conversations/x/tracker") in (401, 403)
    assert status_of(f"{url}/conversations/x/tracker?token=wrong") in (401, 403)
    assert status_of(f"{url}/model/parse", "POST", body={"text": "hello"}) in (401, 403)
    assert status_of(f"{url}/status?token={API_TOKEN}") == 200
    assert status_of(f"{url}/conversations/x/tracker?token={API_TOKEN}") == 200
    assert status_of(f"{url}/model/parse?token={API_TOKEN}", "POST", body={"text": "hello"}) == 200


def test_http_api_accepts_a_signed_jwt(secured_bot: SecuredBot) -> None:
    url = secured_bot.url
    admin = jwt.encode({"user": {"username": "staff", "role": "admin"}}, JWT_SECRET, algorithm="HS256")
    forged = jwt.encode(
        {"user": {"username": "staff", "role": "admin"}}, "not-the-secret-0123456789abcdef0123456789", algorithm="HS256"
    )
    assert status_of(f"{url}/status", headers={"Authorization": f"Bearer {admin}"}) == 200
    assert status_of(f"{url}/status", headers={"Authorization": f"Bearer {forged}"}) in (401, 403)


def test_channels_work_with_the_api_on(secured_bot: SecuredBot) -> None:
    """The REST channel does not need the API token (it is the public chat endpoint)."""
    body = {"sender": new_sender(), "message": "Where is the Machinery Center?"}
    request = urllib.request.Request(
        f"{secured_bot.url}/webhooks/rest/webhook", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert "Laredo" in json.dumps(json.loads(response.read()))


# --- socket.io origins -----------------------------------------------------------------------------------------------


async def polling_exchange(url: str, origin: str, message: str) -> list[dict[str, Any]]:
    """python-socketio's client over HTTP long-polling, as a browser on ``origin``: ask for a session, send a message.

    (Its WebSocket transport needs a newer aiohttp than Rasa allows: the WebSocket case uses the raw protocol below.)
    """
    client = socketio.AsyncClient(reconnection=False)
    replies: list[dict[str, Any]] = []
    session: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    got_reply = asyncio.Event()

    @client.on("session_confirm")
    async def confirm(data: Any) -> None:
        if not session.done():
            session.set_result(data)

    @client.on("bot_uttered")
    async def uttered(data: Any) -> None:
        replies.append(data)
        got_reply.set()

    await client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=15)
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(session, 15)
        await client.emit("user_uttered", {"message": message, "session_id": session_id})
        await asyncio.wait_for(got_reply.wait(), 60)
        await asyncio.sleep(1)  # the rest of the answer
        return replies
    finally:
        await client.disconnect()


async def websocket_exchange(url: str, origin: str, message: str) -> list[dict[str, Any]]:
    """The socket.io protocol (Engine.IO 4 / Socket.IO 5) over a WebSocket, as a browser on ``origin`` speaks it."""
    uri = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    replies: list[dict[str, Any]] = []
    async with websockets.connect(uri, origin=origin, open_timeout=15, close_timeout=5) as ws:

        async def receive(timeout: float) -> str:
            while True:
                packet = await asyncio.wait_for(ws.recv(), timeout)
                if packet == "2":  # engine.io ping
                    await ws.send("3")
                    continue
                return packet

        assert (await receive(15)).startswith("0")  # engine.io open
        await ws.send("40")  # socket.io connect to the default namespace
        assert (await receive(15)).startswith("40")
        await ws.send("42" + json.dumps(["session_request", {"session_id": None}]))
        event, session_id = json.loads((await receive(15))[2:])
        assert event == "session_confirm"
        await ws.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session_id}]))
        timeout = 60.0
        while True:
            try:
                packet = await receive(timeout)
            except asyncio.TimeoutError:
                break
            if packet.startswith("42"):
                event, data = json.loads(packet[2:])
                if event == "bot_uttered":
                    replies.append(data)
                    timeout = 2.0  # the rest of the answer
    return replies


def test_socketio_accepts_an_allowed_origin(bot: Bot) -> None:
    url = rasa_url(bot.stack)
    replies = asyncio.run(websocket_exchange(url, ALLOWED_ORIGIN, "what does CEE005 cover"))
    assert "Base Metals" in json.dumps(replies)
    replies = asyncio.run(polling_exchange(url, ALLOWED_ORIGIN, "Where is the Machinery Center?"))
    assert "Laredo" in json.dumps(replies)


def test_socketio_refuses_another_origin(bot: Bot) -> None:
    url = rasa_url(bot.stack)
    with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
        asyncio.run(websocket_exchange(url, DISALLOWED_ORIGIN, "hello"))
    assert refused.value.status_code == 400
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(polling_exchange(url, DISALLOWED_ORIGIN, "hello"))


def test_socketio_handshake_headers(bot: Bot) -> None:
    """At the HTTP level: another origin gets 400; an allowed one gets exactly one Access-Control-Allow-Origin."""
    url = rasa_url(bot.stack) + "/socket.io/?EIO=4&transport=polling"
    assert status_of(url, headers={"Origin": DISALLOWED_ORIGIN}) == 400
    request = urllib.request.Request(url, headers={"Origin": ALLOWED_ORIGIN})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_all("Access-Control-Allow-Origin") == [ALLOWED_ORIGIN]


# --- Social Security numbers -----------------------------------------------------------------------------------------


def random_ssn() -> tuple[str, str]:
    """A random SSN-format number, hyphenated and bare (random, so that no other text can contain it by chance)."""
    digits = f"{random.randint(100, 899)}{random.randint(10, 99)}{random.randint(1000, 9999)}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}", digits


def rest_replies(url: str, sender: str, message: str) -> str:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def _converse_with_ssn(url: str) -> tuple[str, str, str]:
    ssn, bare = random_ssn()
    sender = new_sender()
    replies = rest_replies(url, sender, f"Which center handles importer {ssn}?")
    replies += rest_replies(url, sender, f"my IOR number is {ssn}")
    replies += rest_replies(url, new_sender(), f"which center is importer {bare} assigned to")
    replies += rest_replies(url, new_sender(), f"{ssn}")
    return ssn, bare, replies


def _assert_never_in_full(ssn: str, bare: str, replies: str, log_dir: Path) -> None:
    assert ssn not in replies and bare not in replies, replies
    assert f"***-**-{ssn[-4:]}" in replies  # the bot did see the number, and masked it
    logs = sorted(p for p in log_dir.rglob("*") if p.is_file())
    assert {"rasa.log", "actions.log"} <= {p.name for p in logs}
    for path in logs:
        text = path.read_text(errors="replace")
        assert ssn not in text and bare not in text, f"{path.name} holds the number in full"


def test_ssn_is_masked_in_replies_and_logs(bot: Bot) -> None:
    ssn, bare, replies = _converse_with_ssn(rasa_url(bot.stack))
    _assert_never_in_full(ssn, bare, replies, bot.stack.log_dir)


def test_ssn_is_masked_in_debug_logs(secured_bot: SecuredBot) -> None:
    ssn, bare, replies = _converse_with_ssn(secured_bot.url)
    log = (secured_bot.stack.log_dir / "rasa.log").read_text(errors="replace")
    assert "DEBUG" in log and f"***-**-{ssn[-4:]}" in log  # debug logs on, and they did mention the number
    _assert_never_in_full(ssn, bare, replies, secured_bot.stack.log_dir)


# --- Secrets ---------------------------------------------------------------------------------------------------------


def test_secrets_live_only_in_dotenv() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, timeout=30)
    assert ignored.returncode == 0, ".env must be git-ignored"
    settings_source = (ROOT / "bot" / "settings.py").read_text()
    variables = set(re.findall(r'(?:env\.get|env\[|opt)\(?"([A-Z_]+)"', settings_source))
    assert {"RASA_API_TOKEN", "RASA_JWT_SECRET", "SLACK_TOKEN", "SLACK_SIGNING_SECRET"} <= variables
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.MULTILINE))
    assert variables <= documented, f"not in .env.example: {variables - documented}"
    for name in ("credentials.yml", "endpoints.yml"):
        text = (ROOT / name).read_text()
        assert not re.search(r"(token|secret)\s*:\s*\S", text, re.IGNORECASE), f"{name} holds a secret"

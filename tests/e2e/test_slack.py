"""Slack for brokers, end to end: real signed Slack requests to a running Rasa server with the Slack channel on.

This module starts its own action server and Rasa server (``bot.serve.Stack`` on other ports) with a Slack token, a
signing secret and ``SLACK_API_URL`` pointing at a stand-in for Slack's Web API on 127.0.0.1, which records every
``chat.postMessage`` call. Without the Slack secrets (the shared ``bot`` fixture) the channel is off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import pytest

from bot.serve import Stack
from tests.running import Bot

TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret-3f6c"
BOT_USER = "UCEEBOT01"
REPLY_WAIT = 60.0  # seconds to wait for the bot's answer to reach the stand-in
QUIET_WAIT = 6.0  # seconds to wait to be sure that no (further) answer comes


@dataclass
class SlackStandIn:
    """A stand-in for Slack's Web API (``POST /api/<method>``) on 127.0.0.1 that records the calls."""

    calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        assert self.server
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                with stand_in.lock:
                    stand_in.calls.append((method, body, self.headers.get("Authorization", "")))
                answer = {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def posts(self, channel: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                body
                for method, body, _ in self.calls
                if method == "chat.postMessage" and body.get("channel") == channel
            ]

    def wait_for_posts(self, channel: str, count: int = 1, timeout: float = REPLY_WAIT) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.posts(channel)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        return self.posts(channel)


@dataclass
class SlackBot:
    stack: Stack
    slack: SlackStandIn

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.stack.settings.rasa_port}/webhooks/slack/webhook"

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        request = urllib.request.Request(self.webhook, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)


def sign(body: bytes, timestamp: Optional[int] = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's request signature (v0): HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the signing secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def message_event(text: str, channel: str, user: str = "UBROKER01", thread_ts: Optional[str] = None) -> dict[str, Any]:
    """An Events API ``event_callback`` for a direct message to the bot, as Slack sends it."""
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "unused",
        "team_id": "TCEE",
        "api_app_id": "ACEE",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"user_id": BOT_USER, "is_bot": True}],
    }


def new_channel() -> str:
    return f"D{uuid.uuid4().hex[:9].upper()}"


@contextmanager
def running_slack_bot(start_stack: Callable[..., AbstractContextManager[Stack]], name: str) -> Iterator[SlackBot]:
    """A stack called ``name`` with the Slack channel on, talking to a Slack stand-in."""
    slack = SlackStandIn()
    slack.start()
    try:
        with start_stack(
            name, slack_token=TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=slack.url
        ) as stack:
            yield SlackBot(stack, slack)
    finally:
        slack.stop()


@pytest.fixture(scope="module")
def slack_bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[SlackBot]:
    with running_slack_bot(start_stack, "slack") as bot:
        yield bot


def test_a_message_gets_one_answer_in_its_thread(slack_bot: SlackBot) -> None:
    channel = new_channel()
    body = json.dumps(message_event("Where is the Machinery Center?", channel)).encode()
    event_ts = json.loads(body)["event"]["ts"]
    status, _, _ = slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})
    assert status == 200

    posts = slack_bot.slack.wait_for_posts(channel)
    assert posts, "no chat.postMessage call reached the stand-in"
    time.sleep(QUIET_WAIT)
    posts = slack_bot.slack.posts(channel)
    assert len(posts) == 1, posts
    assert "Laredo" in posts[0]["text"]
    assert posts[0]["thread_ts"] == event_ts  # answered in the thread of the question
    assert "as_user" not in posts[0]
    assert "*Machinery Center (CEE010)*" in posts[0]["text"]  # Markdown bold becomes Slack mrkdwn
    with slack_bot.slack.lock:
        assert all(auth == f"Bearer {TOKEN}" for _, _, auth in slack_bot.slack.calls)


def test_the_thread_is_one_conversation(slack_bot: SlackBot) -> None:
    """A reply in the thread continues its conversation, and is answered in the same thread."""
    channel = new_channel()
    first = message_event("hello", channel)
    body = json.dumps(first).encode()
    assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    assert slack_bot.slack.wait_for_posts(channel)
    time.sleep(2)  # the whole greeting
    greeting = slack_bot.slack.posts(channel)
    assert "CEE Guide" in greeting[0]["text"]
    assert any(block.get("type") == "actions" for block in greeting[0].get("blocks", []))  # the suggestion buttons

    thread = first["event"]["ts"]
    body = json.dumps(message_event("what does CEE005 cover", channel, thread_ts=thread)).encode()
    assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    posts = slack_bot.slack.wait_for_posts(channel, len(greeting) + 1)
    assert len(posts) > len(greeting)
    assert "Base Metals" in posts[-1]["text"]
    assert {p["thread_ts"] for p in posts} == {thread}


@pytest.mark.parametrize("reason", ["http_timeout", "http_error"])
def test_retries_never_produce_a_second_answer(slack_bot: SlackBot, reason: str) -> None:
    channel = new_channel()
    body = json.dumps(message_event("Where is the Machinery Center?", channel)).encode()
    assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    for number in (1, 2):
        retry = {"Content-Type": "application/json", "X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
        status, _, headers = slack_bot.post(body, {**retry, **sign(body)})
        assert 200 <= status < 300
        assert headers.get("X-Slack-No-Retry") == "1"
    assert slack_bot.slack.wait_for_posts(channel)
    time.sleep(QUIET_WAIT)
    assert len(slack_bot.slack.posts(channel)) == 1


def test_the_same_message_as_two_events_is_answered_once(slack_bot: SlackBot) -> None:
    """In a channel Slack may send one message as an ``app_mention`` and a ``message`` event (two event ids)."""
    channel = f"C{uuid.uuid4().hex[:9].upper()}"
    mention = message_event(f"<@{BOT_USER}> where is the machinery center", channel)
    mention["event"].update(type="app_mention", channel_type="channel")
    twin = json.loads(json.dumps(mention))
    twin["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
    twin["event"]["type"] = "message"
    for event in (mention, twin):
        body = json.dumps(event).encode()
        assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    assert slack_bot.slack.wait_for_posts(channel)
    time.sleep(QUIET_WAIT)
    posts = slack_bot.slack.posts(channel)
    assert len(posts) == 1 and "Laredo" in posts[0]["text"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing-signature"),
        pytest.param({"X-Slack-Request-Timestamp": str(int(time.time()))}, id="timestamp-only"),
        pytest.param("wrong-secret", id="wrong-secret"),
        pytest.param("tampered", id="tampered-body"),
        pytest.param("stale", id="stale-timestamp"),
    ],
)
def test_bad_or_missing_signatures_are_rejected(slack_bot: SlackBot, headers: Any) -> None:
    channel = new_channel()
    body = json.dumps(message_event("Where is the Machinery Center?", channel)).encode()
    if headers == "wrong-secret":
        headers = sign(body, secret="not-the-secret")
    elif headers == "tampered":
        headers = sign(body)
        body = body.replace(b"Machinery", b"Electronics")
    elif headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 600)
    status, _, _ = slack_bot.post(body, {"Content-Type": "application/json", **headers})
    assert status >= 400
    time.sleep(QUIET_WAIT)
    assert slack_bot.slack.posts(channel) == []


def test_url_verification(slack_bot: SlackBot) -> None:
    challenge = uuid.uuid4().hex
    body = json.dumps({"token": "unused", "challenge": challenge, "type": "url_verification"}).encode()
    status, answer, _ = slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})
    assert status == 200 and json.loads(answer) == {"challenge": challenge}
    status, answer, _ = slack_bot.post(body, {"Content-Type": "application/json"})  # unsigned: no challenge
    assert status >= 400 and challenge.encode() not in answer


def test_slack_is_off_without_its_secrets(bot: Bot) -> None:
    """The shared stack has no Slack secrets: it started without error, and there is no Slack endpoint."""
    url = f"http://127.0.0.1:{bot.stack.settings.rasa_port}/webhooks/slack/webhook"
    body = json.dumps(message_event("hello", new_channel())).encode()
    for method, data in (("GET", None), ("POST", body)):
        request = urllib.request.Request(url, data, {"Content-Type": "application/json"}, method=method)
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 404
    log = (bot.stack.log_dir / "rasa.log").read_text(errors="replace")
    assert "slack" not in log.lower()
    assert bot.stack.first_dead() is None


def test_espanol_chooses_spanish_for_the_users_next_threads_too(slack_bot: SlackBot) -> None:
    """Slack keeps "/es" for its slash commands: "Español" chooses Spanish, kept for the user's later threads."""
    from bot.knowledge import knowledge

    channel, user = new_channel(), f"U{uuid.uuid4().hex[:8].upper()}"
    body = json.dumps(message_event("¡Español!", channel, user=user)).encode()
    assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    confirmation = knowledge().translations["es"].responses["utter_language_chosen"][0]["text"]
    posts = slack_bot.slack.wait_for_posts(channel)
    assert posts and posts[0]["text"].startswith(confirmation.split(".")[0]), posts

    body = json.dumps(message_event("which center handles 8471.30", channel, user=user)).encode()  # a new thread
    assert slack_bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    posts = slack_bot.slack.wait_for_posts(channel, 2)
    assert "Electronics Center (CEE007)" in posts[-1]["text"] and "Lo maneja" in posts[-1]["text"], posts

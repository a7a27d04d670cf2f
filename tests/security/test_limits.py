"""Limits of the public channels, against the running servers over HTTP and socket.io (issue 14, "limits").

A 1 MB message and 1 MB of metadata get a clear refusal (HTTP 413 with a JSON message over REST, a bot message over
socket.io) and never reach the bot; past the per-address message rate the answer is polite and says when to retry
(HTTP 429 with ``Retry-After`` over REST); and the server still answers a normal question afterwards.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import select
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.serve import Stack
from tests.e2e.test_slack import SIGNING_SECRET, TOKEN, SlackBot, SlackStandIn, message_event, new_channel, sign
from tests.running import Bot, SocketChat, new_sender
from tests.stack import rasa_url

ONE_MB = 1_000_000
NORMAL = "Where is the Machinery Center?"
RATE_LIMIT = 4
WINDOW = 30


def post(url: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    """POST ``body`` as JSON to the REST webhook; the status, the decoded JSON body and headers."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def post_declaring(webhook: str, size: int) -> tuple[int, Any]:
    """POST a body of ``size`` bytes, sending it only if the server has not answered to the headers alone.

    Sanic refuses a request on its declared length, before the body, and then closes the connection. A client that
    is still uploading can then see the connection reset before it reads the 413: a race on a busy machine. Like a
    browser reading an early answer, this waits for the answer to the headers first (the status and decoded JSON).
    """
    parts = urllib.parse.urlsplit(webhook)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as connection:
        connection.sendall(head.encode())
        if not select.select([connection], [], [], 30)[0]:
            connection.sendall(b"a" * size)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, json.loads(response.read())


def assert_answers_normally(url: str) -> None:
    status, replies, _ = post(url, {"sender": new_sender(), "message": NORMAL})
    assert status == 200 and "Laredo" in json.dumps(replies)


@pytest.mark.parametrize(
    "body",
    [
        {"message": "a" * ONE_MB},
        {"message": "hello", "metadata": {"blob": "b" * ONE_MB}},
        {"message": "hello", "metadata": {"nested": [[[{"x": "c" * 1000}]]] * 1000}},
    ],
    ids=["1 MB message", "1 MB metadata", "1 MB nested metadata"],
)
def test_rest_refuses_a_1_mb_body_clearly(bot: Bot, body: dict[str, Any]) -> None:
    url = rasa_url(bot.stack)
    status, answer, _ = post(url, {"sender": new_sender(), **body})
    assert status == 413, answer
    assert "too large" in answer["message"] or "too much" in answer["message"]
    assert_answers_normally(url)


def test_rest_refuses_metadata_over_the_metadata_limit(bot: Bot) -> None:
    status, answer, _ = post(
        rasa_url(bot.stack), {"sender": new_sender(), "message": "hi", "metadata": {"m": "x" * 5000}}
    )
    assert status == 413 and "metadata" in answer["message"]


def test_rest_refuses_a_body_over_the_transport_ceiling_with_json(bot: Bot) -> None:
    status, answer = post_declaring(bot.rest_url, 3 * 1024 * 1024)
    assert status == 413 and "too large" in answer["message"]
    assert_answers_normally(rasa_url(bot.stack))


def test_socketio_refuses_a_1_mb_message_and_metadata_clearly(bot: Bot) -> None:
    url = rasa_url(bot.stack)

    async def scenario() -> None:
        async with SocketChat(url) as chat:
            session_id = await chat.session()
            for extra in ({"message": "a" * ONE_MB}, {"message": "hi", "metadata": {"blob": "b" * ONE_MB}}):
                replies = await chat.ask(extra.pop("message"), session_id, **extra)
                assert len(replies) == 1 and "too large" in SocketChat.text(replies), replies
            replies = await chat.ask("hi", session_id, metadata={"m": "x" * 5000})
            assert "metadata" in SocketChat.text(replies)
            assert "Laredo" in SocketChat.text(await chat.ask(NORMAL, session_id))  # the same socket still works

    asyncio.run(scenario())
    assert_answers_normally(url)


@dataclass
class Limited:
    """A stack allowing RATE_LIMIT messages per WINDOW per address (and per Slack user), with Slack on a stand-in."""

    url: str
    slack: SlackBot


@pytest.fixture(scope="module")
def limited(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[Limited]:
    env = {"MESSAGE_RATE_LIMIT": str(RATE_LIMIT), "MESSAGE_RATE_WINDOW": str(WINDOW)}
    stand_in = SlackStandIn()
    stand_in.start()
    slack = {"slack_token": TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": stand_in.url}
    try:
        with start_stack("limited", env=env, **slack) as stack:
            yield Limited(rasa_url(stack), SlackBot(stack, stand_in))
    finally:
        stand_in.stop()


def test_slack_messages_are_limited_per_user_politely(limited: Limited) -> None:
    bot, channel = limited.slack, new_channel()
    for number in range(RATE_LIMIT + 1):
        body = json.dumps(message_event(f"hello {number}", channel, user="UFAST")).encode()
        assert bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
        assert len(bot.slack.wait_for_posts(channel, number + 1)) >= number + 1
    time.sleep(2)  # any answer still on its way
    texts = [post["text"] for post in bot.slack.posts(channel)]
    assert sum("faster than I can answer" in text for text in texts) == 1, texts
    assert "faster than I can answer" in texts[-1]
    other = new_channel()  # another Slack user is still answered
    body = json.dumps(message_event(NORMAL, other, user="UCALM")).encode()
    assert bot.post(body, {"Content-Type": "application/json", **sign(body)})[0] == 200
    assert "Laredo" in bot.slack.wait_for_posts(other)[0]["text"]


def test_the_message_rate_is_limited_per_address_politely(limited: Limited) -> None:
    url = limited.url
    sender = new_sender()
    for _ in range(RATE_LIMIT):
        status, replies, _ = post(url, {"sender": sender, "message": "hello"})
        assert status == 200 and replies
    status, answer, headers = post(url, {"sender": new_sender(), "message": NORMAL})  # another sender, same address
    assert status == 429
    retry = int(headers["Retry-After"])
    assert 0 < retry <= WINDOW and answer["retry_after"] == retry
    assert f"wait {retry} seconds" in answer["message"]

    async def over_socketio() -> str:  # REST and socket.io count together for one address
        async with SocketChat(url) as chat:
            return SocketChat.text(await chat.ask(NORMAL, await chat.session()))

    answer_text = asyncio.run(over_socketio())
    assert "faster than I can answer" in answer_text and "Laredo" not in answer_text
    time.sleep(retry + 1)  # once the window has passed, the same address is answered again
    assert_answers_normally(url)

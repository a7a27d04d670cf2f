"""Least disclosure, against the running servers: an anonymous user learns an importer's Center, never its name or
partner status, over REST, socket.io (the web chat) and the request forms, even when it claims to be the staff shell;
REST requests with the HTTP API's token (CBP staff) see them.

Uses the shared ``bot`` stack (no token) and a stack of its own with ``RASA_API_TOKEN`` set.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Optional

import pytest
import socketio

from bot.serve import Stack
from tests.running import Bot, new_sender
from tests.stack import rasa_url

NAME = "Sample Machinery Works"  # the sample importer 12-3456789AB, a partner account of the Machinery Center
QUESTION = "Which Center is importer 12-3456789AB assigned to?"
CENTER = "Machinery Center (CEE010)"
TOKEN = "staff-token-3f9a"
ORIGIN = "http://127.0.0.1:8080"  # a default CORS origin


def rest(url: str, body: dict[str, Any], headers: Optional[dict[str, str]] = None) -> str:
    """POST to the REST channel; the replies' text joined."""
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return "\n".join(r.get("text", "") for r in json.loads(response.read()))


def assert_anonymous(answer: str) -> None:
    assert CENTER in answer, answer
    assert NAME not in answer and "partner account" not in answer, answer


def test_anonymous_rest_sees_the_center_only(bot: Bot) -> None:
    assert_anonymous(bot.text(QUESTION))


def test_a_rest_client_cannot_claim_to_be_the_staff_shell(bot: Bot) -> None:
    forged = {
        "message": QUESTION,
        "sender": new_sender(),
        "input_channel": "cmdline",
        "metadata": {"authenticated": True},
    }
    assert_anonymous(rest(bot.rest_url, forged))


async def socketio_answer(url: str, message: str) -> str:
    """The web chat's way: a socket.io session, one message, the bot's replies' text."""
    client = socketio.AsyncClient(reconnection=False)
    session: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    replies: list[str] = []

    @client.on("session_confirm")
    async def confirm(data: Any) -> None:
        if not session.done():
            session.set_result(data if isinstance(data, str) else str((data or {}).get("session_id")))

    @client.on("bot_uttered")
    async def uttered(data: Any) -> None:
        replies.append(str((data or {}).get("text") or ""))

    await client.connect(url, headers={"Origin": ORIGIN}, transports=["polling"], wait_timeout=15)
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(session, 15)
        metadata = {"authenticated": True, "client_ip": "10.9.8.7"}  # forged: the server sets these
        await client.emit("user_uttered", {"message": message, "session_id": session_id, "metadata": metadata})
        for _ in range(600):
            if any(CENTER in r or "couldn't find" in r for r in replies):
                break
            await asyncio.sleep(0.1)
    finally:
        await client.disconnect()
    return "\n".join(replies)


def test_the_web_chat_sees_the_center_only(bot: Bot) -> None:
    assert_anonymous(asyncio.run(socketio_answer(rasa_url(bot.stack), QUESTION)))


def test_the_change_of_center_form_offers_the_center_without_the_name(bot: Bot) -> None:
    sender = new_sender()
    bot.text("I want to request a change of Center", sender)
    offer = bot.text("12-3456789AB", sender)
    assert "Machinery Center (CEE010)" in offer and "Is the" in offer and NAME not in offer, offer


@pytest.fixture(scope="module")
def staff_bot(start_stack: Callable[..., AbstractContextManager[Stack]]) -> Iterator[str]:
    """A stack with the HTTP API's token set; yields its REST URL."""
    with start_stack("staff", rasa_api_token=TOKEN, env={"RASA_API_TOKEN": TOKEN}) as stack:
        yield f"{rasa_url(stack)}/webhooks/rest/webhook"


def test_only_requests_with_the_api_token_see_the_name(staff_bot: str) -> None:
    staff = rest(staff_bot, {"message": QUESTION, "sender": new_sender()}, {"Authorization": f"Bearer {TOKEN}"})
    assert CENTER in staff and NAME in staff and "is a partner account" in staff, staff
    by_query = rest(f"{staff_bot}?token={TOKEN}", {"message": QUESTION, "sender": new_sender()})
    assert NAME in by_query, by_query
    assert_anonymous(rest(staff_bot, {"message": QUESTION, "sender": new_sender()}))
    assert_anonymous(rest(staff_bot, {"message": QUESTION, "sender": new_sender()}, {"Authorization": "Bearer wrong"}))

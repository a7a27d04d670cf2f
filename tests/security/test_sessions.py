"""Unguessable web chat sessions, against the running servers over socket.io (issue 14, "unguessable sessions").

A web conversation continues only with the session id the server issued to it; any other id, whether chosen by the
client, guessed, copied from where a conversation's id shows (logs, the tracker store) or forged, starts a new
conversation that knows nothing of the first. The REST channel cannot reach a web conversation either.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.error
import urllib.request

from tests.running import Bot, SocketChat
from tests.stack import rasa_url

FIRST = "which center handles excavators"  # the Machinery Center, in Laredo
FOLLOW_UP = "where is it?"  # answered from the conversation's context only in the same conversation:
CONTEXT = "managed from **Laredo"  # (elsewhere the bot asks which Center, naming Laredo as an example)


def stored_id(session_id: str) -> str:
    """The conversation's id as the tracker store and logs show it (the issued id without its signature)."""
    return "web-" + session_id.split(".")[0] if "." in session_id else session_id


async def _start_conversation(url: str, requested: str | None = None) -> str:
    async with SocketChat(url) as chat:
        session_id = await chat.session(requested)
        assert "Machinery" in SocketChat.text(await chat.ask(FIRST, session_id))
        return session_id


def test_a_session_id_the_server_did_not_issue_reads_nothing_of_another_conversation(bot: Bot) -> None:
    url = rasa_url(bot.stack)

    async def scenario() -> None:
        victim = await _start_conversation(url)
        token = victim.split(".")[0]
        forged = f"{token}.{secrets.token_hex(16)}"
        async with SocketChat(url) as attacker:
            for guess in (stored_id(victim), token, forged, victim + "x"):
                confirmed = await attacker.session(guess)
                assert confirmed != guess and stored_id(confirmed) != stored_id(victim)
                answer = SocketChat.text(await attacker.ask(FOLLOW_UP, confirmed))
                assert CONTEXT not in answer, (guess, answer)
                # a message sent with the guessed id, without asking for a session: a new session is given
                answer = SocketChat.text(await attacker.ask(FOLLOW_UP, guess))
                assert CONTEXT not in answer, (guess, answer)
                assert attacker.confirmed[-1] not in (guess, confirmed)

    asyncio.run(scenario())


def test_a_client_chosen_session_id_is_replaced_by_an_issued_one(bot: Bot) -> None:
    url = rasa_url(bot.stack)
    chosen = f"my-session-{secrets.token_hex(4)}"

    async def scenario() -> None:
        first = await _start_conversation(url, chosen)
        assert first != chosen and len(first.split(".")[0]) == 32  # 128 random bits
        async with SocketChat(url) as other:  # another client choosing the same id gets a conversation of its own
            confirmed = await other.session(chosen)
            assert confirmed not in (chosen, first)
            assert CONTEXT not in SocketChat.text(await other.ask(FOLLOW_UP, confirmed))

    asyncio.run(scenario())


def test_an_issued_session_id_continues_its_conversation_after_a_reconnect(bot: Bot) -> None:
    url = rasa_url(bot.stack)

    async def scenario() -> None:
        session_id = await _start_conversation(url)
        async with SocketChat(url) as reloaded:  # the page was reloaded: a new socket, the id kept by the widget
            assert await reloaded.session(session_id) == session_id
            assert CONTEXT in SocketChat.text(await reloaded.ask(FOLLOW_UP, session_id))

    asyncio.run(scenario())


def test_rest_cannot_reach_a_web_conversation(bot: Bot) -> None:
    url = rasa_url(bot.stack)
    session_id = asyncio.run(_start_conversation(url))
    body = json.dumps({"sender": stored_id(session_id), "message": FOLLOW_UP}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, answer = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read().decode()
    assert CONTEXT not in answer
    assert status == 400 and "web chat" in json.loads(answer)["message"]

"""Fuzzing the public channels: 2,000 generated messages and payloads, no server error, no hang, still answering.

Hypothesis generates REST bodies (valid and malformed JSON, text with control characters and any Unicode, huge
numbers, deeply nested metadata, wrong types) and socket.io events of the same kinds, derandomised so that every run
sends the same payloads. Each REST request must get an answer below 500 within its timeout, the socket.io connection
must stay open; after each flood a normal question, in a new conversation, must still get its normal answer. The
counts are printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.running import Bot, SocketChat, new_sender
from tests.stack import rasa_url

REST_EXAMPLES = 1600
SOCKET_EXAMPLES = 400
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# Text as users and attackers type it: any Unicode but lone surrogates (which JSON cannot carry), control characters
# included, numbers with hundreds of digits, SSN- and IOR-like numbers, and now and then a long message.
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.integers(min_value=-(10**300), max_value=10**300).map(str),
    st.from_regex(r"\d{3}[- ]?\d{2}[- ]?\d{4}|\d{2}-\d{7}[A-Z0-9]{2}|CR-\d{4}-\d{6}", fullmatch=True),
    st.text(st.sampled_from("ab \n\t\x00\u202e\ufeff"), min_size=2000, max_size=20000),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=60,
)
DEEP = st.integers(min_value=1, max_value=200).map(lambda depth: json.loads("[" * depth + "]" * depth))
REST_BODIES = st.one_of(
    st.fixed_dictionaries(
        {"sender": st.one_of(st.just(None), st.text(max_size=40), JSON_VALUES), "message": TEXT},
        optional={"metadata": st.one_of(JSON_VALUES, DEEP)},
    ).map(lambda body: json.dumps(body).encode()),
    st.fixed_dictionaries({"sender": st.text(max_size=10), "message": JSON_VALUES}).map(
        lambda body: json.dumps(body).encode()
    ),
    st.binary(max_size=400),  # malformed JSON, invalid UTF-8
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),  # JSON that is not an object
)
SOCKET_EVENTS = st.one_of(
    st.fixed_dictionaries({"message": TEXT}, optional={"metadata": st.one_of(JSON_VALUES, st.text(max_size=60))}),
    JSON_VALUES,
    st.fixed_dictionaries({"message": JSON_VALUES}),
)


def _post(url: str, body: bytes, timeout: float = 60) -> int:
    """POST ``body`` as JSON; the HTTP status (raises on a timeout: a hang fails the test)."""
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _still_answers(bot: Bot) -> None:
    assert "(CEE002)" in bot.text("which center handles frozen shrimp", new_sender())


def test_rest_survives_generated_payloads(bot: Bot) -> None:
    statuses: list[int] = []

    @settings(SETTINGS, max_examples=REST_EXAMPLES)
    @given(body=REST_BODIES)
    def send(body: bytes) -> None:
        status = _post(bot.rest_url, body)
        statuses.append(status)
        assert status < 500, (status, body[:200])

    send()
    print(f"\nfuzz: {len(statuses)} REST payloads, statuses {sorted(set(statuses))}")
    assert len(statuses) >= REST_EXAMPLES
    _still_answers(bot)


def test_socketio_survives_generated_events(bot: Bot) -> None:
    events: list[Any] = []

    @settings(SETTINGS, max_examples=SOCKET_EXAMPLES)
    @given(event=SOCKET_EVENTS)
    def collect(event: Any) -> None:
        events.append(event)

    collect()

    async def flood() -> tuple[int, str]:
        async with SocketChat(rasa_url(bot.stack)) as chat:
            session = await chat.session()
            for event in events:  # one at a time, as a browser sends them (a burst would be one oversized poll)
                if isinstance(event, dict):
                    event = {**event, "session_id": session}
                before = len(chat.replies)
                await chat.client.emit("user_uttered", event)
                for _ in range(20):  # its answer, if it gets one, within 2 s
                    if len(chat.replies) > before:
                        break
                    await asyncio.sleep(0.1)
                assert chat.client.connected, event
            received = len(chat.replies)
            answer = await chat.ask("which center handles frozen shrimp", await chat.session())
            return received, chat.text(answer)

    received, answer = asyncio.run(flood())
    print(f"\nfuzz: {len(events)} socket.io events, {received} bot messages back")
    assert len(events) >= SOCKET_EXAMPLES and received > 0
    assert "(CEE002)" in answer
    _still_answers(bot)

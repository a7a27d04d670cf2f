"""Importer look-ups are rate-limited, against the running servers: walking the sequential importer numbers stops at
the limit with a polite "try again in N minutes", per conversation and per client address (X-Forwarded-For believed
from a trusted proxy only), in the request forms too, and the count holds across action-server processes with Redis.
Guessing the email of a (sequentially numbered) stored request stops at the same limit.

Two stacks of their own (3 look-ups per 10 minutes, 127.0.0.1 a trusted proxy): one counting in the action server's
memory (the default), one in a throwaway Redis server (``RATE_LIMIT_REDIS_URL``). Each test uses its own client
address and senders, so that they do not share a count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Optional

import pytest

from bot.runtime.service import wait_until_answering
from bot.serve import Stack
from bot.settings import ROOT
from tests.running import new_sender
from tests.stack import rasa_url

LIMIT = 3
REFUSED = "Please try again in 10 minutes"
# CBP-assigned numbers are sequential: an enumeration tries the next one, and the next...
NUMBERS = [f"232704-{n:05d}" for n in range(120, 130)]


@dataclass
class LimitedBot:
    stack: Stack
    backend: str
    redis_url: Optional[str] = None

    def ask(self, message: str, address: str, sender: Optional[str] = None) -> str:
        """One message from a client at ``address`` (behind the trusted proxy); the replies' text."""
        body = json.dumps({"sender": sender or new_sender(), "message": message}).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
        url = f"{rasa_url(self.stack)}/webhooks/rest/webhook"
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as response:
            return "\n".join(r.get("text", "") for r in json.loads(response.read()))


_ADDRESSES = (f"198.51.{a}.{b}" for a in range(100, 110) for b in range(1, 255))


def address() -> str:
    """A client address no other test in this run has used (random ones collided: a count from an earlier test)."""
    return next(_ADDRESSES)


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited(
    request: pytest.FixtureRequest, start_stack: Callable[..., AbstractContextManager[Stack]]
) -> Iterator[LimitedBot]:
    env = {"IMPORTER_LOOKUP_LIMIT": str(LIMIT), "IMPORTER_LOOKUP_WINDOW_MINUTES": "10", "TRUSTED_PROXIES": "127.0.0.1"}
    url = None
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        env["RATE_LIMIT_REDIS_URL"] = url
    with start_stack(f"limits-{request.param}", env=env) as stack:
        yield LimitedBot(stack, request.param, url)


def test_importer_number_enumeration_stops_at_the_limit(limited: LimitedBot) -> None:
    sender, client = new_sender(), address()
    answers = [limited.ask(f"which center is {number} assigned to", client, sender) for number in NUMBERS[:5]]
    for answer in answers[:LIMIT]:
        assert "Center" in answer and "try again" not in answer, answer
    for answer in answers[LIMIT:]:
        assert REFUSED in answer and "up to 3 importer-number look-ups every 10 minutes" in answer, answer
        assert "(CEE0" not in answer  # no Center: nothing was looked up


def test_new_conversations_from_one_address_share_the_limit(limited: LimitedBot) -> None:
    client = address()
    answers = [limited.ask(f"which center is {number} assigned to", client) for number in NUMBERS[: LIMIT + 1]]
    assert all("try again" not in a for a in answers[:LIMIT]) and REFUSED in answers[LIMIT]
    assert "try again" not in limited.ask(f"which center is {NUMBERS[0]} assigned to", address())  # another client


def test_the_request_forms_count_their_lookups(limited: LimitedBot) -> None:
    client = address()
    for number in NUMBERS[:LIMIT]:
        assert "try again" not in limited.ask(f"which center is {number} assigned to", client)
    sender = new_sender()
    limited.ask("I want to request a change of Center", client, sender)
    answer = limited.ask("12-3456789AB", client, sender)
    assert "can't look up more importer numbers right now" in answer and "try again in 10 minutes" in answer, answer
    assert "Machinery Center" not in answer and "Which Center is the importer assigned to now?" in answer


def test_the_limit_holds_across_action_server_processes(limited: LimitedBot) -> None:
    if limited.backend != "redis":
        pytest.skip("the in-process count is, by design, the process's own")
    client = address()
    for number in NUMBERS[:LIMIT]:
        assert "try again" not in limited.ask(f"which center is {number} assigned to", client)
    actions = next(s for s in limited.stack.services if s.name == "actions")
    actions.stop()  # a new action-server process: what another replica would see
    actions.start(limited.stack.log_dir)
    wait_until_answering([actions], 120)
    assert REFUSED in limited.ask(f"which center is {NUMBERS[LIMIT]} assigned to", client)
    from bot.ratelimit import RedisRateLimiter

    assert limited.redis_url
    other = RedisRateLimiter(limited.redis_url)  # and any process using the same Redis
    assert not other.hit(f"importer-lookup:address:{client}", LIMIT, 600).allowed


def test_guessing_the_email_of_a_request_stops_at_the_limit(limited: LimitedBot) -> None:
    code = (
        "from bot.db import store\nprint(store.create_request('site_visit', {'company': 'G'}, 'owner@example.com').ref)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": limited.stack.settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    ref = done.stdout.strip().splitlines()[-1]
    client = address()
    guesses = [limited.ask(f"status of {ref} for guess{n}@example.com", client) for n in range(LIMIT)]
    assert all("couldn't find a request" in g for g in guesses), guesses
    right = limited.ask(f"status of {ref} for owner@example.com", client)
    assert REFUSED in right and "Submitted:" not in right, right
    assert "Submitted:" in limited.ask(f"status of {ref} for owner@example.com", address())  # another client

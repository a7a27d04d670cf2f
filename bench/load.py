"""Simulated users over the REST channel (asyncio + aiohttp), with bounded loops and timeouts, on loopback only.

Every simulated user is a new conversation (a new ``sender`` id) that sends its messages one after the other, each
after the previous answer arrived.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

REQUEST_TIMEOUT_S = 60.0


@dataclass
class Turn:
    """One message of a simulated user and how its answer came back."""

    user: int
    turn: int  # 1-based
    seconds: float
    ok: bool  # HTTP 200 with a JSON list of replies
    empty: bool  # ok, but the bot sent no reply
    error: str = ""


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    """Seconds as milliseconds, to one decimal."""
    return round(seconds * 1000, 1)


def summary(turns: list[Turn], wall_seconds: float) -> dict[str, Any]:
    """Latency percentiles (ms) of the answered turns, errors, empty answers and throughput."""
    ok = [t.seconds for t in turns if t.ok]
    errors = [t for t in turns if not t.ok]
    return {
        "messages": len(turns),
        "answered": len(ok),
        "errors": len(errors),
        "error_examples": sorted({t.error for t in errors})[:5],
        "empty_answers": sum(t.empty for t in turns),
        "p50_ms": ms(percentile(ok, 0.50)),
        "p95_ms": ms(percentile(ok, 0.95)),
        "max_ms": ms(max(ok)) if ok else None,
        "wall_s": round(wall_seconds, 2),
        "throughput_msg_s": round(len(ok) / wall_seconds, 2) if wall_seconds > 0 else None,
    }


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str, user: int, turn: int) -> Turn:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            seconds = time.perf_counter() - started
            if response.status != 200:
                return Turn(user, turn, seconds, False, False, f"HTTP {response.status}")
            if not isinstance(body, list):
                return Turn(user, turn, seconds, False, False, "not a list of replies")
            return Turn(user, turn, seconds, True, not body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        return Turn(user, turn, time.perf_counter() - started, False, False, type(exc).__name__)


async def _user(
    session: aiohttp.ClientSession, url: str, user: int, turns: int, messages: Sequence[str], prefix: str
) -> list[Turn]:
    sender = f"{prefix}-{user}-{uuid.uuid4().hex[:10]}"
    results = []
    for turn in range(turns):
        text = messages[(user + turn) % len(messages)]
        results.append(await _send(session, url, sender, text, user, turn + 1))
    return results


async def _users(
    url: str, users: int, turns: int, messages: Sequence[str], concurrent: bool, prefix: str
) -> tuple[list[Turn], float]:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=max(users, 1) + 5)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        if concurrent:
            groups = await asyncio.gather(*(_user(session, url, u, turns, messages, prefix) for u in range(users)))
        else:
            groups = [await _user(session, url, u, turns, messages, prefix) for u in range(users)]
        wall = time.perf_counter() - started
    return [t for group in groups for t in group], wall


def run_users(
    url: str, users: int, turns: int, messages: Sequence[str], concurrent: bool, prefix: str = "bench"
) -> tuple[dict[str, Any], list[Turn]]:
    """``users`` simulated users of ``turns`` messages each, all at once or one after the other."""
    turns_done, wall = asyncio.run(_users(url, users, turns, messages, concurrent, prefix))
    return summary(turns_done, wall), turns_done


def long_conversation_turns(
    url: str, turns: int, conversations: int, messages: Sequence[str], window: int = 5
) -> list[Turn]:
    """``conversations`` long conversations of ``turns`` turns, one after the other, cycling through the first
    ``window`` messages (see :func:`long_summary`).
    """
    if turns % window:
        raise ValueError(f"the number of turns ({turns}) must be a multiple of {window}")
    _, done = run_users(url, conversations, turns, list(messages[:window]), concurrent=False, prefix="bench-long")
    return done


def long_summary(done: list[Turn], turns: int, window: int = 5) -> dict[str, Any]:
    """Latency at the start and at the end of long conversations.

    The messages cycle with a period of ``window``, which divides ``turns``, so that the first ``window`` turns and the
    last ``window`` turns send the same messages. The figure is the median over those turns of every conversation.
    """
    first = [t.seconds for t in done if t.ok and t.turn <= window]
    last = [t.seconds for t in done if t.ok and t.turn > turns - window]
    by_turn = {
        n: ms(statistics.median([t.seconds for t in done if t.ok and t.turn == n] or [float("nan")]))
        for n in range(1, turns + 1)
    }
    turn1 = statistics.median(first) if first else float("nan")
    turn_n = statistics.median(last) if last else float("nan")
    return {
        "turns": turns,
        "conversations": len({t.user for t in done}),
        "window": window,
        "errors": sum(not t.ok for t in done),
        "turn1_ms": ms(turn1),
        "last_turn_ms": ms(turn_n),
        "ratio": round(turn_n / turn1, 2) if turn1 > 0 else None,
        "median_ms_by_turn": by_turn,
    }


def warm_up(url: str, messages: Sequence[str], passes: int = 2) -> dict[str, Any]:
    """Every message ``passes`` times (one conversation per pass), so that lazy start-up work is done."""
    result, _ = run_users(url, passes, len(messages), messages, concurrent=False, prefix="bench-warm")
    return result

"""The rate limiter (bot/ratelimit.py): a sliding window per key, several keys at once, when to try again; in memory
and in a real Redis server (skipped when redis-server is not installed), which falls back to memory when Redis is down.
"""

from __future__ import annotations

import pytest

from bot.ratelimit import Decision, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from bot.runtime.processes import free_ports


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    if request.param == "memory":
        return MemoryRateLimiter(clock), clock
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    return RedisRateLimiter(url, clock=clock), clock


def test_a_sliding_window(limiter: tuple[RateLimiter, Clock]) -> None:
    limit, clock = limiter
    assert [limit.hit("k", 3, 600).allowed for _ in range(3)] == [True, True, True]
    clock.now += 100
    refused = limit.hit("k", 3, 600)
    assert not refused.allowed and refused.retry_after == pytest.approx(500)
    clock.now += 499
    assert not limit.hit("k", 3, 600).allowed  # refused hits count nowhere: still the first hit's window
    clock.now += 2
    assert limit.hit("k", 3, 600) == Decision(True, 0.0)
    assert limit.hit("other", 3, 600).allowed


def test_a_hit_counts_against_every_key_or_none(limiter: tuple[RateLimiter, Clock]) -> None:
    limit, _ = limiter
    assert limit.hit(["conversation", "address"], 2, 60).allowed
    assert limit.hit(["conversation2", "address"], 2, 60).allowed
    assert not limit.hit(["conversation3", "address"], 2, 60).allowed  # the address is spent
    assert limit.hit(["conversation3"], 1, 60).allowed  # and the refused hit did not count for conversation3
    assert not limit.hit("k", 2, 60, cost=3).allowed and limit.hit("k", 2, 60, cost=2).allowed


def test_redis_down_falls_back_to_the_process() -> None:
    port = free_ports(1)[0]  # nobody listens
    limit = RedisRateLimiter(f"redis://127.0.0.1:{port}/0")
    assert [limit.hit("k", 2, 60).allowed for _ in range(3)] == [True, True, False]


def test_memory_forgets_idle_keys() -> None:
    clock = Clock()
    limit = MemoryRateLimiter(clock)
    limit.SWEEP_EVERY = 10
    for n in range(10):
        limit.hit(f"k{n}", 5, 60)
    clock.now += 61
    for _ in range(10):
        limit.hit("fresh", 100, 60)
    assert set(limit._hits) == {"fresh"}

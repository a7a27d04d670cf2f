"""Rate limits: at most ``limit`` hits per key in any ``window`` seconds (a sliding window), and when to try again.

Generic on purpose: a key is any string (``importer-lookup:conversation:<id>``, ``message:address:<ip>``). One hit can
count against several keys at once, and it is allowed only when every key is under its limit; a refused hit counts
nowhere, so the answer "try again in N minutes" stays true.

Two backends with the same interface (:class:`RateLimiter`):

* :class:`MemoryRateLimiter`, in the process: the default, right for one action server;
* :class:`RedisRateLimiter`, shared by every process that uses the same Redis (several action servers or replicas),
  chosen when ``RATE_LIMIT_REDIS_URL`` (or ``REDIS_URL``, or the lock store's ``LOCK_STORE_URL``) is set. When Redis
  cannot be reached, the process's own limiter takes over (limits per process rather than none at all).

:func:`limiter` gives the one configured for the settings.
"""

from __future__ import annotations

import bisect
import functools
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional, Protocol, Union

from bot.settings import Settings

logger = logging.getLogger(__name__)

Keys = Union[str, Sequence[str]]


@dataclass(frozen=True)
class Decision:
    """Whether a hit is allowed and, when it is not, how many seconds until it would be."""

    allowed: bool
    retry_after: float = 0.0


class RateLimiter(Protocol):
    """Counts hits per key in a sliding window."""

    def hit(self, keys: Keys, limit: int, window: float, cost: int = 1) -> Decision:
        """Count ``cost`` hits against every key, if each stays within ``limit`` per ``window`` seconds."""


def _keys(keys: Keys) -> list[str]:
    return [keys] if isinstance(keys, str) else list(dict.fromkeys(keys))


def _wait(stamps: Sequence[float], limit: int, window: float, cost: int, now: float) -> float:
    """Seconds until ``cost`` more hits fit under ``limit`` (0: they fit now); ``stamps`` sorted, all in the window."""
    if len(stamps) + cost <= limit:
        return 0.0
    if cost > limit:
        return window
    expiring = stamps[len(stamps) - (limit - cost) - 1]  # the hit whose expiry makes room
    return max(expiring + window - now, 0.001)


class MemoryRateLimiter:
    """The hits of each key in this process (thread-safe; keys without recent hits are forgotten)."""

    SWEEP_EVERY = 1000  # hits between two sweeps of the keys whose hits have all expired

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock
        self._hits: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._longest = 0.0  # the longest window asked for: older hits count nowhere
        self._since_sweep = 0

    def hit(self, keys: Keys, limit: int, window: float, cost: int = 1) -> Decision:
        """See :meth:`RateLimiter.hit`."""
        now = self._clock()
        with self._lock:
            self._sweep(now, window)
            recent = {}
            for key in _keys(keys):
                stamps = self._hits.get(key, [])
                recent[key] = stamps[bisect.bisect_right(stamps, now - window) :]
            wait = max((_wait(s, limit, window, cost, now) for s in recent.values()), default=0.0)
            for key, stamps in recent.items():
                self._hits[key] = stamps if wait else stamps + [now] * cost
                if not self._hits[key]:
                    del self._hits[key]
            return Decision(wait == 0.0, wait)

    def _sweep(self, now: float, window: float) -> None:
        """Now and then, forget the keys whose hits are all older than any window (bounded memory)."""
        self._longest = max(self._longest, window)
        self._since_sweep += 1
        if self._since_sweep < self.SWEEP_EVERY:
            return
        self._since_sweep = 0
        for key in [k for k, stamps in self._hits.items() if stamps[-1] <= now - self._longest]:
            del self._hits[key]


# Every key pruned and checked first, then the hit recorded in all of them: one atomic step in Redis.
_SCRIPT = """
local now, window, limit, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local wait = 0
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count + cost > limit then
    if cost > limit then
      wait = math.max(wait, window)
    else
      local entry = redis.call('ZRANGE', key, count - (limit - cost) - 1, count - (limit - cost) - 1, 'WITHSCORES')
      wait = math.max(wait, tonumber(entry[2]) + window - now, 0.001)
    end
  end
end
if wait > 0 then return tostring(wait) end
for _, key in ipairs(KEYS) do
  for i = 1, cost do redis.call('ZADD', key, now, ARGV[5] .. ':' .. i) end
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
end
return '0'
"""


class RedisRateLimiter:
    """The hits of each key in Redis (sorted sets ``ratelimit:<key>``), shared by every process that uses it."""

    def __init__(self, url: str, fallback: Optional[RateLimiter] = None, clock: Any = time.time) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._client.register_script(_SCRIPT)
        self._fallback = fallback or MemoryRateLimiter(clock)
        self._clock = clock
        self._down_until = 0.0  # after a failure, Redis is left alone for RETRY_AFTER_FAILURE seconds

    RETRY_AFTER_FAILURE = 30.0

    def hit(self, keys: Keys, limit: int, window: float, cost: int = 1) -> Decision:
        """See :meth:`RateLimiter.hit`; the process's own limiter decides while Redis cannot be reached."""
        if time.monotonic() < self._down_until:
            return self._fallback.hit(keys, limit, window, cost)
        names = [f"ratelimit:{key}" for key in _keys(keys)]
        try:
            wait = float(self._script(keys=names, args=[self._clock(), window, limit, cost, uuid.uuid4().hex]))
        except Exception as exc:  # redis.RedisError, OSError: never let the limiter break the answer
            logger.warning(
                "Rate limits kept in this process for a while: Redis is unavailable (%s)", type(exc).__name__
            )
            self._down_until = time.monotonic() + self.RETRY_AFTER_FAILURE
            return self._fallback.hit(keys, limit, window, cost)
        return Decision(wait == 0.0, wait)


@functools.lru_cache(maxsize=4)
def _limiter_for(url: Optional[str]) -> RateLimiter:
    return RedisRateLimiter(url) if url else MemoryRateLimiter()


def limiter(settings: Settings) -> RateLimiter:
    """The limiter of the settings: Redis when a Redis URL is configured, else this process's."""
    return _limiter_for(settings.rate_limit_redis_url)

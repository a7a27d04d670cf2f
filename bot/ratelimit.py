"""A sliding-window rate limiter: ``hit(key, limit, window_s)`` counts one event and says when to retry.

Minimal in-process version (one Rasa process): each key keeps the times of its recent events, and at most
``MAX_KEYS`` keys are remembered (the least recently used are forgotten first), so memory stays bounded whatever the
number of addresses. A limiter shared between replicas (Redis) replaces this module with the same function.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

MAX_KEYS = 100_000

_events: OrderedDict[str, deque[float]] = OrderedDict()
_lock = threading.Lock()


def hit(key: str, limit: int, window_s: float) -> float:
    """Count one event for ``key`` unless it is over the limit.

    Args:
        key: what is limited, e.g. ``"messages:203.0.113.7"``.
        limit: events allowed per window; 0 or less means no limit.
        window_s: the window's length in seconds.

    Returns:
        0.0 when the event is allowed (and counted), else the seconds until the next one will be.
    """
    if limit <= 0:
        return 0.0
    now = time.monotonic()
    with _lock:
        times = _events.pop(key, None) or deque()
        _events[key] = times  # most recently used last
        while times and times[0] <= now - window_s:
            times.popleft()
        if len(times) >= limit:
            return max(times[0] + window_s - now, 0.001)
        times.append(now)
        while len(_events) > MAX_KEYS:
            _events.popitem(last=False)
        return 0.0


def reset() -> None:
    """Forget every key (for tests)."""
    with _lock:
        _events.clear()

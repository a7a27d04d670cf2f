"""Feedback on answers in Slack, with reactions: the bot adds :+1: and :-1: to each answer it posts, and the asker's
own :+1: (helpful) or :-1: (not helpful) on that message is stored (:mod:`bot.channels.feedback`).

Reactions need no words of their own in Slack and no buttons to replace. The Slack app needs the ``reactions:write``
scope (the bot's two reactions) and the ``reaction_added`` event (``reactions:read``); without them, answers are
posted as before and nothing else changes.

Slack's ``reaction_added`` event names the reacting user and the message (channel and ``ts``), not the conversation.
The answers the bot posted are therefore remembered here (channel and ``ts`` → conversation, asker, answer ref), per
process, bounded (:data:`MAX_ANSWERS`) and for :data:`ANSWER_MEMORY_SECONDS`; a reaction on an answer that is not
remembered (older, posted before a restart or by another replica) is ignored. Only the person who asked can rate an
answer: anyone else's reaction is ignored.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

HELPFUL_REACTIONS = frozenset({"+1", "thumbsup"})
NOT_HELPFUL_REACTIONS = frozenset({"-1", "thumbsdown"})
SEEDED_REACTIONS = ("+1", "-1")  # what the bot adds to each answer, so that people see they can rate it
ANSWER_MEMORY_SECONDS = 7 * 86_400.0
MAX_ANSWERS = 50_000


def reaction_value(name: object) -> Optional[bool]:
    """True for a thumbs up (any skin tone), False for a thumbs down, None for any other reaction."""
    if not isinstance(name, str):
        return None
    base = name.split("::", 1)[0]
    if base in HELPFUL_REACTIONS:
        return True
    if base in NOT_HELPFUL_REACTIONS:
        return False
    return None


@dataclass(frozen=True)
class PostedAnswer:
    """An answer posted in Slack: its conversation, the Slack user who asked, and the answer's ref."""

    sender_id: str
    user: str
    ref: str


class PostedAnswers:
    """Answers posted in Slack by ``<channel>:<ts>``, each forgotten after ``ttl`` seconds; bounded; thread-safe."""

    def __init__(self, ttl: float = ANSWER_MEMORY_SECONDS, max_size: int = MAX_ANSWERS) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._answers: OrderedDict[str, tuple[float, PostedAnswer]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(channel: object, ts: object) -> Optional[str]:
        """The key of a Slack message; None without a channel and ``ts`` given as text."""
        if not isinstance(channel, str) or not isinstance(ts, str) or not channel or not ts:
            return None
        return f"{channel[:40]}:{ts[:40]}"

    def remember(self, channel: str, ts: str, answer: PostedAnswer) -> None:
        key = self.key(channel, ts)
        if key is None:
            return
        with self._lock:
            self._answers[key] = (time.monotonic() + self.ttl, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.max_size:
                self._answers.popitem(last=False)

    def get(self, channel: object, ts: object) -> Optional[PostedAnswer]:
        key = self.key(channel, ts)
        with self._lock:
            found = self._answers.get(key) if key else None
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._answers[key]  # type: ignore[arg-type]
                return None
            return found[1]

    def __len__(self) -> int:
        return len(self._answers)

"""The queue of fair turns (:mod:`bot.patches.turns`): who computes next, with no Rasa in it."""

from __future__ import annotations

import asyncio
import collections


class Turns:
    """One message computes at a time; messages back from an HTTP call go before new ones (FIFO otherwise)."""

    def __init__(self) -> None:
        self._busy = False
        self._returning: collections.deque[asyncio.Future[None]] = collections.deque()
        self._new: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self, returning: bool) -> None:
        """Wait for the turn.

        Args:
            returning: the message comes back from an exchange with another server: it goes before new messages.
        """
        if not self._busy and not self._returning and not self._new:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._returning if returning else self._new).append(waiter)
        try:
            await waiter  # release() handed the turn over: _busy stays True
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the turn arrived together with the cancellation: pass it on
            else:
                for queue in (self._returning, self._new):
                    if waiter in queue:
                        queue.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the turn to the next waiting message (returning ones first), or leave it free."""
        for queue in (self._returning, self._new):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._busy = False


class Turn:
    """Whether the current message holds the turn (one object per message, in a context variable)."""

    __slots__ = ("held",)

    def __init__(self) -> None:
        self.held = False

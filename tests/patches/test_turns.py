"""Fair turns (bot/patches/turns.py and its queue, bot/patches/turn_queue.py), without Rasa.

(Moved from ``tests/test_speedups.py``, with the same assertions.)
"""

from __future__ import annotations

import asyncio

import pytest

from bot.patches import turns as turns_module
from bot.patches.turn_queue import Turn, Turns


def test_turns_go_in_order_and_a_returning_message_goes_first() -> None:

    async def scenario() -> list[str]:
        turns, order = Turns(), []

        async def message(name: str, returning: bool = False) -> None:
            await turns.acquire(returning)
            order.append(name)
            await asyncio.sleep(0)
            turns.release()

        await turns.acquire(False)  # someone computes
        waiting = [asyncio.ensure_future(message(n)) for n in ("new 1", "new 2")]
        await asyncio.sleep(0)
        back = asyncio.ensure_future(message("back from the action server", returning=True))
        await asyncio.sleep(0)
        turns.release()
        await asyncio.gather(*waiting, back)
        return order

    assert asyncio.run(scenario()) == ["back from the action server", "new 1", "new 2"]


def test_a_cancelled_wait_passes_the_turn_on() -> None:

    async def scenario() -> bool:
        turns = Turns()
        await turns.acquire(False)
        cancelled = asyncio.ensure_future(turns.acquire(False))
        after = asyncio.ensure_future(turns.acquire(False))
        await asyncio.sleep(0)
        cancelled.cancel()
        turns.release()
        await asyncio.wait_for(after, 5)  # the turn reached the next waiter
        turns.release()
        await asyncio.wait_for(turns.acquire(False), 5)  # and is free again afterwards
        return True

    assert asyncio.run(scenario())


@pytest.mark.parametrize(
    "hold, expected",
    [
        (0.05, ["quick answer", "other computes", "slow answer"]),  # the default: a quick exchange keeps the turn
        (0.0, ["other computes", "quick answer", "slow answer"]),  # every exchange hands the turn on
    ],
)
def test_others_compute_while_a_message_waits_for_a_slow_answer(
    hold: float, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns_module, "HOLD_TURN_SECONDS", hold)

    async def scenario() -> list[str]:
        turns, order = turns_module._turns(), []
        turn = Turn()
        turns_module._CURRENT_TURN.set(turn)
        await turns.acquire(False)
        turn.held = True

        async def other() -> None:
            await turns.acquire(False)
            order.append("other computes")
            turns.release()

        waiting = asyncio.ensure_future(other())
        await asyncio.sleep(0)

        async def quick() -> str:
            await asyncio.sleep(0.01)
            return "quick answer"

        async def slow() -> str:
            await asyncio.sleep(0.2)
            return "slow answer"

        order.append(await turns_module._off_turn(quick))
        order.append(await turns_module._off_turn(slow))
        assert turn.held  # it has the turn again
        turn.held = False
        turns.release()
        await waiting
        return order

    assert asyncio.run(scenario()) == expected

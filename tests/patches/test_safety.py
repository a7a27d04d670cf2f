"""bot/patches/safety.py: the message size guard and the answer when the action server fails, on fakes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import replies
from bot.patches.safety import _answer_when_actions_fail, _guard_message_size


def test_a_message_over_the_limit_gets_the_polite_reply_and_never_reaches_rasa() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    reached: list[str] = []

    async def handle_message(self: Any, message: Any) -> list[Any]:
        reached.append(message.text)
        return []

    guarded = _guard_message_size(handle_message, limit=10)
    channel = CollectingOutputChannel()
    sent = asyncio.run(guarded(None, UserMessage("x" * 11, channel, "someone")))
    assert reached == [] and sent == channel.messages
    assert [r["text"] for r in sent] == [replies.text("utter_message_too_long", limit=10)]
    assert asyncio.run(guarded(None, UserMessage("x" * 10, CollectingOutputChannel(), "someone"))) == []
    assert reached == ["x" * 10]


def test_an_action_server_error_becomes_a_reply_and_a_rejection_goes_on_to_rasa() -> None:
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    class Action:
        def name(self) -> str:
            return "action_lookup"

    async def failing(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        raise RasaException("Failed to execute custom action")

    async def rejecting(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        raise ActionExecutionRejection("action_lookup")

    events = asyncio.run(_answer_when_actions_fail(failing, 10)(Action(), None, None, None, None))
    assert events == [
        BotUttered(replies.text("utter_action_server_down"), metadata={"utter_action": "action_server_down"})
    ]
    assert events[0].metadata == {"utter_action": "action_server_down"}
    with pytest.raises(ActionExecutionRejection):
        asyncio.run(_answer_when_actions_fail(rejecting, 10)(Action(), None, None, None, None))


def test_an_action_call_that_hangs_becomes_the_same_reply_after_the_timeout() -> None:
    import time

    from rasa.shared.core.events import BotUttered

    class Action:
        def name(self) -> str:
            return "action_lookup"

    async def hanging(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        await asyncio.sleep(60)
        return []

    started = time.monotonic()
    events = asyncio.run(_answer_when_actions_fail(hanging, 0.2)(Action(), None, None, None, None))
    assert time.monotonic() - started < 5
    assert events == [
        BotUttered(replies.text("utter_action_server_down"), metadata={"utter_action": "action_server_down"})
    ]

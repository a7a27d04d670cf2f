"""Safety nets around Rasa, installed on any Rasa version.

* A message over ``MAX_MESSAGE_CHARS`` gets a polite reply instead of reaching the model
  (``MessageProcessor.handle_message``; the outermost wrapper, see :mod:`bot.patches`).
* When the action server cannot be reached, or does not answer within ``ACTION_TIMEOUT_SECONDS`` (10 s; Rasa alone
  waits 5 minutes), the user gets a clear message (``RemoteAction.run``; Rasa alone would stay silent).

Social Security-format numbers are masked in every log line by :func:`bot.ior.install_log_masking`, which
:func:`bot.patches.install` calls first.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, Optional

from bot import replies
from bot.patches.patching import _patch
from bot.settings import Settings

logger = logging.getLogger(__name__)


def install(settings: Settings) -> None:
    """Install the safety nets (idempotent).

    Args:
        settings: ``max_message_chars`` is the longest message passed on to the model; ``action_timeout`` the
            seconds an action call may take.
    """
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    def guard_message_size(handle_message: Callable[..., Any]) -> Callable[..., Any]:
        return _guard_message_size(handle_message, settings.max_message_chars)

    _patch(MessageProcessor, "handle_message", guard_message_size)

    def answer_when_actions_fail(run: Callable[..., Any]) -> Callable[..., Any]:
        return _answer_when_actions_fail(run, settings.action_timeout)

    _patch(RemoteAction, "run", answer_when_actions_fail)


def _guard_message_size(handle_message: Callable[..., Any], limit: int) -> Callable[..., Any]:
    """``MessageProcessor.handle_message`` answering a message over ``limit`` characters itself."""

    @functools.wraps(handle_message)
    async def handle(self: Any, message: Any) -> Optional[list[Any]]:
        from rasa.core.channels.channel import CollectingOutputChannel

        if message.text and len(message.text) > limit:
            logger.info("Refused a message of %d characters (limit %d)", len(message.text), limit)
            await message.output_channel.send_text_message(
                message.sender_id, replies.text("utter_message_too_long", limit=limit)
            )
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None
        return await handle_message(self, message)

    return handle


def _answer_when_actions_fail(run: Callable[..., Any], timeout: float) -> Callable[..., Any]:
    """``RemoteAction.run`` answering the user when the action server fails or takes over ``timeout`` seconds (a
    rejection still goes to Rasa).
    """

    @functools.wraps(run)
    async def guarded(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        from rasa.core.actions.action import ActionExecutionRejection
        from rasa.shared.core.events import BotUttered
        from rasa.shared.exceptions import RasaException

        try:
            return await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            logger.error("Custom action '%s' did not answer within %.0f s", self.name(), timeout)
        except RasaException as exc:
            logger.error("Custom action '%s' failed: %s", self.name(), exc)
        return [BotUttered(replies.text("utter_action_server_down"), metadata={"utter_action": "action_server_down"})]

    return guarded

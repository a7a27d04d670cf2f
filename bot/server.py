"""Run Rasa with CEE Guide's safety nets: ``python -m bot.server run ...`` takes the same arguments as ``rasa``.

Before handing over to Rasa's own command line, it

* masks Social Security-format numbers in every log line of the process;
* answers a message over ``MAX_MESSAGE_CHARS`` with a polite reply instead of passing it to the model;
* answers with a clear message when the action server cannot be reached (Rasa alone would stay silent);
* removes per-message overhead that does not change any answer (``bot/speedups.py``, measured by ``make bench``).
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any, Callable, List, Optional

from bot import replies, speedups
from bot.ior import install_log_masking
from bot.settings import load_settings

logger = logging.getLogger(__name__)


def _guard_message_size(handle_message: Callable, limit: int) -> Callable:
    @functools.wraps(handle_message)
    async def handle(self: Any, message: Any) -> Optional[List[Any]]:
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


def _answer_when_actions_fail(run: Callable) -> Callable:
    @functools.wraps(run)
    async def guarded(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        from rasa.core.actions.action import ActionExecutionRejection
        from rasa.shared.core.events import BotUttered
        from rasa.shared.exceptions import RasaException

        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as exc:
            logger.error("Custom action '%s' failed: %s", self.name(), exc)
            return [BotUttered(replies.text("utter_action_server_down"), metadata={"utter_action": "action_server_down"})]

    return guarded


def install_patches() -> None:
    """Apply the safety nets to Rasa's classes (idempotent)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    from bot.channels.console import install as install_console_rendering

    install_log_masking()
    install_console_rendering()  # `rasa shell` shows tables and charts as text
    speedups.install()  # same answers, less time and memory per message (bot/speedups.py)
    if getattr(MessageProcessor.handle_message, "_cee_guarded", False):
        return
    settings = load_settings()
    MessageProcessor.handle_message = _guard_message_size(MessageProcessor.handle_message, settings.max_message_chars)
    RemoteAction.run = _answer_when_actions_fail(RemoteAction.run)
    MessageProcessor.handle_message._cee_guarded = True  # type: ignore[attr-defined]


def main() -> None:
    """Apply the patches, then run Rasa's command line with this process's arguments."""
    install_patches()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

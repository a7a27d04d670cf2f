"""``rasa shell`` output for CBP staff: tables, lists and charts as text instead of raw JSON and base64 images.

Rasa's console prints a custom message as JSON, so a chart from :mod:`bot.actions.charts` would fill the terminal
with base64. :func:`install` (called by ``bot.server`` before Rasa starts) makes it print the text of
:func:`bot.channels.text.custom_as_text` instead.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from bot.channels.text import custom_as_text


def install() -> None:
    """Patch Rasa's console output (idempotent)."""
    import rasa.shared.utils.cli
    from rasa.core.channels import console
    from rasa.shared.utils.io import bcolors

    original = console._print_bot_output
    if getattr(original, "_cee_text", False):
        return

    def print_bot_output(
        message: Dict[Text, Any], is_latest_message: bool = False, color: Text = bcolors.OKBLUE
    ) -> Optional[Any]:
        custom = message.get("custom")
        text = custom_as_text(custom) if isinstance(custom, dict) else None
        if text is None:
            return original(message, is_latest_message, color)
        rest = {key: value for key, value in message.items() if key != "custom"}
        question = original(rest, is_latest_message, color) if set(rest) - {"recipient_id"} else None
        rasa.shared.utils.cli.print_color(text, color=color)
        return question

    print_bot_output._cee_text = True  # type: ignore[attr-defined]
    console._print_bot_output = print_bot_output

"""``rasa shell`` output for CBP staff: tables, lists and charts as text instead of raw JSON and base64 images.

Rasa's console prints a custom message as JSON, so a chart from :mod:`bot.actions.charts` would fill the terminal
with base64. :func:`install` (called by :func:`bot.patches.install` before Rasa starts, on any Rasa version) makes it
print the text of :func:`bot.channels.text.custom_as_text` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from bot.channels.text import custom_as_text
from bot.patches.patching import _patch


def install() -> None:
    """Patch Rasa's console output (idempotent)."""
    from rasa.core.channels import console

    _patch(console, "_print_bot_output", _print_as_text)


def _print_as_text(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa.core.channels.console._print_bot_output`` printing a custom message as text."""
    import rasa.shared.utils.cli
    from rasa.shared.utils.io import bcolors

    def print_bot_output(
        message: dict[str, Any], is_latest_message: bool = False, color: str = bcolors.OKBLUE
    ) -> Optional[Any]:
        custom = message.get("custom")
        text = custom_as_text(custom) if isinstance(custom, dict) else None
        if text is None:
            return original(message, is_latest_message, color)
        rest = {key: value for key, value in message.items() if key != "custom"}
        question = original(rest, is_latest_message, color) if set(rest) - {"recipient_id"} else None
        rasa.shared.utils.cli.print_color(text, color=color)
        return question

    return print_bot_output

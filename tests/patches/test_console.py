"""bot/patches/console.py: ``rasa shell`` prints tables, lists and charts as text (moved from test_channels.py)."""

from __future__ import annotations

import pytest


def test_console_prints_text_for_rich_messages(capsys: pytest.CaptureFixture) -> None:
    from rasa.core.channels import console

    from bot.patches.console import install

    install()
    install()  # idempotent
    console._print_bot_output(
        {"custom": {"type": "chart", "src": "data:image/png;base64,AAAA", "alt": "Bar chart: X."}}
    )
    console._print_bot_output({"text": "Hello", "custom": {"type": "list", "items": ["a"]}})
    out = capsys.readouterr().out
    assert "Bar chart: X." in out and "base64" not in out
    assert "Hello" in out and "• a" in out

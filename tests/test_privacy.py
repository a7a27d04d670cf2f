"""Who is asking and the importer look-up limit (bot/actions/privacy.py), from the channel and metadata of a message."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from bot.actions import privacy
from bot.ratelimit import Decision
from tests.conftest import make_tracker


def tracker(channel: Optional[str], metadata: Optional[dict[str, Any]] = None, sender: str = "s1") -> Any:
    event = {"event": "user", "text": "x", "input_channel": channel, "metadata": metadata or {}}
    return make_tracker("x", "center_for_importer", sender=sender, events=[event])


@pytest.mark.parametrize(
    "channel, metadata, staff",
    [
        ("cmdline", {}, True),
        ("rest", {"authenticated": True}, True),
        ("rest", {"authenticated": "yes"}, False),
        ("rest", {}, False),
        ("socketio", {"authenticated": True}, False),  # only the REST channel sets it
        ("slack", {}, False),
        (None, {}, False),
    ],
)
def test_is_staff(channel: Optional[str], metadata: dict[str, Any], staff: bool) -> None:
    assert privacy.is_staff(tracker(channel, metadata)) is staff


def test_slack_is_staff_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_CHANNELS", "cmdline,slack")
    assert privacy.is_staff(tracker("slack"))


def test_lookups_count_per_conversation_and_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTER_LOOKUP_LIMIT", "2")
    web = {"client_ip": "198.51.100.7"}
    assert privacy.lookup_keys(tracker("socketio", web)) == [
        "importer-lookup:conversation:s1",
        "importer-lookup:address:198.51.100.7",
    ]
    assert privacy.allow_lookups(tracker("socketio", web, "a")).allowed
    assert privacy.allow_lookups(tracker("socketio", web, "b")).allowed
    refused = privacy.allow_lookups(tracker("socketio", web, "c"))  # a third conversation from the same address
    assert not refused.allowed and 0 < refused.retry_after <= 600
    assert privacy.allow_lookups(tracker("socketio", {"client_ip": "203.0.113.1"}, "c")).allowed
    assert privacy.allow_lookups(tracker("cmdline", web, "d"), count=50).allowed  # staff are not limited


@pytest.mark.parametrize("seconds, wait", [(30, "1 minute"), (61, "2 minutes"), (599, "10 minutes")])
def test_the_limit_reply_says_when_to_try_again(seconds: float, wait: str) -> None:
    text = privacy.limit_reply(Decision(False, seconds))["text"]
    assert f"try again in {wait}." in text and "up to 5 importer-number look-ups every 10 minutes" in text
    assert f"try again in {wait}" in privacy.limit_reply(Decision(False, seconds), in_form=True)["text"]

"""Who is asking, and how many importer look-ups they may still make: least disclosure and rate limits.

* **Staff** see an importer's name and partner status: the input channels of ``STAFF_CHANNELS`` (``cmdline``, the
  ``rasa shell`` that only someone on the server can run) and REST requests that carry the HTTP API's token (the
  channel sets ``authenticated`` in the metadata, :mod:`bot.channels.rest`). Everyone else (the web chat, REST
  without the token, Slack unless listed) sees the Center only.
* **Importer look-ups** (one per importer number, in the look-up and in the request forms) are limited per
  conversation and per client address (``client_ip`` in the metadata), ``IMPORTER_LOOKUP_LIMIT`` per
  ``IMPORTER_LOOKUP_WINDOW_MINUTES`` (5 per 10 minutes by default), shared by every process through Redis when it is
  configured (:mod:`bot.ratelimit`). Reading back a stored request (reference and email) is limited the same way,
  with counts of its own, so that emails cannot be guessed for the sequential references. Staff are not limited.

The words are in ``knowledge/replies/privacy.yml``.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from rasa_sdk import Tracker

from bot import replies
from bot.client_ip import METADATA_KEY
from bot.ratelimit import Decision, limiter
from bot.settings import Settings, load_settings


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata of the latest user message (set by the channel), or an empty dict."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) else {}
    return {}


def is_staff(tracker: Tracker, settings: Optional[Settings] = None) -> bool:
    """Whether the latest message came from CBP staff (see the module doc)."""
    channel = tracker.get_latest_input_channel()
    if channel in (settings or load_settings()).staff_channels:
        return True
    return channel == "rest" and message_metadata(tracker).get("authenticated") is True


IMPORTER_LOOKUP = "importer-lookup"
REQUEST_READBACK = "request-readback"  # a stored request's status asked (reference and email): limited the same way


def lookup_keys(tracker: Tracker, what: str = IMPORTER_LOOKUP) -> list[str]:
    """The rate-limit keys of a look-up: the conversation, and the client address when it is known."""
    keys = [f"{what}:conversation:{tracker.sender_id}"]
    address = message_metadata(tracker).get(METADATA_KEY)
    if isinstance(address, str) and address:
        keys.append(f"{what}:address:{address}")
    return keys


def allow_lookups(tracker: Tracker, count: int = 1, what: str = IMPORTER_LOOKUP) -> Decision:
    """Count ``count`` look-ups (importer numbers, or request read-backs) against the conversation and the client
    address, ``IMPORTER_LOOKUP_LIMIT`` per window each; staff always may.
    """
    settings = load_settings()
    if is_staff(tracker, settings):
        return Decision(True)
    return limiter(settings).hit(
        lookup_keys(tracker, what), settings.lookup_limit, settings.lookup_window_minutes * 60, count
    )


def _minutes(count: float) -> str:
    """``1 minute``, ``10 minutes``."""
    if count == 1:
        return replies.text("utter_one_minute")
    return replies.text("utter_minutes", minutes=f"{count:g}")


def limit_reply(decision: Decision, in_form: bool = False, what: str = IMPORTER_LOOKUP) -> dict[str, Any]:
    """The polite refusal: how many look-ups are answered in how long, and in how many minutes to try again
    (``in_form``: the note in a request form, which goes on without a Center offered).
    """
    settings = load_settings()
    if what == REQUEST_READBACK:
        response = "utter_readback_limit"
    else:
        response = "utter_lookup_limit_in_form" if in_form else "utter_lookup_limit"
    return replies.render(
        response,
        limit=settings.lookup_limit,
        window=_minutes(settings.lookup_window_minutes),
        wait=_minutes(max(1, math.ceil(decision.retry_after / 60))),
    )

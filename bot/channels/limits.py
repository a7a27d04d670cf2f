"""Limits of the public channels: request and metadata size, messages per client address, the client's address.

Two layers, both set in ``.env`` (see :mod:`bot.settings`):

* **Channel limits**, answered with a clear refusal (HTTP 413 / 429 with a JSON message over REST, a bot message over
  socket.io and Slack): a request body or socket.io message over ``MAX_REQUEST_BYTES``, metadata over
  ``MAX_METADATA_BYTES`` (its JSON), more than ``MESSAGE_RATE_LIMIT`` messages per ``MESSAGE_RATE_WINDOW`` seconds
  from one address (REST and socket.io count together; Slack counts per Slack user). Messages over
  ``MAX_MESSAGE_CHARS`` get their polite answer from :mod:`bot.patches.safety`, whatever the channel.
* **The transport ceiling** (:func:`transport_ceiling`, twice ``MAX_REQUEST_BYTES`` and at least 2 MiB): Sanic's
  ``REQUEST_MAX_SIZE`` (every HTTP request, socket.io's long-polling included) and engine.io's buffer. Up to it a
  request is read and refused politely; over it Sanic answers 413 (a JSON message on the REST route). A WebSocket
  message over Sanic's ``WEBSOCKET_MAX_SIZE`` (1 MiB; ``SANIC_WEBSOCKET_MAX_SIZE``) closes that WebSocket.

The client's address (:mod:`bot.client_ip`: ``X-Forwarded-For`` only from ``TRUSTED_PROXIES``, else the socket's
peer) is what the message limit counts by, and goes into every message's metadata as ``client_ip``, for the limits of
the actions. The counts are :mod:`bot.ratelimit`'s, shared through Redis when one is configured.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Optional

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import ratelimit, replies
from bot.client_ip import of_request
from bot.settings import Settings

MIN_CEILING = 2 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """Why a message is refused: an HTTP status, a reply key and its values (``retry_after`` for rate limits)."""

    status: HTTPStatus
    reply: str
    values: dict[str, Any] = field(default_factory=dict)
    retry_after: Optional[int] = None

    @property
    def text(self) -> str:
        """The sentence the user reads."""
        return replies.text(self.reply, **self.values)

    def json_response(self) -> HTTPResponse:
        """The refusal over HTTP: ``{"error", "message"[, "retry_after"]}`` with its status (and ``Retry-After``)."""
        body: dict[str, Any] = {"error": self.reply.removeprefix("utter_"), "message": self.text}
        headers = {}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
            headers["Retry-After"] = str(self.retry_after)
        return response.json(body, status=self.status, headers=headers)


def transport_ceiling(settings: Settings) -> int:
    """The most bytes a request or WebSocket message may have before it is refused without being read."""
    return max(MIN_CEILING, 2 * settings.max_request_bytes)


def limit_transport(blueprint: Blueprint, settings: Settings) -> None:
    """Set Sanic's request size limit (``REQUEST_MAX_SIZE``, read for each connection) when the server starts."""

    @blueprint.listener("before_server_start")
    async def set_request_max_size(app: Sanic, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = transport_ceiling(settings)


def client_ip(request: Optional[Request], settings: Settings) -> str:
    """The client's address (:func:`bot.client_ip.of_request`); ``"unknown"`` without a request or address."""
    return (of_request(request, settings.trusted_proxies) if request is not None else None) or "unknown"


def json_bytes(value: Any) -> int:
    """The size of ``value`` as UTF-8 JSON (what it costs to keep it)."""
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))


def too_large(size: int, settings: Settings) -> Optional[Refusal]:
    """A refusal for a request or message of ``size`` bytes over ``MAX_REQUEST_BYTES``."""
    return request_too_large(settings) if size > settings.max_request_bytes else None


def request_too_large(settings: Settings) -> Refusal:
    """The refusal of a request over ``MAX_REQUEST_BYTES``."""
    kilobytes = max(settings.max_request_bytes // 1024, 1)
    return Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "utter_request_too_large", {"limit": kilobytes})


def metadata_refusal(metadata: Any, settings: Settings) -> Optional[Refusal]:
    """A refusal for metadata that is not a JSON object or is over ``MAX_METADATA_BYTES``."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return Refusal(HTTPStatus.BAD_REQUEST, "utter_invalid_metadata")
    if json_bytes(metadata) > settings.max_metadata_bytes:
        return Refusal(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "utter_metadata_too_large", {"limit": settings.max_metadata_bytes}
        )
    return None


def rate_refusal(key: str, settings: Settings) -> Optional[Refusal]:
    """Count one message for ``key``; a refusal saying when to retry when it is over ``MESSAGE_RATE_LIMIT``."""
    if settings.message_rate_limit <= 0:
        return None  # no limit (MESSAGE_RATE_LIMIT=0)
    decision = ratelimit.limiter(settings).hit(
        f"messages:{key}", settings.message_rate_limit, settings.message_rate_window_s
    )
    if decision.allowed:
        return None
    seconds = max(math.ceil(decision.retry_after), 1)
    return Refusal(HTTPStatus.TOO_MANY_REQUESTS, "utter_rate_limited", {"seconds": seconds}, retry_after=seconds)

"""Rasa's REST channel (``/webhooks/rest/webhook``) with CEE Guide's limits: for integrations, not for the public page.

The REST channel is meant for integrations (a Centers system, a test, a load balancer's check): its caller chooses the
``sender`` id, as Rasa's REST protocol requires, so anyone who knows or guesses a sender id can continue that
conversation and read what the bot says in it. The web page uses socket.io, whose session ids the server issues
(:mod:`bot.channels.sessions`); sender ids starting with ``web-`` are refused here, so REST cannot reach a web
conversation. What a conversation's answers can disclose is limited by the actions (reading back a stored request
needs its reference and the email address given with it).

On top of Rasa 3.6's ``RestInput``, every request to the webhook is checked before it reaches the bot
(:mod:`bot.channels.limits`), and refused with a JSON body ``{"error": ..., "message": ...}``:

* 413 for a body over ``MAX_REQUEST_BYTES`` or metadata over ``MAX_METADATA_BYTES``;
* 400 for a body that is not a JSON object, a ``sender`` or ``message`` that is not text, metadata that is not an
  object, or a ``web-`` sender id;
* 429 (with ``Retry-After``) past ``MESSAGE_RATE_LIMIT`` messages per ``MESSAGE_RATE_WINDOW`` seconds per address.

A message that chooses a language ("español", "answer in English please") is sent to the bot as the choice "/es" or
"/en" (:func:`bot.language.as_choice`), as on every channel.

The metadata holds ``client_ip`` (:mod:`bot.client_ip`, which trusts ``X-Forwarded-For`` only from
``TRUSTED_PROXIES``) and ``authenticated``: true only when the request carries ``RASA_API_TOKEN``, as
``Authorization: Bearer <token>`` or ``?token=<token>`` (a staff tool); the client's own metadata under these keys is
dropped. ``input_channel`` is always ``rest``: Rasa takes it from the request body, so a client could otherwise call
itself ``cmdline`` (the staff shell).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, Optional

from rasa.core.channels import rest as rasa_rest
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import limits
from bot.channels.sessions import SENDER_PREFIX
from bot.client_ip import of_request, server_metadata
from bot.language import as_choice
from bot.settings import Settings, load_settings

_BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)


def has_api_token(request: Request, token: Optional[str]) -> bool:
    """Whether the request carries the HTTP API's ``token`` (never true when no token is set)."""
    if not token:
        return False
    bearer = _BEARER.match(request.headers.get("authorization") or "")
    sent = bearer.group(1) if bearer else (request.args.get("token") or "")
    return hmac.compare_digest(sent.encode(), token.encode())


class RestInput(rasa_rest.RestInput):
    """Rasa's REST input channel with size and rate limits and the client's address in the metadata."""

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or load_settings()

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def _extract_message(self, req: Request) -> Optional[str]:
        """The message's text; one that chooses a language ("español") is the choice "/es" or "/en"."""
        text = super()._extract_message(req)
        return as_choice(text) if isinstance(text, str) else text

    def get_metadata(self, request: Request) -> Optional[dict[str, Any]]:
        """The request's metadata (an object, checked by :meth:`refusal`) with the server's keys (module doc)."""
        body = request.json if isinstance(request.json, dict) else {}
        settings = self.settings
        return server_metadata(
            body.get("metadata"),
            of_request(request, settings.trusted_proxies),
            authenticated=has_api_token(request, settings.rasa_api_token),
        )

    def refusal(self, request: Request) -> Optional[limits.Refusal]:
        """Why this webhook request must not reach the bot, or None."""
        settings = self.settings
        refused = limits.too_large(len(request.body or b""), settings)
        if refused:
            return refused
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            body = None
        invalid = limits.Refusal(HTTPStatus.BAD_REQUEST, "utter_invalid_rest_request")
        if not isinstance(body, dict):
            return invalid
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, (str, type(None))) or not isinstance(message, str):
            return invalid
        if sender and sender.startswith(SENDER_PREFIX):
            return limits.Refusal(HTTPStatus.BAD_REQUEST, "utter_reserved_sender")
        return limits.metadata_refusal(body.get("metadata"), settings) or limits.rate_refusal(
            limits.client_ip(request, settings), settings
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's blueprint, its webhook guarded by :meth:`refusal`, Sanic's 413 as JSON, the transport limits set."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def guard(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            refused = self.refusal(request)
            return refused.json_response() if refused else None

        @blueprint.exception(PayloadTooLarge)
        async def payload_too_large(request: Request, exception: Exception) -> HTTPResponse:
            return limits.request_too_large(self.settings).json_response()

        limits.limit_transport(blueprint, self.settings)
        return blueprint

"""Rasa's REST channel (``/webhooks/rest/webhook``) with metadata the client cannot forge.

Two changes to Rasa 3.6's ``rest`` channel:

* the input channel is always ``rest``: Rasa takes ``input_channel`` from the request body, so a client could call
  itself ``cmdline`` (the staff shell);
* the metadata holds ``client_ip`` (:mod:`bot.client_ip`) and ``authenticated``: true only when the request carries
  ``RASA_API_TOKEN``, as ``Authorization: Bearer <token>`` or ``?token=<token>`` (a staff tool). The client's own
  metadata under these keys is dropped.
"""

from __future__ import annotations

import hmac
import re
from typing import Any, Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic.request import Request

from bot.client_ip import of_request, server_metadata
from bot.settings import load_settings

_BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)


def has_api_token(request: Request) -> bool:
    """Whether the request carries the HTTP API's token (never true when no token is set)."""
    token = load_settings().rasa_api_token
    if not token:
        return False
    bearer = _BEARER.match(request.headers.get("authorization") or "")
    sent = bearer.group(1) if bearer else (request.args.get("token") or "")
    return hmac.compare_digest(sent.encode(), token.encode())


class RestInput(RasaRestInput):
    """Rasa's REST channel with the input channel fixed and server-set metadata (see the module doc)."""

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[dict[str, Any]]:
        body = request.json if isinstance(request.json, dict) else {}
        return server_metadata(body.get("metadata"), of_request(request), authenticated=has_api_token(request))

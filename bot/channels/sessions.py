"""Unguessable web chat sessions: ids issued by the server and signed, so that no client can choose one.

An issued id is ``<token>.<signature>``: ``token`` is 128 random bits from :mod:`secrets` (32 hex digits) and
``signature`` the HMAC-SHA256 of the token with ``SESSION_SECRET`` (first 128 bits, hex). The conversation's
sender id is ``web-<token>``: the signed id, which the browser keeps, is never stored with the conversation, and the
REST channel refuses sender ids starting with ``web-`` (:data:`SENDER_PREFIX`), so it cannot reach a web conversation.

Because ids are checked by their signature rather than kept in a list, an id stays valid after a restart and on every
replica that shares the secret. ``SESSION_SECRET`` comes from the environment or ``.env`` (``make setup`` writes one
into ``.env`` when it is missing, see :mod:`bot.envsecrets`); without it, each process makes up its own secret, and the
web chat's sessions then end when the process restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from functools import lru_cache
from typing import Optional

from bot.settings import load_settings

logger = logging.getLogger(__name__)

TOKEN_BYTES = 16  # 128 bits
SIGNATURE_HEX = 32  # 128 bits of the HMAC
SENDER_PREFIX = "web-"


@lru_cache(maxsize=1)
def _process_secret() -> bytes:
    configured = load_settings().session_secret
    if configured:
        return configured.encode()
    logger.warning("SESSION_SECRET is not set (run `make setup`): web chat sessions will not survive a restart.")
    return secrets.token_bytes(32)


def _signature(token: str, key: bytes) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def issue(key: Optional[bytes] = None) -> str:
    """A new session id: a random token and its signature."""
    token = secrets.token_hex(TOKEN_BYTES)
    return f"{token}.{_signature(token, key or _process_secret())}"


def sender_of(session_id: object, key: Optional[bytes] = None) -> Optional[str]:
    """The conversation (sender id) of an issued session id; None for anything the server did not issue."""
    if not isinstance(session_id, str) or session_id.count(".") != 1:
        return None
    token, signature = session_id.split(".")
    if len(token) != 2 * TOKEN_BYTES or not all(c in "0123456789abcdef" for c in token):
        return None
    if not hmac.compare_digest(signature, _signature(token, key or _process_secret())):
        return None
    return SENDER_PREFIX + token

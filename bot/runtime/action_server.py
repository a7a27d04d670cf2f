"""The private action server: ``python -m bot.runtime.action_server --port 5055`` (rasa_sdk's server for bot.actions).

It listens on ``ACTION_HOST`` (loopback by default) and, when ``ACTION_SERVER_TOKEN`` is set, answers a request
only when it carries that secret as its ``token`` query parameter, which is how Rasa sends the ``token`` of
``action_endpoint`` in ``endpoints.yml`` (``rasa.utils.endpoints.EndpointConfig``). Anything else gets 401 before an
action runs, so it changes nothing. ``/health`` stays open: it tells nothing but "ok". The server refuses to start on
an address other than loopback without a token.

Each action answers in the language of the message it answers (``bot/language.py``): a second middleware reads it
from the tracker the request carries (its messages and the language the user chose, the slot ``language``), and
names it in every message the action sends (``language``: Rasa keeps it in the bot message's metadata, and the
socket.io channel sends it to the widget, which marks the message with that ``lang``). Both
are attached through rasa_sdk's own extension point (its ``attach_sanic_app_extensions`` plugin hook); the rest is
rasa_sdk's command line, unchanged (``--port``, logging options).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import sys
from typing import Any, Optional

import pluggy

from bot import language
from bot.settings import load_settings

hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = frozenset({"/health"})  # answered without the token
TOKEN_PARAMETER = "token"  # EndpointConfig's default token_name


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost`` (reachable from this machine only)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_matches(given: Optional[str], token: str) -> bool:
    """Whether ``given`` is ``token`` (compared in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenCheck:
    """A rasa_sdk plugin: a request middleware that answers 401 to any request without the shared secret."""

    def __init__(self, token: str) -> None:
        self.token = token

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """Add the check in front of every route (rasa_sdk calls this before the server starts)."""
        app.register_middleware(self.check, "request")

    async def check(self, request: Any) -> Any:
        """None (carry on) for an open path or the right token; a 401 response otherwise."""
        from sanic import response

        if request.path in OPEN_PATHS or token_matches(request.args.get(TOKEN_PARAMETER), self.token):
            return None
        return response.json({"error": "unauthorized"}, status=401)


class AnswerLanguage:
    """A rasa_sdk plugin: each action answers in the language of the message it answers (``bot/language.py``)."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """Read the language before every action and name it in its messages (rasa_sdk calls this before the server
        starts).
        """
        app.register_middleware(self.read, "request")
        app.register_middleware(self.name, "response")

    async def read(self, request: Any) -> None:
        """Set the answer's language from the conversation the request carries, for this request."""
        try:
            tracker = (request.json or {}).get("tracker") or {}
            events, slots = tracker.get("events") or [], tracker.get("slots") or {}
        except (ValueError, AttributeError):  # not JSON: the action server answers it as it would
            return
        newest_first = (
            e.get("parse_data") for e in reversed(events) if isinstance(e, dict) and e.get("event") == "user"
        )
        chosen = slots.get(language.SLOT) if isinstance(slots, dict) else None
        language.set_current(language.of_conversation(newest_first, chosen))

    async def name(self, request: Any, response: Any) -> None:
        """Name the language in each message of an action's answer; any other response stays as it is. The response
        is changed in place: a middleware that returned a new one would stop Sanic's later ones (CORS).
        """
        if request.path != "/webhook" or response.status != 200:
            return
        try:
            body = json.loads(response.body)
        except (TypeError, ValueError):
            return
        messages = body.get("responses") if isinstance(body, dict) else None
        if not isinstance(messages, list):
            return
        for message in messages:
            if isinstance(message, dict):
                message.setdefault(language.REPLY_KEY, language.current())
        response.body = json.dumps(body).encode()


def warm_up() -> None:
    """Load what every action reads before the server listens: the knowledge (about 2 s on 2 cores) and the fuzzy
    indexes built from it. Without this the first user's answer waits for them, and an action held up by a locked
    database (8 s at most, ``STATEMENT_TIMEOUT_SECONDS``) could pass Rasa's 10 s action timeout.
    """
    from bot import fuzzy

    fuzzy.load()  # loads the knowledge first


def main(argv: Optional[list[str]] = None) -> int:
    """Check the address and the token, then run rasa_sdk's command line for :mod:`bot.actions`; the exit code."""
    settings = load_settings()
    host, token = settings.action_host, settings.action_server_token
    if not token and not is_loopback(host):
        print(
            f"The action server must not listen on {host} without ACTION_SERVER_TOKEN (see .env.example).",
            file=sys.stderr,
        )
        return 2
    os.environ["SANIC_HOST"] = host  # where rasa_sdk listens
    warm_up()
    from rasa_sdk.__main__ import main as rasa_sdk_main
    from rasa_sdk.plugin import plugin_manager

    if token:
        plugin_manager().register(TokenCheck(token))
    plugin_manager().register(AnswerLanguage())
    sys.argv = ["rasa_sdk", "--actions", "bot.actions", *(sys.argv[1:] if argv is None else argv)]
    rasa_sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

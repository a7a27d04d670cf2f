"""Rasa's socket.io channel, limited to the web pages in ``CORS_ORIGINS``, and able to send the widget's tables.

Changes to Rasa 3.6's ``socketio`` channel, which otherwise behaves the same (events, ``session_request`` /
``session_confirm``, session persistence, ``socketio_path``, ``namespace``, ``jwt_key``, ``metadata_key``):

* **Origins.** Rasa creates its socket.io server with ``cors_allowed_origins=[]``, which switches python-engineio's
  origin check off: any web page could then open a WebSocket to the bot whatever ``rasa run --cors`` says (browsers do
  not apply CORS to WebSockets). Here the server gets the allowed origins, so a handshake (polling or WebSocket) from
  another origin gets HTTP 400. Requests without an ``Origin`` header (non-browser clients) are not affected. The CORS
  response headers stay with Sanic-CORS (``rasa run --cors``, from the same setting): engine.io adding its own too
  would send ``Access-Control-Allow-Origin`` twice, which browsers reject.
* **Session persistence.** python-socketio 5.x made ``AsyncServer.enter_room`` a coroutine, which Rasa 3.6 calls
  without ``await``: the client never joined its session's room, so with ``session_persistence`` no answer reached
  it. Here it is awaited.
* **Unguessable sessions.** ``session_request`` confirms a session id only if the server issued it
  (:mod:`bot.channels.sessions`: 128 random bits, signed with ``SESSION_SECRET``); any other id (chosen by the client,
  guessed, forged, or missing in a message) gets a new issued id, confirmed with ``session_confirm``, and so a new
  conversation. An issued id continues its conversation after a page reload, a restart or on another replica.
* **Limits.** A message over ``MAX_REQUEST_BYTES`` (its JSON), metadata over ``MAX_METADATA_BYTES`` or past the
  per-address message rate is answered with a bot message saying so and never reaches the bot
  (:mod:`bot.channels.limits`); ``client_ip`` is added to the metadata.
* **Language.** A message that chooses a language ("español", "answer in English please") is sent to the bot as
  "/es" or "/en", the choice (:func:`bot.language.chosen_by`), as on every channel, and the client is told with a
  ``language_chosen`` event (``{"language": "es"}``), so the widget's own words follow. Every bot message carries
  ``lang``, the language it is written in, so the widget marks it right even when the user chose none.
* **Custom JSON.** Rasa emits a custom payload as ``sio.emit(event, **json_message)``, which fails for anything but
  ``{"data": ...}``; an action's ``json_message={"type": "table", ...}`` made Rasa raise a ``TypeError``. Here the
  payload is sent as the event's data, which is what the widget (``web/widget/cee-chat.js``) draws.
* **Feedback on answers** (:mod:`bot.channels.feedback`, ``docs/feedback.md``). Every bot message carries
  ``message_id`` (its event's timestamp). Once a message has been answered, each answer of that turn is offered for
  feedback with a ``feedback_offer`` event (``{"answer": <ref>}``, the ``message_id`` of the answer's last message).
  The client sends ``feedback`` (``{"answer": <ref>, "helpful": true|false}``) on the same socket and gets an
  acknowledgement (``{"status": "stored" | "already" | "unknown" | "unavailable" | "refused"}``). The conversation is
  the one this socket joined (``session_request`` or a message with an issued session id), never one the client
  names; feedback events are limited in size and rate per address like messages.

Credentials (``credentials.yml``), besides Rasa's own:

``cors_allowed_origins``
    a list of origins (``scheme://host[:port]``), a comma-separated string or ``"*"``; default: ``CORS_ORIGINS``
    from ``.env`` / the environment (see :mod:`bot.settings`): ``http://localhost:8080,http://127.0.0.1:8080``.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import Any, Optional, Union

import engineio
import rasa.core.channels.channel
import rasa.shared.utils.io
import socketio
from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import language
from bot.channels import feedback, limits, sessions
from bot.client_ip import server_metadata
from bot.settings import load_settings

logger = logging.getLogger(__name__)
LANGUAGE_CHOSEN = "language_chosen"  # the event that tells the client a message chose a language

Origins = Union[str, list[str]]
# Keyword arguments of AsyncServer.emit: a custom payload made only of these is Rasa's own emit format.
_EMIT_ARGUMENTS = {"data", "to", "room", "skip_sid", "namespace", "callback"}
MAX_FEEDBACK_BYTES = 1024  # a feedback event's JSON: a ref and a boolean


def allowed_origins(configured: Union[str, Iterable[str], None] = None) -> Origins:
    """The origins to allow: ``configured`` if given (a list, a comma-separated string or ``"*"``), else the settings.

    Never returns ``[]``: python-engineio reads an empty list as "no origin check at all".
    """
    if configured is None:
        origins = list(load_settings().cors_origins)
    elif isinstance(configured, str):
        origins = [part.strip() for part in configured.split(",") if part.strip()]
    else:
        origins = [str(part).strip() for part in configured if str(part).strip()]
    origins = [origin.rstrip("/") for origin in origins]
    if "*" in origins:
        return "*"
    # An empty list would disable the check: allow only an origin no browser sends instead.
    return origins or ["null-origin.invalid"]


class _OriginCheckingEngineIO(engineio.AsyncServer):
    """engine.io server that checks the ``Origin`` but leaves the CORS response headers to Sanic-CORS."""

    def _cors_headers(self, environ: dict[str, Any]) -> list[Any]:
        return []


class AsyncServer(socketio.AsyncServer):
    """socket.io server whose engine.io server checks origins without adding CORS headers."""

    def _engineio_server_class(self) -> type:
        return _OriginCheckingEngineIO


class SocketIOOutput(rasa_socketio.SocketIOOutput):
    """Rasa's socket.io output, in the channel's namespace, sending custom JSON as the event's data."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, namespace: Optional[str] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self._message_id: Optional[str] = None
        self._language: Optional[str] = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send a bot message; every part of it carries ``message_id`` (the event's timestamp, the answers' ref) and
        ``lang``, the language it is written in (from its metadata: ``bot/nlg.py``, the action server).
        """
        timestamp = message.get("timestamp")
        written_in = message.get(language.REPLY_KEY)
        self._message_id = repr(float(timestamp)) if isinstance(timestamp, (int, float)) else None
        self._language = written_in if written_in in language.LANGUAGES else None
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._message_id = self._language = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict):
            if self._message_id and "message_id" not in response:
                response = {**response, "message_id": self._message_id}
            if self._language and "lang" not in response:
                response = {**response, "lang": self._language}
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if json_message and set(json_message) <= _EMIT_ARGUMENTS and "data" in json_message:
            # Rasa's format: {"data": ..., "room": ...}
            arguments = {"room": recipient_id, "namespace": self.namespace, **json_message}
            await self.sio.emit(self.bot_message_evt, **arguments)
        else:
            await self._send_message(recipient_id, json_message)


class SocketIOInput(rasa_socketio.SocketIOInput):
    """Rasa's socket.io input channel with an origin allow-list (see the module doc)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("cors_allowed_origins", None)
        channel = super().from_credentials(credentials)
        if origins is not None:
            channel.cors_allowed_origins = allowed_origins(origins)
        return channel

    def __init__(self, *args: Any, cors_allowed_origins: Union[str, Iterable[str], None] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins: Origins = allowed_origins(cors_allowed_origins)
        self.settings = load_settings()
        self._app: Any = None

    async def _enter_room(self, sid: str, room: str) -> None:
        """Join the socket to its conversation's room (where the answers go); a coroutine in python-socketio 5.x."""
        if self.sio is None or not self.session_persistence:
            return
        entered = self.sio.enter_room(sid, room, namespace=self.namespace)
        if inspect.isawaitable(entered):
            await entered

    def _refusal(self, data: Any, client: str) -> tuple[dict[str, Any], Optional[limits.Refusal]]:
        """The message's metadata (with ``client_ip``) and why it must not reach the bot, or None."""
        invalid = limits.Refusal(HTTPStatus.BAD_REQUEST, "utter_invalid_socket_message")
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return {}, invalid
        refused = limits.too_large(limits.json_bytes(data), self.settings)
        if refused:
            return {}, refused
        data.setdefault("message", "")
        metadata = data.get(self.metadata_key) or None
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return {}, limits.Refusal(HTTPStatus.BAD_REQUEST, "utter_invalid_metadata")
        refused = limits.metadata_refusal(metadata, self.settings) or limits.rate_refusal(client, self.settings)
        return server_metadata(metadata, client), refused

    def _agent(self) -> Any:
        """The Rasa agent serving this channel (its tracker store holds the conversations), once the server runs."""
        return getattr(getattr(self._app, "ctx", None), "agent", None)

    async def _join(self, sid: str, sender_id: str) -> None:
        """Remember the conversation this socket joined: the only one its feedback may go to."""
        if self.sio is None:
            return
        session = await self.sio.get_session(sid, namespace=self.namespace)
        session["sender_id"] = sender_id
        await self.sio.save_session(sid, session, namespace=self.namespace)

    async def _offer_feedback(self, room: str, sender_id: str, message_id: Optional[str]) -> None:
        """Offer feedback on each answer given to the message ``message_id`` (``feedback_offer``)."""
        if self.sio is None:
            return
        for answer in await feedback.answers_of_turn(self._agent(), sender_id, message_id):
            await self.sio.emit("feedback_offer", {"answer": answer.ref}, room=room, namespace=self.namespace)

    async def _feedback(self, sid: str, data: Any) -> dict[str, str]:
        """Store the feedback of a ``feedback`` event on this socket's conversation; the acknowledgement."""
        if self.sio is None:
            return {"status": feedback.UNAVAILABLE}
        session = await self.sio.get_session(sid, namespace=self.namespace)
        client = session.get("client_ip", "unknown")
        if not isinstance(data, dict) or limits.json_bytes(data) > MAX_FEEDBACK_BYTES:
            return {"status": feedback.UNKNOWN}
        if limits.rate_refusal(f"feedback:{client}", self.settings):
            return {"status": "refused"}
        sender_id = session.get("sender_id")
        if not sender_id:
            return {"status": feedback.UNKNOWN}
        status = await feedback.record(self._agent(), sender_id, self.name(), data.get("answer"), data.get("helpful"))
        return {"status": status}

    def get_output_channel(self) -> Optional[rasa.core.channels.channel.OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning
        return SocketIOOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> rasa_socketio.SocketBlueprint:
        """Rasa's blueprint (same handlers), with an origin-checking server and this module's output channel."""
        ceiling = limits.transport_ceiling(self.settings)
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins, max_http_buffer_size=ceiling
        )
        socketio_webhook = rasa_socketio.SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        limits.limit_transport(socketio_webhook, self.settings)
        self.sio = sio
        logger.info("socket.io accepts browser connections from: %s", self.cors_allowed_origins)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @socketio_webhook.listener("before_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self._app = app

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: Optional[dict]) -> bool:
            if self.jwt_key:
                payload = None
                if auth and auth.get("token"):
                    payload = rasa.core.channels.channel.decode_bearer_token(
                        auth.get("token"), self.jwt_key, self.jwt_algorithm
                    )
                if not payload:
                    return False
            ip = limits.client_ip(environ.get("sanic.request"), self.settings)
            await sio.save_session(sid, {"client_ip": ip}, namespace=self.namespace)
            logger.debug("User %s connected to the socket.io endpoint.", sid)
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            logger.debug("User %s disconnected from the socket.io endpoint.", sid)

        async def start_session(sid: str, session_id: Any) -> str:
            """Join the conversation of an issued id, or of a new one; confirm it to the client."""
            if sessions.sender_of(session_id) is None:
                session_id = sessions.issue()
            sender_id = sessions.sender_of(session_id) or ""
            await self._enter_room(sid, sender_id)
            await self._join(sid, sender_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            return str(session_id)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[dict]) -> None:
            await start_session(sid, data.get("session_id") if isinstance(data, dict) else None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            client = (await sio.get_session(sid, namespace=self.namespace)).get("client_ip", "unknown")
            metadata, refused = self._refusal(data, client)
            if refused:
                await sio.emit(self.bot_message_evt, {"text": refused.text}, room=sid, namespace=self.namespace)
                return
            if self.session_persistence:
                session_id = data.get("session_id")
                if sessions.sender_of(session_id) is None:  # not issued here: a new conversation
                    session_id = await start_session(sid, None)
                sender_id = sessions.sender_of(session_id) or ""
                await self._enter_room(sid, sender_id)
                room = sender_id
            else:
                sender_id = room = sid
            await self._join(sid, sender_id)
            output_channel = SocketIOOutput(sio, self.bot_message_evt, self.namespace)
            chosen = language.chosen_by(data["message"])
            if chosen:  # the widget's own words follow the choice, however it was written
                await sio.emit(LANGUAGE_CHOSEN, {"language": chosen}, room=sid, namespace=self.namespace)
            message = UserMessage(
                f"/{chosen}" if chosen else data["message"],
                output_channel,
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)
            await self._offer_feedback(room, sender_id, message.message_id)

        @sio.on("feedback", namespace=self.namespace)
        async def give_feedback(sid: str, data: Any = None) -> dict[str, str]:
            return await self._feedback(sid, data)

        return socketio_webhook

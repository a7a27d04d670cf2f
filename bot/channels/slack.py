"""Rasa's Slack channel for brokers, with a configurable Web API address, threads, and no duplicate answers.

On top of Rasa 3.6's ``SlackInput`` (which already verifies ``X-Slack-Signature`` and answers Slack at once, before
the bot has replied):

* **Web API address.** ``slack_api_url`` (``SLACK_API_URL`` in ``.env``, default ``https://slack.com/api/``) is the
  base URL of every Web API call, for GovSlack or a test stand-in.
* **Threads.** Every answer goes to the thread of the message it answers (``use_threads``), and with
  ``conversation_granularity: thread`` each thread is its own conversation.
* **No duplicates.** Slack delivers an event again when it did not get a 2xx within 3 seconds (``X-Slack-Retry-Num``)
  and, in a channel, may send the same message as both a ``message`` and an ``app_mention`` event. Every event
  is remembered for an hour (bounded, in memory) by its ``event_id`` and by its message (channel and ``ts``); a
  delivery already seen is acknowledged with ``X-Slack-No-Retry: 1`` and not answered again. A retry for a
  ``http_timeout`` is never answered (Rasa's rule: the first delivery did arrive). A retry for another reason whose
  first delivery never arrived (the server was down) is answered once.
* **url_verification** is answered with ``{"challenge": ...}``, only for a correctly signed request.
* **Rate limit.** More than ``MESSAGE_RATE_LIMIT`` messages per ``MESSAGE_RATE_WINDOW`` seconds from one Slack user
  get a polite answer saying when to try again (:mod:`bot.channels.limits`); Slack still gets its 200.
* **Feedback on answers** (:mod:`bot.channels.slack_feedback`, ``docs/feedback.md``): the bot adds :+1: and :-1: to
  each answer it posts; the asker's own :+1: or :-1: on it (a signed ``reaction_added`` event) is stored as helpful
  or not helpful (:mod:`bot.channels.feedback`), once per answer.
* **Language.** Slack keeps "/es" and "/en" for its own slash commands, so a message that chooses a language
  ("español", "English", "answer in Spanish please"; any case, accents and punctuation) is sent to the bot as "/es" or
  "/en" (:func:`bot.language.as_choice`). Each thread is a conversation of its own, so the user's newest choice is
  also kept for them and sent with their messages in every thread (:mod:`bot.channels.slack_language`).
* **Formatting.** Markdown links and bold become Slack ``mrkdwn``; tables, lists and charts meant for the web chat are
  sent as text (a chart as its text alternative, since Slack cannot show ``data:`` images). ``as_user`` (a legacy
  argument that new Slack apps may not use) is not sent.

This memory of events is per process: with several Rasa replicas, route Slack to one of them (or keep the
default, where Slack's ``http_timeout`` retries are ignored anyway).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, Optional

from rasa.core.channels import slack as rasa_slack
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import feedback, limits, slack_language
from bot.channels.slack_feedback import SEEDED_REACTIONS, PostedAnswer, PostedAnswers, reaction_value
from bot.channels.text import custom_as_text, to_mrkdwn
from bot.language import as_choice
from bot.settings import load_settings

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
EVENT_MEMORY_SECONDS = 3600.0
EVENT_MEMORY_SIZE = 10_000
MAX_SECTION_CHARS = 3000  # Slack's limit for a section block's text
MAX_BUTTONS = 25  # Slack's limit for the elements of an actions block
# Message subtypes that carry something a person wrote; the others (joins, edits, deletions, bot posts) are skipped.
USER_SUBTYPES = {None, "file_share", "thread_broadcast"}


def api_base_url(url: Optional[str]) -> str:
    """The Web API base URL with the trailing slash slack_sdk needs (it joins method names to it)."""
    url = (url or DEFAULT_API_URL).strip()
    return url if url.endswith("/") else url + "/"


class RecentEvents:
    """A bounded, thread-safe set of keys that forgets each key ``ttl`` seconds after it was added."""

    def __init__(self, ttl: float = EVENT_MEMORY_SECONDS, max_size: int = EVENT_MEMORY_SIZE) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, *keys: Optional[str]) -> bool:
        """Remember the keys; False when any of them was already remembered (a duplicate)."""
        keys_ = [k for k in keys if k]
        now = time.monotonic()
        with self._lock:
            while self._expiry and next(iter(self._expiry.values())) <= now:
                self._expiry.popitem(last=False)
            duplicate = any(k in self._expiry for k in keys_)
            for key in keys_:
                self._expiry[key] = now + self.ttl
                self._expiry.move_to_end(key)
            while len(self._expiry) > self.max_size:
                self._expiry.popitem(last=False)
            return not duplicate

    def __len__(self) -> int:
        return len(self._expiry)


class SlackBot(rasa_slack.SlackBot):
    """Rasa's Slack output channel, talking to ``api_url`` and writing Slack mrkdwn."""

    def __init__(
        self,
        token: str,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_base_url(api_url), proxy=proxy)
        self.posted: dict[str, tuple[str, str]] = {}  # bot message ref (event timestamp) -> Slack (channel, ts)
        self._ref: Optional[str] = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send a bot message, remembering where it was posted (for the feedback reactions on answers)."""
        timestamp = message.get("timestamp")
        self._ref = repr(float(timestamp)) if isinstance(timestamp, (int, float)) else None
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._ref = None

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)  # Rasa adds type="mrkdwn", which is not a chat.postMessage argument
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        result = await self.client.chat_postMessage(channel=channel, **kwargs)
        ts = result.get("ts") if result is not None else None
        if self._ref and isinstance(ts, str):
            self.posted[self._ref] = (str(result.get("channel") or channel), ts)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One Slack message per bot message (Rasa would post one per paragraph)."""
        await self._post_message(channel=self.slack_channel or recipient_id, text=to_mrkdwn(text.strip()))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        if len(buttons) > MAX_BUTTONS or len(text) > MAX_SECTION_CHARS:
            return await self.send_text_message(recipient_id, text, **kwargs)
        mrkdwn = to_mrkdwn(text.strip())
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": str(b["title"])[:75]},
                        "value": str(b["payload"])[:2000],
                    }
                    for b in buttons
                ],
            },
        ]
        await self._post_message(channel=self.slack_channel or recipient_id, text=mrkdwn, blocks=blocks)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        text = custom_as_text(json_message, slack=True)
        if text is None:  # Slack's own JSON (blocks, attachments): passed on as Rasa does
            return await super().send_custom_json(recipient_id, json_message, **kwargs)
        if text.strip():
            await self._post_message(channel=self.slack_channel or recipient_id, text=text)


class SlackInput(rasa_slack.SlackInput):
    """Rasa's Slack input channel with a configurable Web API URL and de-duplicated events (see the module doc)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.slack_api_url = api_base_url((credentials or {}).get("slack_api_url"))
        return channel

    def __init__(self, *args: Any, slack_api_url: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slack_api_url = api_base_url(slack_api_url)
        self.recent_events = RecentEvents()
        self.settings = load_settings()
        self.posted_answers = PostedAnswers()

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.slack_api_url)

    @staticmethod
    def delivery_keys(request: Request) -> list[str]:
        """What identifies this delivery: the event id and the message (channel + ts), or an interaction's ids."""
        keys: list[str] = []
        if request.headers.get("content-type") == "application/json":
            body = request.json or {}
            if body.get("event_id"):
                keys.append(f"event:{body['event_id']}")
            event = body.get("event") or {}
            if event.get("channel") and event.get("ts"):
                keys.append(f"message:{event['channel']}:{event['ts']}")
        else:
            try:
                payload = json.loads(request.form["payload"][0])
            except (KeyError, IndexError, TypeError, ValueError):
                return keys
            action = (payload.get("actions") or [{}])[0]
            if payload.get("trigger_id"):
                keys.append(f"trigger:{payload['trigger_id']}")
            if action.get("action_ts"):
                keys.append(f"action:{payload.get('user', {}).get('id')}:{action['action_ts']}")
        return keys

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: Optional[str],
        metadata: Optional[dict],
    ) -> Any:
        """Answer a delivery once: a delivery already seen (a retry or a twin event) is acknowledged and dropped."""
        retry = request.headers.get(self.retry_num_header)
        reason = request.headers.get(self.retry_reason_header)
        if not self.recent_events.add(*self.delivery_keys(request)):
            logger.info("Ignored a Slack delivery already received (retry %s, reason %s).", retry, reason)
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        refused = limits.rate_refusal(f"slack:{self.slack_user(request) or sender_id}", self.settings)
        if refused:  # answered in Slack; Slack itself gets its 200 (else it delivers the message again)
            out = self.get_output_channel((metadata or {}).get("out_channel"), (metadata or {}).get("thread_id"))
            await out.send_text_message(sender_id or "", refused.text)
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        agent, user = getattr(request.app.ctx, "agent", None), self.slack_user(request)

        async def answer_then_offer_feedback(message: UserMessage) -> None:
            await on_new_message(message)
            await self._offer_feedback(agent, message, user)

        return await super().process_message(request, answer_then_offer_feedback, text, sender_id, metadata)

    async def _offer_feedback(self, agent: Any, message: UserMessage, user: Optional[str]) -> None:
        """Add the feedback reactions to each answer just posted for ``message``, and remember those answers."""
        out = message.output_channel
        if not isinstance(out, SlackBot) or not user or not message.sender_id:
            return
        for answer in await feedback.answers_of_turn(agent, message.sender_id, message.message_id):
            channel, ts = out.posted.get(answer.ref, ("", ""))
            if not ts:
                continue
            self.posted_answers.remember(channel, ts, PostedAnswer(message.sender_id, user, answer.ref))
            for name in SEEDED_REACTIONS:
                try:
                    await out.client.reactions_add(channel=channel, timestamp=ts, name=name)
                except Exception as exc:  # e.g. no reactions:write scope: the answer stands without them
                    logger.warning("Could not add the feedback reaction %s: %s", name, type(exc).__name__)
                    return

    async def _handle_reaction(self, request: Request, event: dict[str, Any]) -> HTTPResponse:
        """A ``reaction_added`` event: the asker's :+1: or :-1: on one of the answers posted here is stored."""
        acknowledged = response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        if not self.recent_events.add(*self.delivery_keys(request)):
            return acknowledged
        item = event.get("item")
        item = item if isinstance(item, dict) else {}
        answer = self.posted_answers.get(item.get("channel"), item.get("ts"))
        helpful = reaction_value(event.get("reaction"))
        user = event.get("user")
        if answer is None or helpful is None or not isinstance(user, str) or user != answer.user:
            return acknowledged
        if limits.rate_refusal(f"slack-feedback:{user}", self.settings):
            return acknowledged
        agent = getattr(request.app.ctx, "agent", None)
        status = await feedback.record(agent, answer.sender_id, self.name(), answer.ref, helpful)
        logger.debug("Slack feedback from a reaction: %s", status)
        return acknowledged

    @staticmethod
    def slack_user(request: Request) -> Optional[str]:
        """The Slack user who sent this message or clicked this button (the "address" that rate limits count)."""
        try:
            if request.headers.get("content-type") == "application/json":
                user = ((request.json or {}).get("event") or {}).get("user")
            else:
                user = json.loads(request.form["payload"][0]).get("user", {}).get("id")
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            return None
        return user if isinstance(user, str) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``/webhooks/slack/webhook``: signature first, then the challenge, events and interactions."""
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Rejected a Slack request without a valid X-Slack-Signature.")
                return response.text(
                    "Message is not properly signed with a valid X-Slack-Signature header",
                    status=HTTPStatus.BAD_REQUEST,
                )
            content_type = request.headers.get("content-type")
            if content_type == "application/json":
                try:
                    body = json.loads(request.body)
                except ValueError:
                    return response.text("Invalid JSON.", status=HTTPStatus.BAD_REQUEST)
                if not isinstance(body, dict):
                    return response.text("Invalid event.", status=HTTPStatus.BAD_REQUEST)
                if body.get("type") == "url_verification" or "challenge" in body:
                    return response.json({"challenge": body.get("challenge")})
                return await self._handle_event(request, body, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._handle_interaction(request, on_new_message)
            return response.text("Bot message delivered.")

        return slack_webhook

    async def _handle_event(
        self, request: Request, body: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        event = body.get("event") or {}
        if isinstance(event, dict) and event.get("type") == "reaction_added":
            return await self._handle_reaction(request, event)
        if not self._is_user_message(body) or event.get("subtype") not in USER_SUBTYPES:
            logger.debug("Skipped a Slack event that is not a user message.")
            return response.text("Bot message delivered.")
        metadata = self.get_metadata(request)
        if not self._is_supported_channel(body, metadata):
            logger.warning("Received a Slack message on an unsupported channel: %s", metadata.get("out_channel"))
            return response.text("channel not supported.")
        conversation_id = self._get_conversation_id(
            event.get("user", ""), metadata.get("out_channel"), metadata.get("thread_id")
        )
        text = as_choice(self._sanitize_user_message(event.get("text", ""), metadata["users"]))  # "español": /es
        agent = getattr(request.app.ctx, "agent", None)
        metadata = await slack_language.with_language(agent, event.get("user"), text, metadata)
        return await self.process_message(request, on_new_message, text, conversation_id, metadata)

    async def _handle_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            payload = json.loads(request.form["payload"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            return response.text("The input message could not be processed.", status=HTTPStatus.BAD_REQUEST)
        if self._is_interactive_message(payload):
            text = self._get_interactive_response(payload["actions"][0])
            if text is not None:
                metadata = self.get_metadata(request)
                conversation_id = self._get_conversation_id(
                    payload.get("user", {}).get("id"), metadata.get("out_channel"), metadata.get("thread_id")
                )
                return await self.process_message(request, on_new_message, text, conversation_id, metadata)
            if payload["actions"][0]["type"] == "button":
                return response.text("User clicked link button")  # link buttons have no value
        return response.text("The input message could not be processed.", status=HTTPStatus.BAD_REQUEST)

"""The Rasa server's readiness check: ``GET /ready`` answers 200 only once the model has answered a message.

Rasa's ``/`` says "Hello from Rasa" as soon as the server listens; the model's weights are then still restored lazily
(:mod:`bot.patches.loading`), so the first message waits for that. Once the server has started, this module runs one
real message through the loaded model, in memory (the NLU pipeline, then the dialogue policies on a conversation that
is never stored), and only then does ``/ready`` answer 200; before, it answers 503. ``bot/serve.py``, the tests and
the scale-out deployment wait on it. Installed by :mod:`bot.runtime.rasa_cli` for ``run``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

READY_PATH = "/ready"
WARM_UP_SENDER = "cee-readiness-check"  # the conversation of the warm-up message; it is never stored
WARM_UP_TEXT = "Which Center handles HTS chapter 84?"


def install() -> None:
    """Add ``/ready`` to the app that ``rasa run`` configures (idempotent)."""
    import rasa.core.run

    from bot.patches.patching import _patch

    _patch(rasa.core.run, "configure_app", _with_readiness)


def _with_readiness(configure_app: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa.core.run.configure_app`` adding the readiness route and the warm-up to the app it returns."""

    @functools.wraps(configure_app)
    def configure(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        add_readiness(app)
        return app

    return configure


def add_readiness(app: Any) -> None:
    """Add ``GET /ready`` and the warm-up that makes it answer 200 to a Sanic app whose ``ctx.agent`` Rasa loads."""
    from sanic import response

    app.ctx.cee_ready = False

    async def ready(_request: Any) -> Any:
        if app.ctx.cee_ready:
            return response.json({"status": "ready"})
        return response.json({"status": "loading"}, status=503)

    async def start_warm_up(app: Any, _loop: Any) -> None:
        app.add_task(_warm_up(app))

    app.add_route(ready, READY_PATH, methods=["GET"], name="cee_ready")
    app.register_listener(start_warm_up, "after_server_start")


async def _warm_up(app: Any) -> None:
    """Answer one message with the loaded model, in memory; then mark the app ready (never, when that fails)."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        logger.error("No model is loaded: %s keeps answering 503", READY_PATH)
        return
    started = time.monotonic()
    try:
        await answer_in_memory(agent, WARM_UP_TEXT)
    except Exception:
        logger.exception("The model could not answer the readiness message: %s keeps answering 503", READY_PATH)
        return
    app.ctx.cee_ready = True
    logger.info(
        "The model answers messages (first answer in %.1f s): %s is ready", time.monotonic() - started, READY_PATH
    )


async def answer_in_memory(agent: Any, text: str) -> str:
    """The name of the action the model predicts after ``text`` in a new conversation that is never stored."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    parse_data = await processor.parse_message(UserMessage(text, sender_id=WARM_UP_SENDER))
    events = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, parse_data.get("intent"), parse_data.get("entities")),
    ]
    tracker = DialogueStateTracker.from_events(WARM_UP_SENDER, events, slots=processor.domain.slots)
    action, _prediction = processor.predict_next_with_tracker_if_should(tracker)
    return str(action.name())

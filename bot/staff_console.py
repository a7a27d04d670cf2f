"""``make shell`` for CBP staff: ``rasa shell`` with commands that show why the bot answered and save the exchange.

``python -m bot.staff_console shell ARGS`` (what ``scripts/shell.sh`` runs) is ``python -m bot.runtime.rasa_cli shell
ARGS`` with Rasa's console loop (``rasa.core.channels.console.record_messages``) replaced by :func:`record_messages`.
Everything else is Rasa's shell: the ``cmdline`` channel (staff see importers' names, :mod:`bot.actions.privacy`), the
prompt, buttons, ``/stop``, and ``/restart`` or ``/intent`` messages passed to the bot. The commands:

* ``/why``: for the last answer, the intent and its confidence, the next three intents, the FAQ article (id, title,
  source) when the answer was one, the responses and actions, the entities and the slots that are set
  (:func:`bot.staff_review.explain`);
* ``/save [name]`` (or ``/save-test``): the conversation so far (since the start or the last ``/restart``) appended
  as a conversation test to ``tests/conversations/staff/saved.yml`` (``STAFF_TESTS_FILE`` to change it), which the
  conversation runner runs (``python -m tests.conversations.runner --staff``); prints the new id;
* ``/save-last [name]``: the last question and answer only;
* ``/help``: the commands;
* ``/es`` and ``/en`` (or "español", "English", "answer in Spanish please"): answer in Spanish or English from now
  on, whatever the words of the messages (the bot's own intents, ``bot/domain/language.yml``; ``docs/languages.md``).

The tracker is read inside the process, from the agent of Rasa's server (``rasa shell`` starts no HTTP API, and none
is opened for this). Social Security-format numbers are always shown masked. The console's own lines are for staff,
like the other staff command lines (``python -m bot.db``), so they live here rather than in ``knowledge/replies/``.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Optional

import aiohttp

from bot.ior import mask_text
from bot.language import as_choice
from bot.patches.patching import _patch
from bot.settings import ROOT
from bot.staff_review import (
    STAFF_FILE,
    STAFF_FOLDER,
    Exchange,
    Judge,
    NotSaved,
    Turn,
    append_test,
    build_test,
    conversation,
    explain,
    ids_in,
    new_id,
    slug,
)

logger = logging.getLogger(__name__)

STOP = "/stop"
RESTART = "/restart"
HELP = """\
Staff commands (anything else goes to the bot):
  /why                why the bot gave its last answer: intent, alternatives, FAQ article and source, slots
  /save [name]        save this conversation (since the start or the last /restart) as a conversation test
  /save-last [name]   save only the last question and answer as a test
  /es, /en            answer in Spanish (español) or English from now on, whatever the messages' words
  /help               this list
  /restart            start a new conversation (the bot forgets this one)
  /stop               quit
Saved tests go to {file}; run them with: .venv/bin/python -m tests.conversations.runner --staff"""
SAY = {
    "ready": "Bot loaded. Type a message and press enter (/help lists the staff commands, /stop quits):",
    "unknown": "There is no command {command}. Type /help for the staff commands, or a question without the /.",
    "nothing_yet": "No answer yet: ask the bot something first, then type /why.",
    "no_tracker": "The conversation cannot be read from the bot right now ({why}); try again in a moment.",
    "server_down": (
        "The bot did not answer ({why}). It may still be loading or it has stopped; "
        "wait a moment and try again, or quit with /stop and start make shell again."
    ),
    "saved": "Saved as {id} in {file} ({turns} turn{s}).",
    "check": "  {warning}",
    "unchecked": "  (not checked against the runner's judge: tests/conversations/runner.py is not in this checkout)",
    "not_saved": "Not saved: {why}",
    "context": (
        "  Note: this answer used the turns before it (intent {intent}); alone it may be answered differently. "
        "Use /save to keep the whole conversation."
    ),
}

StateReader = Callable[[str], Awaitable[Optional[dict[str, Any]]]]
Sender = Callable[[str], Awaitable[list[dict[str, Any]]]]


def say(text: str) -> None:
    """One console line for staff, Social Security-format numbers masked."""
    import rasa.shared.utils.cli
    from rasa.shared.utils.io import bcolors

    rasa.shared.utils.cli.print_color(mask_text(text), color=bcolors.OKGREEN)


def staff_file() -> Path:
    """Where ``/save`` writes: ``STAFF_TESTS_FILE`` or ``tests/conversations/staff/saved.yml``."""
    configured = os.environ.get("STAFF_TESTS_FILE")
    return Path(configured) if configured else STAFF_FILE


def runner_judge() -> Optional[Judge]:
    """The conversation runner's judge as ``(expect, reply text, actions) -> problem``; None without ``tests/``."""
    try:  # imported by name: the test set is not part of the bot package (nor of its type checks)
        runner = importlib.import_module("tests.conversations.runner")
    except ImportError:
        return None
    from bot.knowledge import knowledge

    def judge(expect: dict[str, Any], text: str, actions: Sequence[str]) -> Optional[str]:
        return runner.judge(knowledge(), runner.Reply(text, tuple(actions)), expect)

    return judge


def taken_ids(path: Path) -> set[str]:
    """Every conversation id of the test set, the staff folder and ``path``."""
    folder = ROOT / "tests" / "conversations"
    return ids_in([*folder.rglob("*.yml"), *STAFF_FOLDER.glob("*.yml"), path])


async def in_process_state(sender_id: str) -> Optional[dict[str, Any]]:
    """The conversation's tracker as Rasa's HTTP API would give it, read from the agent of this process's server."""
    from rasa.shared.core.trackers import EventVerbosity
    from sanic import Sanic

    agent = None
    for app in list(Sanic._app_registry.values()):
        agent = getattr(app.ctx, "agent", None) or agent
    if agent is None or agent.tracker_store is None:
        raise LookupError("the model is not loaded")
    tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker.current_state(EventVerbosity.ALL) if tracker is not None else None


class StaffConsole:
    """The console loop: Rasa's, with the staff commands."""

    def __init__(self, sender_id: str, send: Sender, read_state: StateReader = in_process_state) -> None:
        self.sender_id = sender_id
        self.send = send
        self.read_state = read_state
        self.exchanges: list[Exchange] = []  # since the start or the last /restart

    async def run(self, max_message_limit: Optional[int] = None) -> int:
        """Read messages and commands until ``/stop`` (or end of input); return how many messages went to the bot."""
        from rasa.core import utils
        from rasa.core.channels import console

        say(SAY["ready"])
        sent = 0
        previous: Optional[dict[str, Any]] = None
        await asyncio.sleep(0.5)  # as Rasa's loop: the server starts
        while not utils.is_limit_reached(sent, max_message_limit):
            text = await console._get_user_input(previous)
            previous = None
            text = text if text is None else as_choice(text)  # "español": /es
            if text is None or text == STOP:
                break
            if text.startswith("/") and await self.command(text):
                continue
            try:
                responses = await self.send(text)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                say(SAY["server_down"].format(why=type(exc).__name__))
                continue
            sent += 1
            if text == RESTART:
                self.exchanges = []
            else:
                reply = "\n".join(str(r.get("text") or "") for r in responses)
                self.exchanges.append(Exchange(text, reply))
            for response in responses[:-1]:
                console._print_bot_output(response)
            previous = responses[-1] if responses else None
            await asyncio.sleep(0)
        return sent

    async def command(self, text: str) -> bool:
        """Run a staff command; False when ``text`` is a message for the bot (``/restart``, ``/greet``)."""
        word, _, argument = text.partition(" ")
        word, argument = word.lower(), argument.strip()
        if word == "/help":
            say(HELP.format(file=_shown(staff_file())))
        elif word == "/why":
            await self.why()
        elif word in ("/save", "/save-test"):
            await self.save(argument, last_only=False)
        elif word == "/save-last":
            await self.save(argument, last_only=True)
        elif word == RESTART or await self.is_intent(word[1:]):
            return False
        else:
            say(SAY["unknown"].format(command=word))
        return True

    async def is_intent(self, name: str) -> bool:
        """Whether ``/name`` is one of the model's intents (Rasa's shortcut: ``/greet`` sends that intent)."""
        from sanic import Sanic

        name = name.split("{", 1)[0]
        for app in list(Sanic._app_registry.values()):
            agent = getattr(app.ctx, "agent", None)
            if agent is not None and agent.domain is not None:
                return name in agent.domain.intents
        return False

    async def _state(self) -> Optional[dict[str, Any]]:
        try:
            return await self.read_state(self.sender_id)
        except Exception as exc:  # the console must survive anything the server does
            logger.debug("Reading the tracker failed", exc_info=True)
            say(SAY["no_tracker"].format(why=str(exc) or type(exc).__name__))
            return None

    async def why(self) -> None:
        """Print ``/why`` for the last answer."""
        if not self.exchanges:
            say(SAY["nothing_yet"])
            return
        state = await self._state()
        if state is None:
            return
        lines = explain(state)
        say("\n".join(lines) if lines else SAY["nothing_yet"])

    async def save(self, name: str, last_only: bool) -> None:
        """Append the conversation (or its last exchange) to the staff file as a test; print its id."""
        try:
            if not self.exchanges:
                raise NotSaved("there is nothing to save yet: ask the bot something first.")
            state = await self._state()
            if state is None:
                return
            turns = conversation(state.get("events") or [])
            exchanges = self.exchanges
            if last_only:
                exchanges, turns = exchanges[-1:], turns[-1:]
            path = staff_file()
            test_id = new_id(name or slug(exchanges[0].user, words=5), taken_ids(path))
            judge = runner_judge()
            test, warnings = build_test(test_id, exchanges, turns, judge)
            append_test(path, test)
        except NotSaved as exc:
            say(SAY["not_saved"].format(why=exc))
            return
        count = len(test["turns"])
        say(SAY["saved"].format(id=test_id, file=_shown(path), turns=count, s="" if count == 1 else "s"))
        if judge is None:
            say(SAY["unchecked"])
        for warning in warnings:
            say(SAY["check"].format(warning=warning))
        if last_only and turns and _used_context(turns[-1]):
            say(SAY["context"].format(intent=(turns[-1].parse.get("intent") or {}).get("name")))


def _used_context(turn: Turn) -> bool:
    """Whether the answer to ``turn`` depended on the turns before it (a follow-up, or a context slot it read)."""
    intent = str((turn.parse.get("intent") or {}).get("name") or "")
    return intent == "follow_up" or bool(turn.parse.get("intent_before_context"))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _rest_sender(server_url: str, auth_token: str, sender_id: str, request_timeout: Optional[int]) -> Sender:
    """Send a message as Rasa's console does (its REST webhook, the ``cmdline`` channel); return the answers."""
    from rasa.core.channels import console

    async def send(text: str) -> list[dict[str, Any]]:
        return [
            response
            async for response in console._send_message_receive_stream(
                server_url, auth_token, sender_id, text, request_timeout=request_timeout
            )
        ]

    return send


def _record_messages(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa.core.channels.console.record_messages`` with the staff commands (same arguments)."""
    from rasa.core.constants import DEFAULT_SERVER_URL

    async def record_messages(
        sender_id: str,
        server_url: str = DEFAULT_SERVER_URL,
        auth_token: str = "",
        max_message_limit: Optional[int] = None,
        use_response_stream: bool = True,
        request_timeout: Optional[int] = None,
    ) -> int:
        send = _rest_sender(server_url, auth_token, sender_id, request_timeout)
        return await StaffConsole(sender_id, send).run(max_message_limit)

    return record_messages


def install() -> None:
    """Replace Rasa's console loop with the staff console (idempotent)."""
    from rasa.core.channels import console

    _patch(console, "record_messages", _record_messages)


def main() -> None:
    """``python -m bot.staff_console shell ARGS``: Rasa's shell (with :mod:`bot.patches`) and the staff commands."""
    from bot.runtime import rasa_cli

    install()
    rasa_cli.main()


if __name__ == "__main__":
    main()

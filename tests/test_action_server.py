"""The action server's plugins (bot/runtime/action_server.py): each action's messages name the language they are in."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from sanic import response

from bot.runtime.action_server import AnswerLanguage, warm_up


def _request(path: str, newest_language: str) -> SimpleNamespace:
    events = [
        {"event": "user", "parse_data": {"language": "en"}},
        {"event": "user", "parse_data": {"language": newest_language}},
    ]
    return SimpleNamespace(path=path, json={"tracker": {"events": events, "slots": {}}})


def test_each_message_of_an_action_names_the_language_of_the_message_it_answers() -> None:
    plugin, request = AnswerLanguage(), _request("/webhook", "es")
    answer = response.json({"events": [], "responses": [{"text": "Hola"}, {"text": "Hi", "language": "en"}]})
    answer.headers["x-kept"] = "yes"

    async def run() -> None:
        await plugin.read(request)
        assert await plugin.name(request, answer) is None  # changed in place: later middleware (CORS) still runs

    asyncio.run(run())
    assert json.loads(answer.body)["responses"] == [
        {"text": "Hola", "language": "es"},
        {"text": "Hi", "language": "en"},
    ]
    assert answer.headers["x-kept"] == "yes" and answer.content_type == "application/json"


def test_other_responses_stay_as_they_are() -> None:
    plugin = AnswerLanguage()
    for request, answer in [
        (_request("/webhook", "es"), response.json({"error": "no action"}, status=404)),
        (_request("/actions", "es"), response.json([{"name": "action_figure"}])),
        (_request("/webhook", "es"), response.text("not json")),
    ]:
        body = answer.body
        asyncio.run(plugin.name(request, answer))
        assert answer.body == body


def test_the_warm_up_loads_what_the_first_action_would_otherwise_wait_for() -> None:
    from bot import fuzzy
    from bot.knowledge import knowledge

    fuzzy._names.cache_clear()
    fuzzy._products.cache_clear()
    warm_up()
    kb = id(knowledge())
    assert fuzzy._names.cache_info().currsize == 1 and fuzzy._products.cache_info().currsize == 1
    fuzzy._names(kb), fuzzy._products(kb)
    assert fuzzy._names.cache_info().hits == 1 and fuzzy._products.cache_info().hits == 1

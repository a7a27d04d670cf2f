"""bot/serve.py: the local stack (action server, Rasa server, chat page) as ``make run`` starts it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.serve import Stack
from bot.settings import load_settings


def test_the_stack_is_the_three_servers_on_their_ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    settings = replace(
        load_settings(),
        host="127.0.0.1",
        action_port=5155,
        rasa_port=5105,
        web_port=8085,
        database_url="sqlite:///x.db",
    )
    stack = Stack(settings, log_dir=tmp_path / "log", model=tmp_path / "model.tar.gz")
    actions, rasa, web = stack.services
    assert [s.name for s in stack.services] == ["actions", "rasa", "web"]
    assert actions.health_url == "http://127.0.0.1:5155/health" and actions.command[-1] == "5155"
    assert rasa.health_url == "http://127.0.0.1:5105/ready" and rasa.command[1:4] == [
        "-m",
        "bot.runtime.rasa_cli",
        "run",
    ]
    assert rasa.command[rasa.command.index("--model") + 1] == str(tmp_path / "model.tar.gz")
    assert web.command[1:] == [
        "-m",
        "bot.runtime.web_server",
        "--port",
        "8085",
        "--host",
        "127.0.0.1",
        "--rasa-port",
        "5105",
    ]
    assert rasa.env["DATABASE_URL"] == "sqlite:///x.db" and rasa.env["SANIC_WORKERS"] == "1"
    assert rasa.env["ACTION_ENDPOINT_URL"] == settings.action_endpoint
    token = stack.settings.action_server_token  # made for this run: none in .env
    assert token and len(token) >= 32 and actions.env["ACTION_SERVER_TOKEN"] == rasa.env["ACTION_SERVER_TOKEN"] == token
    assert all(s.with_parent for s in stack.services)  # they get SIGTERM if bot.serve dies
    assert (tmp_path / "log" / "credentials.yml").exists() and (tmp_path / "log" / "endpoints.yml").exists()
    assert stack.first_dead() is None  # nothing started yet

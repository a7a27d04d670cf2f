"""bot/runtime/commands.py: the servers' command lines and environment, and the Rasa server's worker count."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.runtime.commands import TF_THREAD_DEFAULTS, actions_command, rasa_command, sanic_workers, server_env
from bot.runtime.rasa_cli import secret_arguments
from bot.settings import load_settings


def test_several_workers_only_with_shared_stores(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("SANIC_WORKERS", "2")
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("LOCK_STORE_URL", "redis://127.0.0.1:6379/0")
    assert sanic_workers() == "1"
    assert "needs TRACKER_STORE_URL and LOCK_STORE_URL" in capsys.readouterr().err
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://rasa@127.0.0.1:5432/rasa")
    assert sanic_workers() == "2"


def test_rasa_runs_through_rasa_cli_with_the_api_on_only_with_a_token(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    settings = replace(load_settings(), rasa_port=5105, rasa_api_token=None, rasa_jwt_secret=None)
    command = rasa_command(settings, tmp_path / "credentials.yml", tmp_path / "model.tar.gz", endpoints)
    assert command[:4] == [sys.executable, "-m", "bot.runtime.rasa_cli", "run"]
    assert command[command.index("--port") + 1] == "5105"
    assert command[command.index("--endpoints") + 1] == str(endpoints)
    assert "--enable-api" not in command

    secured = rasa_command(replace(settings, rasa_api_token="t0ken"), tmp_path / "c.yml", endpoints=endpoints)
    assert "--enable-api" in secured and "t0ken" not in " ".join(secured)  # rasa_cli adds it inside the process
    assert secret_arguments(replace(settings, rasa_api_token="t0ken"), ["run"]) == ["--auth-token", "t0ken"]
    assert secret_arguments(replace(settings, rasa_jwt_secret="s"), ["run", "--jwt-secret", "x"]) == []


def test_server_env_keeps_telemetry_off_and_tensorflow_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RASA_TELEMETRY_ENABLED", *TF_THREAD_DEFAULTS):
        monkeypatch.delenv(name, raising=False)
    env = server_env("http://127.0.0.1:5055/webhook", "sqlite:///x.db", "127.0.0.1", "1", LOCK_STORE_URL="redis://r")
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook" and env["ACTION_HOST"] == "127.0.0.1"
    assert (
        "ACTION_SERVER_TOKEN" not in env and server_env("a", "b", "c", "1", "s3cret")["ACTION_SERVER_TOKEN"] == "s3cret"
    )
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["LOCK_STORE_URL"] == "redis://r"
    assert all(env[name] == "1" for name in TF_THREAD_DEFAULTS)
    monkeypatch.setenv("TF_INTRA_OP_PARALLELISM_THREADS", "4")
    assert server_env("a", "b", "c", "1")["TF_INTRA_OP_PARALLELISM_THREADS"] == "4"


def test_action_server_command() -> None:
    assert actions_command(5155) == [sys.executable, "-m", "bot.runtime.action_server", "--port", "5155"]

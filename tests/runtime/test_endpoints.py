"""bot/runtime/endpoints.py: the run-time endpoints (tracker and lock stores from .env) and credentials."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.runtime.endpoints import (
    MASKING_SQL_TRACKER_STORE,
    PERSISTENT_TRACKER_STORE,
    credentials_file,
    endpoints_file,
    lock_store_endpoint,
    tracker_store_endpoint,
)
from bot.settings import ROOT, load_settings


def test_postgresql_url_becomes_rasas_sql_tracker_store() -> None:
    section = tracker_store_endpoint("postgresql+psycopg2://rasa:s3cret@db.internal:5433/conversations")
    assert section == {
        "type": MASKING_SQL_TRACKER_STORE,
        "dialect": "postgresql+psycopg2",
        "db": "conversations",
        "url": "db.internal",
        "port": 5433,
        "username": "rasa",
        "password": "s3cret",
    }


def test_relative_sqlite_path_is_taken_from_the_project_folder() -> None:
    section = tracker_store_endpoint("sqlite:///var/rasa.db")
    assert section == {"type": MASKING_SQL_TRACKER_STORE, "dialect": "sqlite", "db": str(ROOT / "var" / "rasa.db")}


def test_redis_urls_for_both_stores() -> None:
    assert tracker_store_endpoint("redis://:pw@cache:6390/2") == {
        "type": "redis",
        "url": "cache",
        "port": 6390,
        "db": 2,
        "password": "pw",
    }
    assert lock_store_endpoint("rediss://cache/1") == {
        "type": "redis",
        "url": "cache",
        "port": 6379,
        "db": 1,
        "use_ssl": True,
    }


@pytest.mark.parametrize("url", ["mysql://db/rasa", "mongodb://db/rasa"])
def test_other_tracker_store_urls_are_refused_with_the_variable_named(url: str) -> None:
    with pytest.raises(ValueError, match="TRACKER_STORE_URL"):
        tracker_store_endpoint(url)


def test_only_redis_can_be_the_shared_lock_store() -> None:
    with pytest.raises(ValueError, match="LOCK_STORE_URL"):
        lock_store_endpoint("postgresql://db/locks")


def test_endpoints_file_keeps_the_action_server_and_adds_the_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    default = yaml.safe_load(endpoints_file(tmp_path / "a.yml").read_text())
    assert default["action_endpoint"] == {"url": "${ACTION_ENDPOINT_URL}"}
    assert default["tracker_store"] == {
        "type": PERSISTENT_TRACKER_STORE,
        "dialect": "sqlite",
        "db": str(tmp_path / "conversations.db"),
    }
    assert "lock_store" not in default  # Rasa's in-memory lock store

    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://rasa@127.0.0.1:5432/rasa")
    monkeypatch.setenv("LOCK_STORE_URL", "redis://127.0.0.1:6379/0")
    path = endpoints_file(tmp_path / "b.yml")
    shared = yaml.safe_load(path.read_text())
    assert shared["tracker_store"]["type"] == MASKING_SQL_TRACKER_STORE and shared["lock_store"]["type"] == "redis"
    assert path.read_text().startswith("# GENERATED")
    assert path.stat().st_mode & 0o077 == 0  # it may hold passwords


def test_endpoints_file_names_the_action_servers_token_without_its_value(tmp_path: Path) -> None:
    with_token = yaml.safe_load(endpoints_file(tmp_path / "t.yml", action_token=True).read_text())
    assert with_token["action_endpoint"] == {"url": "${ACTION_ENDPOINT_URL}", "token": "${ACTION_SERVER_TOKEN}"}


def test_credentials_file_adds_slack_only_when_its_secrets_are_set(tmp_path: Path) -> None:
    settings = replace(load_settings(), slack_token=None, slack_signing_secret=None)
    plain = yaml.safe_load(credentials_file(settings, tmp_path / "a.yml").read_text())
    assert "bot.channels.slack.SlackInput" not in plain and "bot.channels.rest.RestInput" in plain

    slack = replace(settings, slack_token="xoxb-test", slack_signing_secret="secret")
    path = credentials_file(slack, tmp_path / "b.yml")
    section = yaml.safe_load(path.read_text())["bot.channels.slack.SlackInput"]
    assert section["slack_token"] == "xoxb-test" and section["slack_signing_secret"] == "secret"
    assert path.stat().st_mode & 0o077 == 0  # it holds secrets

"""The staff page's token check (the running page: tests/e2e/test_staff_report.py)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from bot.channels.staff import StaffInput
from bot.settings import load_settings


def request(headers: dict[str, str] | None = None, **args: str) -> SimpleNamespace:
    return SimpleNamespace(headers=headers or {}, args=args)


def channel(token: str | None) -> StaffInput:
    return StaffInput(replace(load_settings(), rasa_api_token=token))


def test_no_page_without_a_configured_token() -> None:
    refused = channel(None).refusal(request({"authorization": "Bearer x"}))
    assert refused is not None and refused.status == 404


def test_the_token_is_needed() -> None:
    staff = channel("s3cret")
    assert staff.refusal(request()).status == 401  # type: ignore[union-attr]
    assert staff.refusal(request({"authorization": "Bearer wrong"})).status == 403  # type: ignore[union-attr]
    assert staff.refusal(request(token="wrong")).status == 403  # type: ignore[union-attr]
    assert staff.refusal(request({"authorization": "Bearer s3cret"})) is None
    assert staff.refusal(request(token="s3cret")) is None


def test_registered_in_credentials() -> None:
    import yaml

    from bot.settings import ROOT

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "bot.channels.staff.StaffInput" in credentials


def test_the_running_servers_store_is_found_inside_rasas_wrapper(tmp_path) -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.insights.sql import engine_of_store
    from bot.tracker_store import PersistentTrackerStore

    persistent = PersistentTrackerStore(None, dialect="sqlite", db=str(tmp_path / "c.db"))
    assert engine_of_store(FailSafeTrackerStore(persistent)) is persistent.sql.engine
    assert engine_of_store(persistent) is persistent.sql.engine
    assert engine_of_store(object()) is None

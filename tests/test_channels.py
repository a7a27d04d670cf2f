"""The channel helpers without servers: origins, Slack de-duplication, formatting and language, rich messages."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from rasa.shared.exceptions import InvalidConfigException

from bot.channels import slack_language
from bot.channels.slack import RecentEvents, SlackInput, api_base_url
from bot.channels.socketio import SocketIOInput, allowed_origins
from bot.channels.text import custom_as_text, to_mrkdwn


def test_allowed_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert allowed_origins(["http://a:1/", " http://b:2 "]) == ["http://a:1", "http://b:2"]
    assert allowed_origins("http://a:1,http://b:2") == ["http://a:1", "http://b:2"]
    assert allowed_origins("http://a:1, *") == "*"
    assert allowed_origins([]) == ["null-origin.invalid"]  # never [], which would switch the check off
    monkeypatch.setenv("CORS_ORIGINS", "http://x.example:8080")
    assert allowed_origins() == ["http://x.example:8080"]


def test_socketio_channel_from_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    assert channel.session_persistence and channel.name() == "socketio"
    assert "http://127.0.0.1:8080" in channel.cors_allowed_origins
    channel.blueprint(lambda message: None)
    assert channel.sio.eio.cors_allowed_origins == channel.cors_allowed_origins
    assert channel.sio.eio._cors_headers({"HTTP_ORIGIN": "http://127.0.0.1:8080", "REQUEST_METHOD": "GET"}) == []
    other = SocketIOInput.from_credentials({"cors_allowed_origins": ["https://cee.example"]})
    assert other.cors_allowed_origins == ["https://cee.example"]


def test_recent_events_forget_and_stay_bounded() -> None:
    events = RecentEvents(ttl=0.2, max_size=3)
    assert events.add("event:1", "message:C:1")
    assert not events.add("event:1")
    assert not events.add("event:2", "message:C:1")  # the same message under another event id
    time.sleep(0.3)
    assert events.add("event:1")
    for n in range(10):
        events.add(f"k{n}")
    assert len(events) == 3


def test_slack_channel_from_credentials() -> None:
    channel = SlackInput.from_credentials(
        {
            "slack_token": "xoxb-1",
            "slack_signing_secret": "s",
            "slack_api_url": "https://slack.example.gov/api",
            "use_threads": True,
            "conversation_granularity": "thread",
        }
    )
    assert channel.slack_api_url == "https://slack.example.gov/api/"
    output = channel.get_output_channel("D1", "123.456")
    assert output.client.base_url == "https://slack.example.gov/api/" and output.thread_id == "123.456"
    assert api_base_url(None) == "https://slack.com/api/"
    with pytest.raises(InvalidConfigException):
        SlackInput.from_credentials({"slack_token": "xoxb-1"})  # no signing secret: Rasa refuses to start


def test_mrkdwn() -> None:
    assert to_mrkdwn("See [the CEE Directory](https://www.cbp.gov/x) and **this** <b>") == (
        "See <https://www.cbp.gov/x|the CEE Directory> and *this* &lt;b&gt;"
    )


def test_custom_as_text() -> None:
    table = {"type": "table", "caption": "The ten Centers", "columns": ["Code", "City"], "rows": [["CEE010", "Laredo"]]}
    assert custom_as_text(table) == "The ten Centers\nCode    City\n------  ------\nCEE010  Laredo"
    assert custom_as_text(table, slack=True).startswith("*The ten Centers*\n```\nCode")
    assert custom_as_text({"type": "list", "items": ["a", "b"], "ordered": True}) == "1. a\n2. b"
    assert (
        custom_as_text({"type": "chart", "src": "data:image/png;base64,xx", "alt": "Bar chart: X."}) == "Bar chart: X."
    )
    assert custom_as_text({"blocks": []}) is None


def test_custom_as_text_escapes_for_slack() -> None:
    table = {"type": "table", "caption": "A & B", "columns": ["Center"], "rows": [["Agriculture & <Prepared>"]]}
    text = custom_as_text(table, slack=True)
    assert "*A &amp; B*" in text and "Agriculture &amp; &lt;Prepared&gt;" in text
    assert "Agriculture & <Prepared>" in custom_as_text(table)


def test_session_ids_are_issued_random_and_checked_by_their_signature() -> None:
    from bot.channels import sessions

    key, other_key = b"k" * 32, b"o" * 32
    first, second = sessions.issue(key), sessions.issue(key)
    token = first.split(".")[0]
    assert first != second and len(token) == 32  # 128 random bits
    assert sessions.sender_of(first, key) == f"web-{token}"
    assert sessions.sender_of(first, other_key) is None  # another installation's secret
    last_changed = first[:-1] + ("1" if first.endswith("0") else "0")  # one hex digit of the signature changed
    for forged in (token, f"web-{token}", first + "0", last_changed, f"{token}.{'0' * 32}", None, 42, "a.b.c"):
        assert sessions.sender_of(forged, key) is None, forged


def test_env_secrets_are_generated_once_and_never_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.envsecrets import ensure_secrets

    monkeypatch.delenv("SESSION_SECRET", raising=False)
    env = tmp_path / ".env"
    env.write_text("CORS_ORIGINS=http://x.example")
    assert ensure_secrets(env) == ["SESSION_SECRET"]
    text = env.read_text()
    assert text.startswith("CORS_ORIGINS=http://x.example\nSESSION_SECRET=") and len(text.split("=")[-1].strip()) >= 40
    assert ensure_secrets(env) == [] and env.read_text() == text
    monkeypatch.setenv("SESSION_SECRET", "from-the-environment")
    fresh = tmp_path / "fresh.env"
    assert ensure_secrets(fresh) == [] and not fresh.exists()


def test_a_slack_users_choice_is_kept_for_their_messages_in_every_thread() -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.settings import ROOT

    agent = SimpleNamespace(tracker_store=InMemoryTrackerStore(Domain.load(str(ROOT / "domain.yml"))))

    def metadata(user: str, text: str) -> dict[str, object]:
        return asyncio.run(slack_language.with_language(agent, user, text, {"out_channel": "D1"}))

    assert metadata("U1", "which center handles steel") == {"out_channel": "D1"}  # nothing chosen yet
    assert metadata("U1", "/es") == {"out_channel": "D1"}  # the choice itself goes as it is
    assert metadata("U1", "which center handles steel") == {"out_channel": "D1", "language": "es"}
    assert metadata("U2", "which center handles steel") == {"out_channel": "D1"}  # another user's choice
    metadata("U1", "/en")
    assert metadata("U1", "que centro maneja el acero") == {"out_channel": "D1", "language": "en"}
    assert asyncio.run(slack_language.remembered(None, "U1")) is None  # no agent yet: nothing to read


def test_every_part_of_a_bot_message_carries_its_id_and_its_language() -> None:
    import asyncio

    from bot.channels.socketio import SocketIOOutput

    class Server:
        def __init__(self) -> None:
            self.sent: list[tuple[str, object]] = []

        async def emit(self, event: str, data: object = None, **_: object) -> None:
            self.sent.append((event, data))

    server = Server()
    output = SocketIOOutput(server, "bot_uttered")  # type: ignore[arg-type]
    asyncio.run(output.send_response("room", {"text": "Hola\n\nAdiós", "timestamp": 1.5, "language": "es"}))
    asyncio.run(output.send_response("room", {"text": "Hi", "language": "fr"}))  # not a language of the bot
    assert server.sent == [
        ("bot_uttered", {"text": "Hola", "message_id": "1.5", "lang": "es"}),
        ("bot_uttered", {"text": "Adiós", "message_id": "1.5", "lang": "es"}),
        ("bot_uttered", {"text": "Hi"}),
    ]

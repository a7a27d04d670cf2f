"""bot/runtime/web_server.py: the page's files and its Content-Security-Policy (served: tests/security)."""

from __future__ import annotations

from dataclasses import replace

from bot.runtime.web_server import content_security_policy, page_file, rasa_origins
from bot.settings import load_settings


def test_the_rasa_server_the_page_may_connect_to() -> None:
    settings = replace(load_settings(), host="127.0.0.1", rasa_port=5005, rasa_public_url=None)
    assert rasa_origins(settings) == [
        "http://127.0.0.1:5005",
        "http://localhost:5005",
        "ws://127.0.0.1:5005",
        "ws://localhost:5005",
    ]
    assert rasa_origins(replace(settings, host="0.0.0.0")) == ["http://*:5005", "ws://*:5005"]
    public = replace(settings, rasa_public_url="https://chat.example.gov/rasa")
    assert rasa_origins(public) == ["https://chat.example.gov", "wss://chat.example.gov"]
    policy = content_security_policy(replace(public, frame_ancestors=("'self'", "https://www.cbp.gov")))
    assert "connect-src 'self' https://chat.example.gov wss://chat.example.gov;" in policy
    assert policy.endswith("frame-ancestors 'self' https://www.cbp.gov")


def test_only_the_page_files_are_served() -> None:
    assert page_file("/") is not None and page_file("/") == page_file("/index.html")
    assert page_file("/widget/cee-chat.js") is not None
    for path in ("/package.json", "/widget/", "/node_modules/socket.io-client/package.json", "/../.env", ""):
        assert page_file(path) is None

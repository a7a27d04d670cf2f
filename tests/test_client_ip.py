"""The client address (bot/client_ip.py): the peer's, or X-Forwarded-For's when the peer is a trusted proxy."""

from __future__ import annotations

import pytest

from bot.client_ip import client_ip, server_metadata


@pytest.mark.parametrize(
    "peer, forwarded, trusted, expected",
    [
        ("203.0.113.5", None, (), "203.0.113.5"),
        ("203.0.113.5", "10.0.0.1", (), "203.0.113.5"),  # anyone can send the header: ignored without a trusted proxy
        ("127.0.0.1", "198.51.100.7", ("127.0.0.1",), "198.51.100.7"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", ("127.0.0.1",), "198.51.100.7"),  # the right-most hop nginx saw
        ("10.1.2.3", "198.51.100.7, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.7"),  # proxies in a network
        ("127.0.0.1", "not-an-address", ("127.0.0.1",), "127.0.0.1"),
        ("203.0.113.5", "198.51.100.7", ("127.0.0.1",), "203.0.113.5"),  # the peer is not the proxy
        (None, None, (), None),
    ],
)
def test_client_ip(peer: str, forwarded: str, trusted: tuple[str, ...], expected: str) -> None:
    assert client_ip(peer, forwarded, trusted) == expected


def test_the_server_keys_of_the_metadata_cannot_be_sent_by_the_client() -> None:
    sent = {"client_ip": "1.2.3.4", "authenticated": True, "page": "/centers"}
    assert server_metadata(sent, "203.0.113.5", authenticated=False) == {
        "page": "/centers",
        "client_ip": "203.0.113.5",
        "authenticated": False,
    }
    assert server_metadata("not a mapping", None) == {"client_ip": None}

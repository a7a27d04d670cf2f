"""The address of the client behind a request: the channels put it in each message's metadata as ``client_ip``.

The address is the TCP peer's, unless the peer is a trusted proxy (``TRUSTED_PROXIES``: addresses or networks, e.g.
nginx's ``127.0.0.1``): then it is the right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy.
Without that setting ``X-Forwarded-For`` is ignored, since any client can send one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any, Optional

METADATA_KEY = "client_ip"
# Metadata keys that only the server sets: whatever a client sends under them is dropped.
SERVER_KEYS = (METADATA_KEY, "authenticated")


def _networks(trusted: Iterable[str]) -> list[Any]:
    found = []
    for item in trusted:
        try:
            found.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return found


def _is_trusted(address: str, networks: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def client_ip(peer: Optional[str], forwarded_for: Optional[str], trusted: Iterable[str]) -> Optional[str]:
    """The client's address: ``peer``, or the first untrusted hop of ``forwarded_for`` (right to left) when the
    peer is a trusted proxy.
    """
    networks = _networks(trusted)
    if not peer or not forwarded_for or not _is_trusted(peer, networks):
        return peer or None
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _is_trusted(hop, networks):
            return hop if _valid(hop) else peer
    return peer


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def of_request(request: Any, trusted: Iterable[str]) -> Optional[str]:
    """The client address of a Sanic request, believing ``X-Forwarded-For`` from the ``trusted`` proxies only."""
    return client_ip(getattr(request, "ip", None), request.headers.get("x-forwarded-for"), trusted)


def server_metadata(sent: Any, address: Optional[str], **more: Any) -> dict[str, Any]:
    """A message's metadata: what the client sent (a mapping, else nothing) without the keys only the server sets,
    plus the client's ``address`` (``client_ip``) and ``more``.
    """
    metadata = {k: v for k, v in sent.items() if k not in SERVER_KEYS} if isinstance(sent, dict) else {}
    return {**metadata, METADATA_KEY: address, **more}

"""The private action server (issue 14, item 2): loopback by default, the shared secret or 401, nothing changed.

Against the shared ``bot`` stack (its action server has a random secret made for the run, which Rasa sends), and an
action server started alone on every address without a secret (it must refuse to start).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from bot.runtime.processes import free_ports, listening
from bot.serve import Stack
from bot.settings import ROOT, load_settings
from tests.running import Bot, new_sender

OUTREACH_SLOTS = {  # a complete outreach-call request: action_submit_outreach_call stores it
    "oc_company": "Acme Imports LLC",
    "oc_role": "broker",
    "oc_size": "small",
    "oc_center": "CEE006",
    "oc_contact_name": "Pat Doe",
    "oc_email": "pat@example.com",
    "oc_cadence": "monthly",
    "oc_time_zone": {"zone": "America/Los_Angeles", "name": "Pacific"},
}


def action_call(action: str, slots: dict[str, Any]) -> bytes:
    """The body Rasa posts to the action server's /webhook to run ``action``."""
    sender = new_sender()
    tracker = {
        "sender_id": sender,
        "slots": slots,
        "latest_message": {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    body = {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": {}, "version": "3.6.21"}
    return json.dumps(body).encode()


def post(url: str, body: Optional[bytes] = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"}, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def request_rows(database_url: str) -> int:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return int(db.execute("SELECT count(*) FROM requests").fetchone()[0])


def test_action_server_needs_the_secret_and_changes_nothing_without_it(bot: Bot) -> None:
    settings = bot.stack.settings
    base, token = f"http://127.0.0.1:{settings.action_port}", settings.action_server_token
    assert token
    submit = action_call("action_submit_outreach_call", OUTREACH_SLOTS)
    before = request_rows(bot.database_url)
    for query in ("", "?token=", "?token=wrong", f"?token={token[:-1]}", f"?other={token}"):
        status, answer = post(f"{base}/webhook{query}", submit)
        assert status == 401, (query, status, answer)
        assert post(f"{base}/actions{query}")[0] == 401
    assert request_rows(bot.database_url) == before  # no request row was written
    assert post(f"{base}/health")[0] == 200  # says "ok" and nothing else

    status, answer = post(f"{base}/webhook?token={token}", submit)  # the same call with the secret is served
    assert status == 200 and "oc_ref" in answer.decode(), answer
    assert request_rows(bot.database_url) == before + 1
    assert "Laredo" in bot.text("Where is the Machinery Center?")  # Rasa sends the secret: actions still run


def _listening_addresses(port: int) -> set[str]:
    """The local IPv4 addresses with a socket listening on ``port`` (from /proc/net/tcp; state 0A is LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_action_server_stays_on_loopback_when_the_public_servers_listen_everywhere(tmp_path: Path) -> None:
    ports = dict(zip(("action_port", "rasa_port", "web_port"), free_ports(3)))
    settings = replace(load_settings(), host="0.0.0.0", database_url=f"sqlite:///{tmp_path}/x.db", **ports)
    stack = Stack(settings, log_dir=tmp_path / "log")  # BIND_HOST=0.0.0.0: Rasa and the page on every address
    stack.services = [s for s in stack.services if s.name == "actions"]
    try:
        stack.start(timeout=120)
        assert _listening_addresses(ports["action_port"]) == {"127.0.0.1"}
    finally:
        stack.stop()


def test_action_server_refuses_every_address_without_a_secret(tmp_path: Path) -> None:
    port = free_ports(1)[0]
    env = {**os.environ, "ACTION_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.runtime.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "ACTION_SERVER_TOKEN" in done.stderr
    assert not listening(port)

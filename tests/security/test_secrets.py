"""Secrets come from the environment or ``.env``, never from command lines (issue 14, item 8).

``ps`` shows every process's command line to every user of the machine; the environment of a process is readable by
its user only. A stack with the HTTP API token, the JWT secret and the action server's secret set: none of them may
appear in the command line (``/proc/<pid>/cmdline``) of any process of any server, and each must still work.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from bot.serve import Stack
from tests.stack import rasa_url


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def rest(url: str, message: str) -> str:
    body = json.dumps({"sender": "secrets-test", "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def processes_of(stack: Stack) -> dict[int, str]:
    """Every process in the servers' process groups (the servers and their children), with its command line."""
    groups = {s.process.pid for s in stack.services if s.process is not None}
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            group = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if group in groups:
            found[int(proc.name)] = command
    return found


def test_no_secret_on_any_server_command_line(start_stack: Callable[..., AbstractContextManager[Stack]]) -> None:
    api_token, jwt_secret, action_token = (f"test-{name}-{secrets.token_hex(12)}" for name in ("api", "jwt", "act"))
    options = {"rasa_api_token": api_token, "rasa_jwt_secret": jwt_secret, "action_server_token": action_token}
    with start_stack("secrets", web=True, **options) as stack:
        processes = processes_of(stack)
        assert len(processes) >= 3 and any("rasa_cli" in c for c in processes.values())
        for pid, command in processes.items():
            for secret in (api_token, jwt_secret, action_token):
                assert secret not in command, f"process {pid} shows a secret on its command line: {command}"
        # and each secret is in use
        url = rasa_url(stack)
        assert status_of(f"{url}/status") == 401 and status_of(f"{url}/status?token={api_token}") == 200
        assert stack.settings.action_server_token == action_token
        actions = f"http://127.0.0.1:{stack.settings.action_port}/actions"
        assert status_of(actions) == 401 and status_of(f"{actions}?token={action_token}") == 200
        assert "Laredo" in rest(url, "Where is the Machinery Center?")  # an action call, with the secret
    for log in sorted(stack.log_dir.glob("*.log")):  # nor in a log (an access log would show query strings)
        text = log.read_text(errors="replace")
        assert not any(secret in text for secret in (api_token, jwt_secret, action_token)), log.name

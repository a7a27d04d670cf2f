"""Issue 14, personal data at rest: every SSN-format variant the parser accepts, sent over REST, is absent in full
from the replies, the server logs, the staff CSV export and the tracker store's database file."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from bot.ior import IorKind, parse_ior
from tests.running import Bot, new_sender, sqlite_text

# One number per form the parser reads as a Social Security number (distinct digits, to tell them apart).
VARIANTS = ("271-83-4519", "318-274592", "42957-3816", "513 62 9847", "624195738", "7 3 5-2 8-6 1 4 9")


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def _full_forms(number: str) -> tuple[str, ...]:
    """The number as typed, and its nine digits."""
    return number, _digits(number)


def test_the_variants_are_ssns() -> None:
    assert all(parse_ior(v).kind is IorKind.SSN for v in VARIANTS)


def _send(bot: Bot, message: str, sender: str, metadata: dict) -> str:
    body = json.dumps({"sender": sender, "message": message, "metadata": metadata}).encode()
    request = urllib.request.Request(bot.rest_url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.dumps(json.loads(response.read()))


@pytest.fixture(scope="module")
def sent(bot: Bot) -> str:
    """Send every variant in three ways (alone, in a question, in metadata); return the replies."""
    replies = []
    for number in VARIANTS:
        sender = new_sender()
        replies.append(_send(bot, number, sender, {"note": number}))
        replies.append(_send(bot, f"which Center handles importer {number}?", sender, {}))
        replies.append(_send(bot, f"my importer number is {number}", sender, {"ior": [number]}))
    return "\n".join(replies)


def _absent(text: str, where: str) -> None:
    for number in VARIANTS:
        for form in _full_forms(number):
            assert form not in text, f"{number} in full in {where}"


def test_ssn_variants_are_absent_from_replies_logs_and_the_tracker_store_file(bot: Bot, sent: str) -> None:
    """The finding: the masking missed three forms, and the tracker store kept full numbers."""
    _absent(sent, "the replies")
    logs = [p for p in bot.stack.log_dir.iterdir() if p.suffix == ".log"]
    assert logs
    _absent("\n".join(p.read_text(encoding="utf-8", errors="replace") for p in logs), "the server logs")
    database = bot.stack.log_dir / "conversations.db"
    assert database.exists(), "conversations are not stored in SQLite"
    data = sqlite_text(database)
    assert "***-**-4519" in data  # the conversations are there, masked
    _absent(data, "the tracker store's database file")


def test_csv_export_never_holds_a_full_ssn(bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.db import store

    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    for number in VARIANTS:
        store.create_request("site_visit", {"ior": number, "note": f"number {number}"}, f"{_digits(number)}@x.test")
    store.dispose_engines()
    out = tmp_path / "requests.csv"
    done = bot.db("export-requests", str(out))
    assert done.returncode == 0, done.stderr
    exported = out.read_text(encoding="utf-8")
    assert "***-**-4519" in exported
    _absent(exported + done.stdout + done.stderr, "the CSV export")

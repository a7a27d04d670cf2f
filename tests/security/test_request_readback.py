"""Reading back a stored request, against the running servers: its status and history are shown only with its
reference AND the email address given with it; a wrong pair shows nothing and does not say which of the two was wrong
(a reference that exists and one that does not get the same answer).

Uses the shared ``bot`` stack; the requests are stored with the staff command line's database (``bot.db``) as the
bot stores them.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bot.settings import ROOT
from tests.running import Bot, new_sender

EMAIL = "readback.owner@example.com"


def stored_request(bot: Bot) -> str:
    """A change-of-Center request stored in the bot's database; its reference."""
    code = (
        "from bot.db import store\n"
        f"print(store.create_request('change_center', {{'company': 'Readback Co'}}, '{EMAIL}').ref)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": bot.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def shown(answer: str, ref: str) -> bool:
    return f"**{ref}** (change-of-Center request) is **submitted**" in answer or "Submitted:" in answer


def test_a_reference_alone_shows_nothing(bot: Bot) -> None:
    ref = stored_request(bot)
    sender = new_sender()
    first = bot.text(f"what's the status of {ref}?", sender)
    assert not shown(first, ref) and "email address" in first, first
    assert shown(bot.text(EMAIL.upper(), sender), ref)  # the email, in any letter case, shows it
    assert shown(bot.text(f"any update on {ref}? my email is {EMAIL}"), ref)  # or both in one message


def test_a_wrong_pair_shows_nothing_and_does_not_say_which_part_was_wrong(bot: Bot) -> None:
    ref = stored_request(bot)
    sender = new_sender()
    bot.text(f"status of {ref}", sender)
    wrong_email = bot.text("someone.else@example.com", sender)
    assert not shown(wrong_email, ref) and "reference" in wrong_email and "email address" in wrong_email
    missing = "CR-2099-999999"
    unknown_ref = bot.text(f"status of {missing} {EMAIL}")
    assert not shown(unknown_ref, missing)
    assert wrong_email.replace(ref, "REF") == unknown_ref.replace(missing, "REF")  # one answer for both

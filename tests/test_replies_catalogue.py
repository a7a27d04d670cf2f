"""Every sentence a user sees lives in ``knowledge/replies/`` (issue 17).

The check (``tests/replies_check.py``) fails when Python under ``bot/`` builds user text from English, when a reply key
used in code is missing from ``knowledge/replies/``, or when a reply there is used nowhere. The last tests plant each
kind of mistake in a copy and make sure the check finds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.settings import KNOWLEDGE_DIR, ROOT
from tests.replies_check import missing_keys, scan_tree, unused_keys

BOT = ROOT / "bot"


def test_no_english_user_text_in_python() -> None:
    found = scan_tree(BOT)
    assert not found, f"{len(found)} English text(s) in Python; move them to knowledge/replies/:\n" + "\n".join(found)


def test_every_reply_key_used_in_code_exists() -> None:
    missing = missing_keys(BOT, set(load_knowledge(KNOWLEDGE_DIR).responses))
    assert not missing, "reply keys used in code but missing from knowledge/replies/: " + ", ".join(missing)


def test_every_reply_in_the_catalogue_is_used() -> None:
    unused = unused_keys(BOT, set(load_knowledge(KNOWLEDGE_DIR).responses))
    assert not unused, "replies in knowledge/replies/ used nowhere: " + ", ".join(unused)


# -- the check itself: it fails on planted English and lets code through ----------------------------------------------
def _plant(tmp_path: Path, source: str) -> Path:
    actions = tmp_path / "bot" / "actions"
    actions.mkdir(parents=True)
    (actions / "planted.py").write_text(source, encoding="utf-8")
    return tmp_path / "bot"


@pytest.mark.parametrize(
    "source",
    [
        'dispatcher.utter_message(text="Hello there, importer.")\n',
        'dispatcher.utter_message(text=f"{n} things")\n',
        'dispatcher.utter_message(text="Total: " + value)\n',
        'async def f():\n    await channel.send_text_message(sender, "Sorry!")\n',
        'LABEL = "partner accounts"\n',
        'def f(center, city):\n    return f"the {center} in {city}"\n',
        'buttons = [{"title": "All Centers", "payload": "/all"}]\n',
        'def f(names):\n    return " or ".join(names)\n',
        'def f(time):\n    return f"{time} UTC"\n',
        'raise Invalid("utter_invalid_ior_numbers", which="The other number")\n',
    ],
)
def test_the_check_finds_planted_english(tmp_path: Path, source: str) -> None:
    assert scan_tree(_plant(tmp_path, source)), source


@pytest.mark.parametrize(
    "source",
    [
        '"""A module docstring with many words."""\n',
        'logger.info("Refused a message of %d characters", n)\n',
        'raise ValueError("a bar chart needs finite values")\n',
        'PATTERN = re.compile(r"\\b(last|this) quarter of the year\\b")\n',
        'dispatcher.utter_message(**render("utter_greet", limit=3))\n',
        'text = "\\n".join(lines)\n',
        'name = f"{prefix}_confirm"\n',
        'if "sample" in source.lower():\n    pass\n',
    ],
)
def test_the_check_lets_code_through(tmp_path: Path, source: str) -> None:
    assert scan_tree(_plant(tmp_path, source)) == []


def test_the_check_finds_a_missing_and_an_unused_key(tmp_path: Path) -> None:
    bot = _plant(tmp_path, 'render("utter_nowhere")\nsay(d, f"utter_{kind}_intro")\n')
    assert missing_keys(bot, {"utter_cc_intro"}) == ["utter_nowhere"]
    assert unused_keys(bot, {"utter_cc_intro", "utter_stray"}) == ["utter_stray"]

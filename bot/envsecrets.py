"""Secrets generated into ``.env`` when missing: ``python -m bot.envsecrets`` (run by ``make setup``).

A secret that only signs or checks what this installation itself issued (such as ``SESSION_SECRET``, which signs the
web chat's session ids) needs no human choice: a random value is written to ``.env`` once and kept from then on, so
that every restart and every replica started from this folder uses the same one. A value already set in the
environment or in ``.env`` is never changed. Replicas on other machines must be given the same value.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import ROOT

GENERATED = ("SESSION_SECRET",)


def ensure_secrets(path: Path = ROOT / ".env", names: Iterable[str] = GENERATED) -> list[str]:
    """Append a random value to ``path`` for each of ``names`` set neither there nor in the environment.

    Args:
        path: the ``.env`` file (created, readable by its owner only, when missing).
        names: the variables to make sure of.

    Returns:
        The names written.
    """
    present = dotenv_values(path) if path.exists() else {}
    missing = [name for name in names if not present.get(name) and not os.environ.get(name)]
    if not missing:
        return []
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(f"{name}={secrets.token_urlsafe(32)}\n" for name in missing)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return missing


def main() -> None:
    """Write the missing secrets into the project's ``.env``; say which."""
    for name in ensure_secrets():
        print(f"Generated {name} in .env")


if __name__ == "__main__":
    main()

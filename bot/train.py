"""Train the Rasa model only when its inputs changed: ``python -m bot.train [--force]``.

The inputs are config.yml, domain.yml and every file under bot/data/; their hash is stored next to the model. The
spaCy pipeline's path is part of config.yml, so a changed pipeline also retrains.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot.settings import MODELS_DIR, ROOT

MODEL_NAME = "cee-guide"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
HASH_PATH = MODELS_DIR / f"{MODEL_NAME}.inputs"


def training_inputs() -> List[Path]:
    """Every file the model is trained from."""
    return [ROOT / "config.yml", ROOT / "domain.yml", *sorted((ROOT / "bot" / "data").rglob("*.yml"))]


def inputs_hash() -> str:
    """A hash of the training inputs' names and contents."""
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current() -> bool:
    """True when the trained model was trained from the current inputs."""
    return MODEL_PATH.exists() and HASH_PATH.exists() and HASH_PATH.read_text().strip() == inputs_hash()


def train(force: bool = False) -> bool:
    """Train when needed.

    Returns:
        True if a model was trained.
    """
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    with (MODELS_DIR / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time; a second caller waits, then finds it current
        return _train_locked(force)


def _train_locked(force: bool) -> bool:
    if not force and is_current():
        print(f"model is up to date: {MODEL_PATH.relative_to(ROOT)}")
        return False
    wanted = inputs_hash()
    started = time.monotonic()
    command = [
        sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml",
        "--data", "bot/data", "--out", str(MODELS_DIR), "--fixed-model-name", MODEL_NAME,
    ]  # fmt: skip
    if force:
        command.append("--force")
    subprocess.run(command, cwd=ROOT, check=True)
    HASH_PATH.write_text(wanted + "\n")
    print(f"trained {MODEL_PATH.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")
    return True


def main(argv: Optional[List[str]] = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.train", description="Train the model when its inputs changed.")
    parser.add_argument("--force", action="store_true", help="train even when the model is up to date")
    args = parser.parse_args(argv)
    try:
        train(force=args.force)
    except subprocess.CalledProcessError as exc:
        print(f"training failed (exit code {exc.returncode}); see the messages above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

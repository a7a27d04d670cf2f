"""Train the Rasa model when its inputs changed: ``python -m bot.train [--force]``.

The inputs are config.yml, domain.yml and every file under bot/data/ (the spaCy pipeline's and the spelling
dictionary's paths are part of config.yml). ``bot/train_plan.py`` decides what a change needs: nothing, fine-tuning
the last model (only examples changed) or a full training; the command says which it did and why. Rasa's full output
goes to ``bot/models/train.log``; the terminal shows one line per stage (``bot/train_progress.py``).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import sys
import time
from pathlib import Path
from typing import Optional

from bot import train_progress
from bot.settings import MODELS_DIR, ROOT
from bot.train_plan import Inputs, Plan, decide

MODEL_NAME = "cee-guide"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
# Fine-tuning trains this share of each component's epochs, on all the examples, starting from the last model.
FINETUNE_EPOCH_FRACTION = 0.1
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FINETUNE_REFUSED = re.compile(r"(?i)finetun")  # Rasa's FinetuningValidator and model loading say "finetune"


class TrainingFailed(RuntimeError):
    """``rasa train`` failed; the message holds the end of its log."""


def model_path(project: Path = ROOT) -> Path:
    """The trained model of the project at ``project``."""
    return project / MODEL_PATH.relative_to(ROOT)


def manifest_path(project: Path = ROOT) -> Path:
    """The manifest of what the model was trained from (``bot/train_plan.py``), beside the model."""
    return model_path(project).with_suffix("").with_suffix(".inputs")


def train(force: bool = False, project: Path = ROOT) -> Plan:
    """Bring the model up to date: nothing, a fine-tuning or a full training (see ``bot/train_plan.py``).

    Returns:
        What was done, and why.

    Raises:
        TrainingFailed: Rasa could not train.
    """
    model_path(project).parent.mkdir(parents=True, exist_ok=True)
    with (model_path(project).parent / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time; a second caller waits, then finds it current
        return _train_locked(force, project)


def _train_locked(force: bool, project: Path) -> Plan:
    now, last, model = Inputs.read(project), Inputs.load(manifest_path(project)), model_path(project)
    plan = decide(now, last, model.exists(), force)
    if plan.action == "none":
        print(f"model is up to date: {model.relative_to(project)}")
        return plan
    started = time.monotonic()
    log = _log(project)
    # Rasa writes the model in place: until a training succeeds, no manifest says that the model is current.
    manifest_path(project).unlink(missing_ok=True)
    done = _rasa_train(plan, project)
    refusal = _reason(log) if not done and plan.action == "finetune" else ""
    if FINETUNE_REFUSED.search(refusal):
        # Rasa refuses what the plan could not foresee: start afresh (its refusal stays in train.finetune.log)
        plan = Plan("full", f"Rasa could not fine-tune ({refusal})", plan.added, plan.removed)
        log.replace(log.with_name("train.finetune.log"))
        done = _rasa_train(plan, project)
    if not done:
        raise TrainingFailed(f"rasa train failed; the end of {log}:\n" + "\n".join(_tail(log)))
    now.save(manifest_path(project), finetunes=(last.finetunes + 1 if plan.action == "finetune" and last else 0))
    how = "fine-tuned" if plan.action == "finetune" else "trained"
    print(f"{how} {model.relative_to(project)} in {train_progress.clock(time.monotonic() - started)} ({plan.reason})")
    return plan


def _rasa_train(plan: Plan, project: Path) -> bool:
    """Run ``rasa train`` as the plan says; True when it succeeded."""
    model = model_path(project)
    print(f"{'fine-tuning the last model' if plan.action == 'finetune' else 'training from scratch'}: {plan.reason}")
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "bot/data",
        "--out",
        str(model.parent),
        "--fixed-model-name",
        MODEL_NAME,
    ]
    if plan.action == "finetune":
        # Only examples changed (bot/train_plan.py), so the domain and stories Rasa validates are those of the last
        # training, which it validated; examples are checked by `make build` and `rasa data validate` in `make test`.
        command += ["--finetune", str(model), "--epoch-fraction", str(FINETUNE_EPOCH_FRACTION), "--skip-validation"]
    else:
        command.append("--force")
    # PYTHONPATH: the configuration names this project's own components (bot.normalise, bot.selectors, ...).
    # PYTHONHASHSEED: Rasa's fingerprint of the domain depends on set order; fine-tuning needs it to be the same.
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return train_progress.run(command, project, _log(project), env=env) == 0


def _log(project: Path) -> Path:
    """Rasa's whole output of the last training."""
    return model_path(project).parent / "train.log"


def _reason(log: Path) -> str:
    """Rasa's error message, if its log has one."""
    errors = [line for line in _tail(log, 200) if "Exception" in line or "Error" in line]
    return ANSI.sub("", errors[-1]).strip()[:300] if errors else "see " + str(log)


def _tail(log: Path, lines: int = 40) -> list[str]:
    """The last ``lines`` lines of ``log``."""
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]


def main(argv: Optional[list[str]] = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.train", description="Train the model when its inputs changed.")
    parser.add_argument("--force", action="store_true", help="train from scratch even when the model is up to date")
    parser.add_argument("--project", type=Path, default=ROOT, help=argparse.SUPPRESS)  # the benchmark's copy
    args = parser.parse_args(argv)
    try:
        train(force=args.force, project=args.project.resolve())
    except TrainingFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

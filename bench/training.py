"""Training time from scratch (``rasa train --force``) and after an edit to reply text only.

Both bots train from copies of their training inputs in the benchmark's temporary folder, each with its own empty
Rasa cache, so nothing in the repository (bot/models/, .rasa/) is touched. The edit:

* CEE Guide: one FAQ answer (an ``utter_faq/...`` response) in the copied ``domain.yml``;
* the starter bot (it has no FAQ): the text of ``utter_greet`` in its ``domain.yml``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.serve import tail
from bot.settings import ROOT

EDIT_SUFFIX = " (edited for the benchmark)"


def _train(project: Path, command: List[str], cache: Path, log: Path, force: bool) -> float:
    log.parent.mkdir(parents=True, exist_ok=True)
    full = [sys.executable, "-m", "rasa", "train", *command, "--out", str(project / "bench-models")]
    if force:
        full.append("--force")
    started = time.monotonic()
    with log.open("ab") as out:
        # PYTHONPATH: CEE Guide's config names its own components (bot.selectors), which the copy does not hold.
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache), "PYTHONPATH": str(ROOT)}
        done = subprocess.run(full, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=3600)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"training in {project} failed:\n{tail(log)}")
    return seconds


def _edit_response(domain: Path, name_prefix: str) -> str:
    """Append a few words to the first variant of the first response whose name starts with ``name_prefix``."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    name = next(key for key in data["responses"] if key.startswith(name_prefix))
    data["responses"][name][0]["text"] = str(data["responses"][name][0]["text"]).rstrip() + EDIT_SUFFIX
    domain.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return name


def _measure(project: Path, command: List[str], edit_prefix: str, workdir: Path, name: str) -> Dict[str, Any]:
    cache = workdir / f"cache-{name}"
    log = workdir / "log" / f"train-{name}.log"
    scratch = _train(project, command, cache, log, force=True)
    edited = _edit_response(project / "domain.yml", edit_prefix)
    after_edit = _train(project, command, cache, log, force=False)
    return {"from_scratch_s": round(scratch, 1), "after_reply_text_edit_s": round(after_edit, 1), "edited": edited}


def stock(stock_project: Path, workdir: Path) -> Dict[str, Any]:
    """Training times of the starter bot, in a copy of its project."""
    project = workdir / "train-stock"
    shutil.copytree(stock_project, project, ignore=shutil.ignore_patterns("models", ".rasa"))
    return _measure(project, [], "utter_greet", workdir, "stock")


def ours(workdir: Path) -> Dict[str, Any]:
    """Training times of CEE Guide, in a copy of its training inputs (and the spaCy pipeline config.yml names)."""
    project = workdir / "train-ours"
    (project / "bot").mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "bot" / "data", project / "bot" / "data")
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        model = component.get("model") if component.get("name") == "SpacyNLP" else None
        if model and (ROOT / model).is_dir():  # a pipeline path relative to the project, e.g. bot/models/spacy/...
            shutil.copytree(ROOT / model, project / model)
    command = ["--config", "config.yml", "--domain", "domain.yml", "--data", "bot/data", "--fixed-model-name", "cee"]
    return _measure(project, command, "utter_faq/", workdir, "ours")

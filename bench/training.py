"""Training times, each bot in a copy of its training inputs in the benchmark's temporary folder.

Each has its own empty Rasa cache, so nothing in the repository (bot/models/, .rasa/) is touched:

* the starter bot: ``rasa train --force``, then ``rasa train`` after an edit to the text of ``utter_greet`` (its
  answers are part of its model);
* CEE Guide: ``python -m bot.train --force``, then ``python -m bot.train`` after five questions are added to an FAQ
  article.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.runtime.processes import tail
from bot.settings import ROOT
from bot.train import manifest_path
from bot.train_plan import Inputs

EDIT_SUFFIX = " (edited for the benchmark)"


def _timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    """Run a training command with its output appended to ``log``; its time in seconds.

    Raises:
        RuntimeError: it failed or took more than an hour (it is then stopped with everything it started).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=3600)
        except subprocess.TimeoutExpired:
            code = -1
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if code != 0:
        raise RuntimeError(f"training in {cwd} failed:\n{tail(log)}")
    return time.monotonic() - started


def _edit_response(domain: Path, name_prefix: str) -> str:
    """Append a few words to the first variant of the first response whose name starts with ``name_prefix``."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    name = next(key for key in data["responses"] if key.startswith(name_prefix))
    data["responses"][name][0]["text"] = str(data["responses"][name][0]["text"]).rstrip() + EDIT_SUFFIX
    domain.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return name


def stock(stock_project: Path, workdir: Path) -> dict[str, Any]:
    """Training times of the starter bot, in a copy of its project."""
    project = workdir / "train-stock"
    shutil.copytree(stock_project, project, ignore=shutil.ignore_patterns("models", ".rasa"))
    command = [sys.executable, "-m", "rasa", "train", "--out", str(project / "bench-models")]
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(workdir / "cache-stock")}
    log = workdir / "log" / "train-stock.log"
    scratch = _timed([*command, "--force"], project, env, log)
    edited = _edit_response(project / "domain.yml", "utter_greet")
    after_edit = _timed(command, project, env, log)
    return {"from_scratch_s": round(scratch, 1), "after_reply_text_edit_s": round(after_edit, 1), "edited": edited}


def ours(workdir: Path) -> dict[str, Any]:
    """CEE Guide's training command (``python -m bot.train``) in a copy of its training inputs: from scratch, then
    after five questions are added to one FAQ article (which fine-tunes the model).

    Its answer texts are not training inputs (``knowledge/`` is read at run time), so an answer edit needs no
    training at all: :func:`bench.edits.edit_live` measures it on the running server instead.
    """
    project = copy_inputs(workdir / "train-ours")
    log = workdir / "log" / "train-ours.log"
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(workdir / "cache-ours")}
    command = [sys.executable, "-m", "bot.train", "--project", str(project)]
    scratch = _timed([*command, "--force"], ROOT, env, log)
    article = add_questions(project / "bot" / "data" / "faq.yml", 5)
    added = _timed(command, ROOT, env, log)
    last = Inputs.load(manifest_path(project))
    how = "fine-tuned" if last is not None and last.finetunes == 1 else "trained from scratch"
    return {
        "from_scratch_s": round(scratch, 1),
        "add_questions_s": round(added, 1),
        "add_questions_article": article,
        "add_questions_how": how,
    }


def copy_inputs(project: Path, spacy_link: bool = False) -> Path:
    """Copy CEE Guide's training inputs (config.yml, domain.yml, bot/data/ and the spaCy pipeline config.yml names) to
    ``project``, a folder ``python -m bot.train --project`` can train in; ``spacy_link`` links the pipeline instead.
    """
    (project / "bot").mkdir(parents=True, exist_ok=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "bot" / "data", project / "bot" / "data")
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        model = component.get("model") if component.get("name") == "SpacyNLP" else None
        if model and (ROOT / model).is_dir():  # a pipeline path relative to the project, e.g. bot/models/spacy/...
            (project / model).parent.mkdir(parents=True, exist_ok=True)
            if spacy_link:
                (project / model).symlink_to(ROOT / model)
            else:
                shutil.copytree(ROOT / model, project / model)
    return project


def add_questions(faq: Path, count: int) -> str:
    """Add ``count`` new questions to the first FAQ article of ``bot/data/faq.yml`` (as ``make build`` would write
    them after an edit to ``knowledge/faq/``); the article's intent.
    """
    data = yaml.safe_load(faq.read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if str(b.get("intent", "")).startswith("faq/"))
    questions = [line[2:] for line in str(block["examples"]).splitlines() if line.startswith("- ")]
    forms = ("quick question: {}", "{} thanks", "hi, {}", "can you tell me {}", "{} please")
    new = [form.format(q.rstrip("?").lower()) for form, q in zip(forms, questions * count)][:count]
    block["examples"] = str(block["examples"]).rstrip("\n") + "\n" + "".join(f"- {q}\n" for q in new)
    faq.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return str(block["intent"])

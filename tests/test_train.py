"""``python -m bot.train`` on a copy of the project: questions added to an FAQ article fine-tune the last model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.training import add_questions, copy_inputs
from bot.settings import ROOT
from bot.train import manifest_path, model_path


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the training inputs with the trained model and its manifest."""
    if not model_path().exists() or not manifest_path().exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    copy_inputs(tmp_path, spacy_link=True)
    for path in (model_path(), manifest_path()):
        shutil.copy2(path, tmp_path / path.relative_to(ROOT))
    return tmp_path


def _train(project: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.train", "--project", str(project)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_an_up_to_date_model_is_not_retrained(project: Path) -> None:
    assert "model is up to date" in _train(project)


def test_added_questions_fine_tune_the_last_model(project: Path) -> None:
    before = model_path(project).stat().st_mtime_ns
    add_questions(project / "bot" / "data" / "faq.yml", 5)
    out = _train(project)
    assert "fine-tuning the last model: only examples changed (5 added, 0 removed)" in out
    assert "fine-tuned bot/models/cee-guide.tar.gz" in out
    assert "epochs" in out  # the progress lines
    assert model_path(project).stat().st_mtime_ns != before
    assert "model is up to date" in _train(project)

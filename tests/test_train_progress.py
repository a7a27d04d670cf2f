"""Readable training progress (bot/train_progress.py) from Rasa's own output."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from bot.train_progress import Progress, bar, clock, run

RASA_OUTPUT = [
    "2026-12-03 16:30:26 INFO     rasa.cli.train  - Started validating domain and training data...",
    "2026-12-03 16:30:35 INFO     rasa.engine.training.hooks  - Starting to train component 'CountVectorsFeaturizer'.",
    "2026-12-03 16:30:36 INFO     rasa.engine.training.hooks  - Finished training component 'CountVectorsFeaturizer'.",
    "2026-12-03 16:30:51 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.",
    "Epochs:   0%|          | 0/40 [00:00<?, ?it/s]",
    "Epochs:  50%|█████     | 20/40 [00:10<00:10,  2.00it/s, t_loss=3.01, i_acc=0.888]",
    "Epochs: 100%|██████████| 40/40 [00:20<00:00,  2.00it/s, t_loss=1.01, i_acc=0.998]",
    "Epochs: 100%|██████████| 40/40 [00:20<00:00,  2.00it/s, t_loss=1.01, i_acc=0.998]",  # tqdm repeats it
    "2026-12-03 16:31:11 INFO     rasa.engine.training.hooks  - Finished training component 'DIETClassifier'.",
]


def _shown(live: bool) -> str:
    """What the terminal (``live``) or a log shows for RASA_OUTPUT."""
    out = io.StringIO()
    progress = Progress(out, started=0.0, live=live)
    for piece in RASA_OUTPUT:
        progress.feed(piece)
    progress.finish_stage()
    return out.getvalue()


def test_one_line_per_stage_and_the_epochs_as_a_bar() -> None:
    assert [line.split(None, 1)[1] for line in _shown(live=False).splitlines()] == [
        "reading and checking the training data",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "DIETClassifier            [####################]  40/40 epochs",
    ]


def test_on_a_terminal_the_bar_is_redrawn_in_place() -> None:
    shown = _shown(live=True)
    assert "\r\033[K" in shown and "20/40 epochs" in shown


def test_clock_and_bar() -> None:
    assert clock(75.3) == "1:15" and clock(5) == "0:05"
    assert bar(10, 40) == "[#####---------------]  10/40 epochs"


def test_run_keeps_the_whole_output_in_the_log(tmp_path: Path) -> None:
    script = "import sys; print('Started training'); sys.stdout.write('Epochs: 50%|x| 1/2 [\\r'); sys.exit(3)"
    out = io.StringIO()
    code = run([sys.executable, "-c", script], tmp_path, tmp_path / "train.log", out=out)
    assert code == 3
    assert "Started training" in (tmp_path / "train.log").read_text()
    assert "reading and checking the training data" in out.getvalue()

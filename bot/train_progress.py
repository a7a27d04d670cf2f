"""Readable progress for ``rasa train``: one line per stage with the elapsed time, and a bar for the epochs.

Rasa's own output (log lines and tqdm bars, some hundreds of lines) goes to a log file; the terminal gets a line
when each stage starts, and the epochs of each neural component as a bar (redrawn in place on a terminal, printed
once when done otherwise; on a terminal the bar replaces its stage's line)::

      0:01  reading and checking the training data
      0:15  RulePolicy
      0:19  SpellingNormaliser
      ...
      0:37  DIETClassifier
      2:55  DIETClassifier            [####################]  60/60 epochs
"""

from __future__ import annotations

import codecs
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Optional

STARTED = re.compile(r"Starting to train component '([^']+)'")
EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
READING = re.compile(r"Started validating domain and training data|Started training")
BAR = 20


def clock(seconds: float) -> str:
    """``75.3`` → ``"1:15"``."""
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def bar(done: int, total: int) -> str:
    """``(10, 40)`` → ``"[#####---------------]  10/40 epochs"``."""
    filled = BAR * done // max(total, 1)
    return f"[{'#' * filled}{'-' * (BAR - filled)}] {done:>3}/{total} epochs"


class Progress:
    """Turns Rasa's output, piece by piece, into stage lines on ``out``."""

    def __init__(self, out: IO[str], started: float, live: Optional[bool] = None) -> None:
        self.out, self.started = out, started
        self.live = out.isatty() if live is None else live  # redraw the epoch bar in place on a terminal
        self.stage: Optional[str] = None
        self.epochs: Optional[str] = None
        self.said_reading = False

    def _line(self, text: str, final: bool = True) -> None:
        line = f"  {clock(time.monotonic() - self.started):>5}  {text}"
        if self.live:
            self.out.write("\r\033[K" + line + ("\n" if final else ""))
        elif final:
            self.out.write(line + "\n")
        self.out.flush()

    def feed(self, piece: str) -> None:
        """One line (or one redraw of a bar) of Rasa's output."""
        if not self.said_reading and READING.search(piece):
            self.said_reading = True
            self._line("reading and checking the training data")
        started = STARTED.search(piece)
        if started:
            self.finish_stage()
            self.stage = started.group(1)
            self._line(self.stage, final=not self.live)  # on a terminal the line stays open for the epoch bar
            return
        epochs = EPOCHS.search(piece)
        if epochs and self.stage:
            done, total = int(epochs.group(1)), int(epochs.group(2))
            epochs_line = f"{self.stage:<26}{bar(done, total)}"
            if epochs_line != self.epochs and (self.live or done == total):  # tqdm repeats its last state
                self._line(epochs_line, final=not self.live)
            self.epochs = epochs_line

    def finish_stage(self) -> None:
        """Close the line of the stage that was running (on a terminal it is still open)."""
        if self.stage and self.live:
            self.out.write("\n")
            self.out.flush()
        self.stage = self.epochs = None


def run(
    command: list[str], cwd: Path, log: Path, out: IO[str] = sys.stdout, env: Optional[dict[str, str]] = None
) -> int:
    """Run ``command``, keep its whole output in ``log`` and show the stages on ``out``; its exit code.

    When this process is interrupted (Ctrl-C, a timeout), the command is stopped too.
    """
    progress = Progress(out, time.monotonic())
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as keep:

        def handle(piece: str) -> None:
            keep.write(piece + "\n")
            progress.feed(piece)

        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert process.stdout is not None
            _pieces(process.stdout, handle)
            code = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    progress.finish_stage()
    return code


def _pieces(stream: IO[bytes], handle: Callable[[str], None]) -> None:
    r"""Split a byte stream on newlines and carriage returns (tqdm redraws its bar with ``\r``)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may be split across reads
    read = getattr(stream, "read1", stream.read)
    pending = ""
    while True:
        chunk = read(65536)
        if not chunk:
            break
        pending += decoder.decode(chunk)
        *pieces, pending = re.split(r"[\r\n]", pending)
        for piece in pieces:
            if piece.strip():
                handle(piece)
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        handle(pending)

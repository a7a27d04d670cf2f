"""Start, stop and watch processes: free ports, process groups, commands run as another user, log tails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from bot.settings import ROOT

HOST = "127.0.0.1"


class StartError(RuntimeError):
    """Something could not be started, or a command failed (the message says why, often with the end of a log)."""


def free_ports(count: int, host: str = HOST) -> list[int]:
    """Distinct TCP ports nobody listens on right now (for tests, the benchmark and side-by-side deployments)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def listening(port: int, host: str = HOST) -> bool:
    """Whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def alive(pid: Optional[int]) -> bool:
    """Whether a process with this pid exists and is not a zombie (whatever process it is)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


PR_SET_PDEATHSIG = 1  # Linux prctl(2): the signal a process gets when its parent dies


def _terminate_with_parent() -> Callable[[], None]:
    """What a child runs before its command: ask Linux for SIGTERM when the parent dies (libc loaded here, before
    the fork, so that the child only makes the call).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def request() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return request


def spawn(
    command: list[str], log_path: Path, env: dict[str, str], cwd: Path = ROOT, with_parent: bool = False
) -> subprocess.Popen:
    """Start a command in a process group of its own, with the environment plus ``env`` and its output appended to
    ``log_path``.

    A process group of its own keeps Ctrl-C and the terminal's SIGHUP for the parent, which stops the group itself
    (:func:`stop_group`). With ``with_parent`` (Linux), the command also gets SIGTERM when the parent dies whatever
    the way, even killed (``bot/serve.py``); without, it outlives the parent (``deploy/``, whose command exits).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with_parent = with_parent and sys.platform.startswith("linux")
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_terminate_with_parent() if with_parent else None,
        )


def stop_group(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    """Stop a process group started by :func:`spawn`: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def tail(path: Optional[Path], lines: int = 30) -> str:
    """The last lines of a log file ("" when there is none)."""
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Check ``condition`` every ``interval`` seconds until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def as_user(user: Optional[str], command: list[str]) -> list[str]:
    """The command line that runs ``command`` as ``user`` (unchanged for None)."""
    return ["runuser", "-u", user, "--", *command] if user else command


def run_as(command: list[str], user: Optional[str] = None, timeout: float = 120, **kwargs: Any) -> str:
    """Run a command (as ``user``, when given) and return its output.

    Raises:
        StartError: it failed; its output is in the message.
    """
    done = subprocess.run(as_user(user, command), capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        raise StartError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout

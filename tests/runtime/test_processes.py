"""bot/runtime/processes.py and bot/runtime/service.py: starting, watching and stopping processes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bot.runtime.processes import StartError, alive, free_ports, listening, run_as, spawn, stop_group, tail, wait_until
from bot.runtime.service import Service, wait_until_answering


def test_free_ports_are_distinct_and_free() -> None:
    ports = free_ports(3)
    assert len(set(ports)) == 3
    assert not any(listening(port) for port in ports)


def test_spawn_logs_output_and_stop_group_ends_the_process(tmp_path: Path) -> None:
    log = tmp_path / "log" / "sleeper.log"
    code = "import time; print('started', flush=True); time.sleep(60)"
    process = spawn([sys.executable, "-c", code], log, {})
    assert wait_until(lambda: "started" in tail(log), timeout=30)
    assert alive(process.pid)
    stop_group(process, timeout=10)
    assert process.poll() is not None and not alive(process.pid)


def test_tail_is_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("\n".join(str(n) for n in range(50)))
    assert tail(log, 3) == "47\n48\n49"
    assert tail(tmp_path / "missing.log") == "" and tail(None) == ""


def test_wait_until_gives_up_after_the_timeout() -> None:
    started = time.monotonic()
    assert not wait_until(lambda: False, timeout=0.3, interval=0.05)
    assert time.monotonic() - started < 5


def test_run_as_returns_the_output_or_raises_with_it() -> None:
    assert run_as([sys.executable, "-c", "print('hi')"]) == "hi\n"
    with pytest.raises(StartError, match="boom"):
        run_as([sys.executable, "-c", "import sys; sys.exit('boom')"])


def test_a_server_that_stops_is_reported_with_its_log(tmp_path: Path) -> None:
    dying = Service(
        "dying",
        [sys.executable, "-c", "print('bad config'); raise SystemExit(2)"],
        f"http://127.0.0.1:{free_ports(1)[0]}/",
    )
    dying.start(tmp_path)
    with pytest.raises(StartError, match="the dying server stopped:\nbad config"):
        wait_until_answering([dying], timeout=30)


def test_a_server_that_never_answers_is_named(tmp_path: Path) -> None:
    silent = Service(
        "silent", [sys.executable, "-c", "import time; time.sleep(60)"], f"http://127.0.0.1:{free_ports(1)[0]}/"
    )
    silent.start(tmp_path)
    try:
        with pytest.raises(StartError, match=f"no answer from silent after 1 s; logs in {tmp_path}"):
            wait_until_answering([silent], timeout=1, logs=tmp_path)
    finally:
        silent.stop()
    assert silent.has_stopped()


def test_a_server_that_answers_is_waited_for(tmp_path: Path) -> None:
    port = free_ports(1)[0]
    web = Service(
        "web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], f"http://127.0.0.1:{port}/"
    )
    web.start(tmp_path)
    try:
        wait_until_answering([web], timeout=60)
        assert web.is_up()
    finally:
        web.stop()

"""The memory and CPU time of process trees, from /proc (bot.serve starts and stops the processes)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree(pids: Iterable[int]) -> list[int]:
    """The given processes and all their descendants that are alive."""
    children = _children_map()
    found: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in found or not Path(f"/proc/{pid}").exists():
            continue
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mib(pids: Iterable[int]) -> dict[str, float]:
    """RSS and PSS (shared pages split between the processes that share them) of process trees, in MiB.

    RSS counts pages shared by forked workers once per worker; PSS does not. Both are reported.
    """
    members = tree(pids)
    rss = sum(_kib(Path(f"/proc/{pid}/status"), "VmRSS") for pid in members)
    pss = sum(_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss") for pid in members)
    return {"rss_mib": round(rss / 1024, 1), "pss_mib": round(pss / 1024, 1), "processes": len(members)}


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time used so far by process trees (live processes only)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree(pids):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick

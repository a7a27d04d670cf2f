"""The command line of the scale-out deployment (``deploy/scale-out.sh start|stop|status``): ``deploy/scale_out.py``
does the work, this module parses the arguments and prints what happened.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from bot.runtime.processes import HOST
from deploy import scale_out
from deploy.parts import PART_NAMES
from deploy.scale_out import DEFAULT_DIR, shell_command, start, status, stop
from deploy.state import DEFAULT_PORTS, DeployError, free_ports


def _parse_ports(text: str) -> dict[str, int]:
    ports = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in DEFAULT_PORTS or not value.isdigit() or not 0 < int(value) < 65536:
            raise argparse.ArgumentTypeError(f"use name=port,... with names {', '.join(DEFAULT_PORTS)}")
        ports[name] = int(value)
    return ports


def main(argv: Optional[list[str]] = None) -> int:
    """``deploy/scale-out.sh``: start, stop or report on the deployment; the exit code."""
    parser = argparse.ArgumentParser(
        prog="deploy/scale-out.sh",
        description=scale_out.__doc__.split("\n")[0] if scale_out.__doc__ else None,
        epilog="Exit codes: 0 done (status: every part is up), 1 start failed, 3 status: not running or a part down.",
    )
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"state folder (default {DEFAULT_DIR})")
    default_ports = ",".join(f"{name}={port}" for name, port in DEFAULT_PORTS.items())
    parser.add_argument("--ports", type=_parse_ports, default={}, help=f"start: ports to use (default {default_ports})")
    parser.add_argument("--free-ports", action="store_true", help="start: pick free ports instead of the defaults")
    parser.add_argument("--clean", action="store_true", help="stop: also remove the state folder (all data)")
    args = parser.parse_args(argv)
    state_dir: Path = args.dir.resolve()
    if args.command == "start":
        ports = {**(free_ports() if args.free_ports else {}), **args.ports}
        print(f"Starting CEE Guide with two Rasa servers (state in {state_dir}):", flush=True)
        try:
            dep = start(state_dir, ports, say=lambda line: print(line, flush=True))
        except DeployError as exc:
            print(f"scale-out: could not start: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("scale-out: interrupted; everything that had started is stopped.", file=sys.stderr)
            return 1
        print(
            f"CEE Guide (2 Rasa servers behind nginx) is running:\n"
            f"  REST       POST {dep.rest_url}\n"
            f'  socket.io  {dep.url}/socket.io   (for the widget: data-server="{dep.url}")\n'
            f"  pages      {dep.url}/ (chat), {dep.url}/figures (Center figures)\n"
            f"  logs       {dep.dir / 'log'}, {dep.dir / 'nginx' / 'logs'}\n"
            f"Check it with: {shell_command('status', state_dir)}\n"
            f"Stop it with:  {shell_command('stop', state_dir)}",
            flush=True,
        )
        return 0
    if args.command == "stop":
        stopped = stop(state_dir, clean=args.clean)
        print(f"stopped: {', '.join(stopped)}" if stopped else f"nothing was running in {state_dir}")
        if args.clean:
            print(f"removed {state_dir}")
        return 0
    parts = status(state_dir)
    if not parts:
        print(f"no deployment in {state_dir} (start one with: {shell_command('start', state_dir)})")
        return 3
    if not any(part["running"] for part in parts.values()):
        print(f"the deployment in {state_dir} is stopped (start it with: {shell_command('start', state_dir)})")
        return 3
    for name, part in parts.items():
        if part["running"] and part["listening"]:
            state = "up"
        elif part["running"]:
            state = "STARTING/NOT ANSWERING"
        else:
            state = "DOWN"
        print(f"{name:9} {state:5} pid {part['pid'] or '-':>7}  {HOST}:{part['port']}  {PART_NAMES[name]}")
    return 0 if all(p["running"] and p["listening"] for p in parts.values()) else 3


if __name__ == "__main__":
    sys.exit(main())

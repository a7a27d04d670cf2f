"""``python -m bot.insights --days N --out DIR``: the staff report of the last N days as files in DIR.

Reads the tracker store (``TRACKER_STORE_URL``, else ``var/log/conversations.db``; or ``--tracker-store URL``) and the
database (``DATABASE_URL``), and writes ``DIR/report.html``, one CSV file per table and the chart images.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from bot.insights import files, report
from bot.insights.sql import has_events, missing_file, tracker_engine
from bot.retention import tracker_store_url
from bot.settings import load_settings


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command; 0 when the report was written, 2 for a bad argument or a tracker store that does not exist."""
    parser = argparse.ArgumentParser(prog="python -m bot.insights", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="the period: the last N days (default 30)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write the report into")
    parser.add_argument("--tracker-store", help="the tracker store's SQLAlchemy URL (default: the bot's)")
    args = parser.parse_args(argv)
    url = args.tracker_store or tracker_store_url(load_settings())
    missing = missing_file(url)
    if missing:
        print(f"insights: no tracker store at {missing}: no conversation has been stored there", file=sys.stderr)
        return 2
    try:
        engine = tracker_engine(url)
    except ValueError as exc:
        print(f"insights: {exc}", file=sys.stderr)
        return 2
    try:
        built = report.build(engine if has_events(engine) else None, args.days)
    except ValueError as exc:
        print(f"insights: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    written = files.write(built, args.out)
    print(f"Report of the last {args.days} days in {built.seconds:.1f} s: {written[0]} ({len(written)} files)")
    for note in built.notes:
        print(f"Note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The CBP staff command line: ``python -m bot.db COMMAND``.

Commands: ``init``, ``seed``, ``import-figures FILE.csv``, ``import-importers FILE.csv``,
``export-requests FILE.csv``, ``set-status REF STATUS`` and ``purge-conversations``. Run
``python -m bot.db COMMAND --help`` for details.
The database is ``DATABASE_URL`` (from the environment or ``.env``), or ``--database-url``.

Exit codes: 0 done, 1 the command failed (a bad file, an unknown reference, the database unreachable), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Optional

from bot import retention
from bot.db import importer, store
from bot.db.models import REQUEST_STATUSES
from bot.db.store import UpsertResult
from bot.ior import install_log_masking, mask_text
from bot.settings import load_settings
from bot.vocab import REQUEST_KINDS

logger = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure to report to the user in one line, with exit code 1."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def _say(text: str) -> None:
    print(mask_text(text), flush=True)


def _counts(name: str, result: UpsertResult) -> str:
    text = f"{name}: {result.inserted} inserted, {result.updated} updated"
    return text + (f", {result.unchanged} unchanged" if result.unchanged else "")


def cmd_init(args: argparse.Namespace) -> None:
    """Create the tables and copy the Centers from knowledge/."""
    store.init_db()
    _say(f"Database ready: {store.safe_url(store.database_url())} ({len(store.center_codes())} Centers).")


def cmd_seed(args: argparse.Namespace) -> None:
    """Load the sample data into an empty database."""
    result = importer.seed_sample_data()
    if result is None:
        _say("The database already holds figures or importers; nothing was seeded.")
        return
    _say(f'Seeded the database with the sample data (labelled "{store.SAMPLE_SOURCE}"):')
    _say("  " + _counts(importer.SAMPLE_FIGURES.name, result.figures))
    _say("  " + _counts(importer.SAMPLE_IMPORTERS.name, result.importers))


def cmd_import_figures(args: argparse.Namespace) -> None:
    """Upsert Center figures from a CSV file."""
    source = (args.source or "").strip() or f"CBP data ({args.file.name})"
    result = importer.import_figures(args.file, source)
    _say(f"{_counts(args.file.name, result)} (source: {source})")


def cmd_import_importers(args: argparse.Namespace) -> None:
    """Upsert importers from a CSV file."""
    _say(_counts(args.file.name, importer.import_importers(args.file)))


def cmd_export_requests(args: argparse.Namespace) -> None:
    """Export requests to a CSV file."""
    count = importer.export_requests(args.file, args.kind, args.since)
    if str(args.file) != "-":
        _say(f"{args.file}: {count} request{'s' if count != 1 else ''} exported.")


def cmd_set_status(args: argparse.Namespace) -> None:
    """Change the status of a request."""
    before = store.get_request(args.ref)
    if before is None:
        raise CommandError(f"No request has the reference {args.ref.strip().upper()}; check it and try again.")
    record = store.set_status(args.ref, args.status, args.note)
    note = f" (note: {args.note.strip()})" if args.note and args.note.strip() else ""
    _say(f"{record.ref}: {before.status} -> {record.status}{note}")


def cmd_purge_conversations(args: argparse.Namespace) -> None:
    """Delete the conversations whose last message is older than the retention period."""
    settings = load_settings()
    if args.tracker_store_url:
        settings = replace(settings, tracker_store_url=args.tracker_store_url)
    url = retention.tracker_store_url(settings)
    days = settings.retention_days if args.days is None else args.days
    count = retention.purge_conversations(url, days)
    plural = "" if count == 1 else "s"
    _say(f"{count} conversation{plural} older than {days} days deleted from {store.safe_url(url)}.")
    _say(f"{retention.purge_feedback(days)} feedback(s) on answers older than {days} days deleted.")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m bot.db``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.db",
        description="CEE Guide database tools for CBP staff: load Center figures and importers, export the "
        "requests made through the bot, and change their status.",
        epilog="The database is DATABASE_URL (environment or .env); without it, the SQLite file var/cee-guide.db.",
    )
    parser.add_argument("--database-url", metavar="URL", help="use this database instead of DATABASE_URL")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print progress messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="create the tables (safe to run again)", description=cmd_init.__doc__)
    init.set_defaults(func=cmd_init)

    seed = commands.add_parser(
        "seed",
        help="load the sample data into an empty database",
        description="Create the tables and, only when the database holds no figures and no importers yet, load "
        'knowledge/sample/figures.csv and knowledge/sample/importers.csv, labelled "sample data". '
        "Running it again does nothing.",
    )
    seed.set_defaults(func=cmd_seed)

    figures = commands.add_parser(
        "import-figures",
        help="insert or update Center figures from a CSV file",
        description="Insert or update Center figures by center_code + fiscal_year + quarter. The CSV header must be "
        f"exactly: {','.join(importer.FIGURE_COLUMNS)}. Fiscal years are federal (FY2026 = Oct 2025-Sep 2026, "
        "Q1 = Oct-Dec). Lines starting with # at the top are comments. One bad row rejects the whole file and "
        "nothing changes.",
    )
    figures.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file")
    figures.add_argument(
        "--source", metavar="TEXT", help='the source shown with these figures (default: "CBP data (FILE.csv)")'
    )
    figures.set_defaults(func=cmd_import_figures)

    importers = commands.add_parser(
        "import-importers",
        help="insert or update importers from a CSV file",
        description="Insert or update importers by IOR number. The CSV header must be exactly: "
        f"{','.join(importer.IMPORTER_COLUMNS)}. ior_number in any of the three formats (NN-NNNNNNNXX, "
        "YYDDPP-NNNNN, NNN-NN-NNNN; hyphens optional); partner_account yes or no; size small, mid or large. "
        "Lines starting with # at the top are comments. One bad row rejects the whole file and nothing changes.",
    )
    importers.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file")
    importers.set_defaults(func=cmd_import_importers)

    export = commands.add_parser(
        "export-requests",
        help="write the requests made through the bot to a CSV file",
        description="Write requests (oldest first) to a CSV file with the columns "
        f"{','.join(importer.EXPORT_COLUMNS)}. Social Security-format numbers are masked.",
    )
    export.add_argument("--kind", choices=REQUEST_KINDS, help="only requests of this kind")
    export.add_argument(
        "--since", type=_date, metavar="YYYY-MM-DD", help="only requests made on or after this day (UTC)"
    )
    export.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file to write (- for standard output)")
    export.set_defaults(func=cmd_export_requests)

    status = commands.add_parser(
        "set-status",
        help="change the status of a request",
        description="Change the status of a request and add the change to its history.",
    )
    status.add_argument("ref", metavar="REF", help="the reference, e.g. CR-2026-000123")
    status.add_argument("status", choices=REQUEST_STATUSES, metavar="STATUS", help="|".join(REQUEST_STATUSES))
    status.add_argument("--note", metavar="TEXT", help="a note kept with the change")
    status.set_defaults(func=cmd_set_status)

    purge = commands.add_parser(
        "purge-conversations",
        help="delete conversations older than the retention period",
        description="Delete from the tracker store (TRACKER_STORE_URL, else var/log/conversations.db) every "
        "conversation whose last message is older than RETENTION_DAYS days (default 90). Requests are not touched: "
        "they are kept until staff delete them. make run does this at every start.",
    )
    purge.add_argument("--days", type=int, metavar="N", help="keep N days instead of RETENTION_DAYS (at least 1)")
    purge.add_argument("--tracker-store-url", metavar="URL", help="use this tracker store instead")
    purge.set_defaults(func=cmd_purge_conversations)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """Run one command. Returns the exit code."""
    args = build_parser().parse_args(argv)
    install_log_masking()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    handler: Callable[[argparse.Namespace], None] = args.func
    try:
        handler(args)
        return 0
    except (
        CommandError,
        importer.ImportFileError,
        store.DatabaseUnavailable,
        store.UnknownRequest,
        retention.RetentionError,
    ) as exc:
        message = str(exc)
    except ValueError as exc:  # e.g. a KnowledgeError in knowledge/
        message = f"error: {exc}"
    except Exception as exc:  # a database constraint or a bug: one line, no traceback, nothing half-done
        logger.info("command failed", exc_info=True)
        message = f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        store.dispose_engines()
    print(mask_text(message), file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())

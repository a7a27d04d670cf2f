"""Read CBP staff's CSV files into the database, seed the sample data, and export requests.

Every row of a file is checked before anything is written; the first bad row stops the whole file with an
:class:`ImportFileError` that names the file, line and column, and the database is left as it was. The writes
themselves go through :mod:`bot.db.store`, in one transaction per file.

Lines starting with ``#`` at the top of a file are comments; they still count in line numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Optional, TypeVar

from bot.db import store
from bot.db.store import FigureInput, ImporterInput, RequestRecord, SeedResult, UpsertResult
from bot.fiscal import QUARTERS
from bot.ior import IorFormatError, IorNumber, mask_text, parse_ior
from bot.settings import KNOWLEDGE_DIR
from bot.vocab import METRICS, SIZES

logger = logging.getLogger(__name__)

FIGURE_COLUMNS = ("center_code", "fiscal_year", "quarter", *METRICS)
IMPORTER_COLUMNS = ("ior_number", "name", "center_code", "primary_hts_chapter", "partner_account", "size")
EXPORT_COLUMNS = ("ref", "kind", "status", "created_at", "updated_at", "contact_email", "details", "history")
SAMPLE_DIR = KNOWLEDGE_DIR / "sample"
SAMPLE_FIGURES = SAMPLE_DIR / "figures.csv"
SAMPLE_IMPORTERS = SAMPLE_DIR / "importers.csv"
YES_NO = {"yes": True, "no": False}
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100
MAX_NAME = 200
T = TypeVar("T")


class ImportFileError(ValueError):
    """A mistake in an import file, with its location. The message never shows an SSN-format number in full."""

    def __init__(self, file: str, line: Optional[int], column: Optional[str], message: str) -> None:
        where = file + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(mask_text(f"{where}: {message}"))
        self.file, self.line, self.column = file, line, column


# -- reading CSV -------------------------------------------------------------------------------------------------------
def read_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows of a CSV file as ``(line number, {column: stripped value})``.

    Leading ``#`` comment lines are skipped; the next line is the header, which must hold exactly ``columns`` (in
    any order). Empty lines are skipped.

    Raises:
        ImportFileError: the file cannot be read, the header is wrong, or a row has too few or too many values.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(name, None, None, "no such file") from None
    except UnicodeDecodeError as exc:
        line = text_line(path.read_bytes(), exc.start)
        raise ImportFileError(name, line, None, "the file is not UTF-8 text (save it as CSV UTF-8)") from None
    except OSError as exc:
        raise ImportFileError(name, None, None, f"cannot read the file ({exc.strerror})") from None

    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
        skipped += 1
    reader = csv.reader(iter(lines[skipped:]), strict=True)
    expected = ",".join(columns)
    try:
        header = next(reader, None)
        header_line = skipped + reader.line_num
        if header is None:
            raise ImportFileError(name, header_line or None, None, f"the file is empty; the header must be: {expected}")
        header = [h.strip() for h in header]
        for index, column in enumerate(header, start=1):
            if column not in columns:
                label = column or f"{index} (empty name)"
                raise ImportFileError(name, header_line, label, f"unknown column; the header must be: {expected}")
            if header.count(column) > 1:
                raise ImportFileError(name, header_line, column, "this column appears twice")
        for column in columns:
            if column not in header:
                raise ImportFileError(name, header_line, column, f"missing column; the header must be: {expected}")
        previous = reader.line_num
        for values in reader:
            line = skipped + previous + 1
            previous = reader.line_num
            if not values or (all(not v.strip() for v in values) and len(values) <= 1):
                continue
            if len(values) < len(header):
                raise ImportFileError(name, line, header[len(values)], "missing value (the row has too few values)")
            if len(values) > len(header):
                raise ImportFileError(name, line, None, f"the row has {len(values)} values for {len(header)} columns")
            yield line, {column: value.strip() for column, value in zip(header, values)}
    except csv.Error as exc:
        raise ImportFileError(name, skipped + reader.line_num, None, f"this is not valid CSV ({exc})") from None


def text_line(data: bytes, offset: int) -> int:
    """The 1-based line number of a byte offset."""
    return data[:offset].count(b"\n") + 1


def _field(file: str, line: int, column: str, parse: Callable[[str], T], value: str) -> T:
    """Parse one value, turning a ``ValueError`` into an :class:`ImportFileError` at its place."""
    if value == "":
        raise ImportFileError(file, line, column, "missing value")
    try:
        return parse(value)
    except ValueError as exc:
        raise ImportFileError(file, line, column, str(exc)) from None


def _count(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValueError(f"'{value}' is not a whole number")
    number = int(value)
    if number < 0:
        raise ValueError(f"{number} is negative; counts must be 0 or more")
    return number


def _fiscal_year(value: str) -> int:
    if not re.fullmatch(r"\d{4}", value) or not FIRST_FISCAL_YEAR <= int(value) <= LAST_FISCAL_YEAR:
        raise ValueError(f"'{value}' is not a fiscal year (e.g. 2026)")
    return int(value)


def _quarter(value: str) -> int:
    if value.upper().lstrip("Q") not in {str(quarter) for quarter in QUARTERS}:
        raise ValueError(f"'{value}' is not a quarter; use 1, 2, 3 or 4")
    return int(value.upper().lstrip("Q"))


def _center_parser(codes: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        code = value.upper()
        if code not in codes:
            raise ValueError(f"unknown Center code '{value}'; use one of {codes[0]} to {codes[-1]}")
        return code

    return parse


def _known_centers() -> list[str]:
    from bot.knowledge import knowledge

    return sorted(c.code for c in knowledge().centers)


def _known_chapters() -> list[str]:
    from bot.knowledge import knowledge

    return sorted(knowledge().chapters)


def parse_figures(path: Path) -> list[FigureInput]:
    """Read and check a figures CSV file (columns :data:`FIGURE_COLUMNS`).

    Raises:
        ImportFileError: at the first mistake, including the same Center and quarter twice.
    """
    file, center = str(path), _center_parser(_known_centers())
    rows: list[FigureInput] = []
    seen: dict[tuple[str, int, int], int] = {}
    for line, row in read_rows(path, FIGURE_COLUMNS):
        item = FigureInput(
            center_code=_field(file, line, "center_code", center, row["center_code"]),
            fiscal_year=_field(file, line, "fiscal_year", _fiscal_year, row["fiscal_year"]),
            quarter=_field(file, line, "quarter", _quarter, row["quarter"]),
            **{metric: _field(file, line, metric, _count, row[metric]) for metric in METRICS},
        )
        if item.partner_accounts > item.importers:
            raise ImportFileError(file, line, "partner_accounts", "there are more partner accounts than importers")
        key = (item.center_code, item.fiscal_year, item.quarter)
        if key in seen:
            raise ImportFileError(file, line, "quarter", f"{key[0]} FY{key[1]} Q{key[2]} is also on line {seen[key]}")
        seen[key] = line
        rows.append(item)
    return rows


def _parse_ior(value: str) -> IorNumber:
    try:
        return parse_ior(value)
    except IorFormatError:
        # the value itself is not repeated: it may be a mistyped Social Security number
        raise ValueError(
            "not an importer of record number; use NN-NNNNNNNXX (employer number, e.g. 12-3456789AB), "
            "YYDDPP-NNNNN (CBP-assigned, e.g. 232704-00123) or NNN-NN-NNNN (Social Security number)"
        ) from None


def _name(value: str) -> str:
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise ValueError(f"the name is longer than {MAX_NAME} characters")
    return name


def _chapter_parser(chapters: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        chapter = value.zfill(2)
        if not re.fullmatch(r"\d{2}", chapter) or chapter not in chapters:
            raise ValueError(f"'{value}' is not an HTS chapter (01 to 97)")
        return chapter

    return parse


def _yes_no(value: str) -> bool:
    if value.lower() not in YES_NO:
        raise ValueError(f"'{value}' must be yes or no")
    return YES_NO[value.lower()]


def _size(value: str) -> str:
    if value.lower() not in SIZES:
        raise ValueError(f"'{value}' is not a size; use {', '.join(SIZES)}")
    return value.lower()


def parse_importers(path: Path) -> list[ImporterInput]:
    """Read and check an importers CSV file (columns :data:`IMPORTER_COLUMNS`).

    Raises:
        ImportFileError: at the first mistake, including the same IOR number twice.
    """
    file, center, chapter = str(path), _center_parser(_known_centers()), _chapter_parser(_known_chapters())
    rows: list[ImporterInput] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, IMPORTER_COLUMNS):
        item = ImporterInput(
            ior=_field(file, line, "ior_number", _parse_ior, row["ior_number"]),
            name=_field(file, line, "name", _name, row["name"]),
            center_code=_field(file, line, "center_code", center, row["center_code"]),
            primary_hts_chapter=_field(file, line, "primary_hts_chapter", chapter, row["primary_hts_chapter"]),
            partner_account=_field(file, line, "partner_account", _yes_no, row["partner_account"]),
            size=_field(file, line, "size", _size, row["size"]),
        )
        if item.ior.key in seen:
            raise ImportFileError(file, line, "ior_number", f"{item.ior.display} is also on line {seen[item.ior.key]}")
        seen[item.ior.key] = line
        rows.append(item)
    return rows


# -- commands ----------------------------------------------------------------------------------------------------------
def import_figures(path: Path, source: Optional[str] = None) -> UpsertResult:
    """Check a figures file and upsert it in one transaction (creating the tables first if needed).

    Args:
        path: the CSV file.
        source: the label shown with the figures; default ``CBP data (<file name>)``.

    Raises:
        ImportFileError: a bad row; nothing was changed.
        store.DatabaseUnavailable: the database cannot be reached; nothing was changed.
    """
    rows = parse_figures(path)
    store.init_db()
    return store.upsert_figures(rows, (source or "").strip() or f"CBP data ({path.name})")


def import_importers(path: Path) -> UpsertResult:
    """Check an importers file and upsert it in one transaction (errors as in :func:`import_figures`)."""
    rows = parse_importers(path)
    store.init_db()
    return store.upsert_importers(rows, f"CBP data ({path.name})")


def seed_sample_data(
    figures_path: Path = SAMPLE_FIGURES, importers_path: Path = SAMPLE_IMPORTERS
) -> Optional[SeedResult]:
    """Create the tables and, on an empty database only, load the sample figures and importers ("sample data").

    Returns:
        What was loaded, or None when the database already held data (then nothing is changed).
    """
    store.init_db()
    if not store.is_empty():
        return None
    return store.seed(parse_figures(figures_path), parse_importers(importers_path), store.SAMPLE_SOURCE)


def _history(record: RequestRecord) -> str:
    steps = []
    for event in record.history:
        step = f"{event.at.isoformat(timespec='seconds')} {event.status}"
        steps.append(step + (f" ({event.note})" if event.note else ""))
    return "; ".join(steps)


def write_requests_csv(records: Sequence[RequestRecord], out: IO[str]) -> int:
    """Write requests as CSV (columns :data:`EXPORT_COLUMNS`), cells made safe by :func:`safe_cell`. Returns a count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        row = (
            record.ref,
            record.kind,
            record.status,
            record.created_at.isoformat(timespec="seconds"),
            record.updated_at.isoformat(timespec="seconds"),
            record.contact_email,
            json.dumps(record.details, sort_keys=True, ensure_ascii=False),
            _history(record),
        )
        writer.writerow([safe_cell(str(value)) for value in row])
    return len(records)


# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A CSV cell for staff: SSN-format numbers masked, and a leading formula character neutralised with ``'``."""
    text = mask_text(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_requests(path: Path, kind: Optional[str] = None, since: Optional[dt.date] = None) -> int:
    """Export requests to a CSV file (``-`` for standard output). Returns how many were written."""
    records = store.export_requests(kind, since)
    if str(path) == "-":
        buffer = io.StringIO()
        count = write_requests_csv(records, buffer)
        print(buffer.getvalue(), end="")
        return count
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        return write_requests_csv(records, handle)

"""Cells of the staff CSV exports made safe to open in a spreadsheet (no formula injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)`` can send
data elsewhere), and a leading tab or carriage return can hide such a start. Following OWASP's advice on CSV
injection, such a cell is written with a ``'`` in front, which spreadsheets show as text; a negative number is
prefixed too (exports hold text, not figures). Every other cell, e.g. an importer number starting with a digit,
is written as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.ior import mask_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """One export cell: SSN-format numbers masked, and a ``'`` in front of a cell a spreadsheet would run.

    Args:
        value: the cell's value (written as ``str(value)``).

    Returns:
        The text to write in the CSV file.
    """
    text = mask_text(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    """Every cell of a row through :func:`safe_cell`; the one way staff exports write a row."""
    return [safe_cell(value) for value in values]

"""U.S. federal fiscal quarters, as the figures are kept.

Fiscal years are U.S. federal fiscal years: FY2026 runs from October 2025 to September 2026 and its Q1 is
October-December 2025.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Optional


class Period(NamedTuple):
    """A U.S. federal fiscal quarter, e.g. ``Period(2026, 1)`` = October-December 2025."""

    fiscal_year: int
    quarter: int

    @classmethod
    def of(cls, day: dt.date) -> "Period":
        """The fiscal quarter a calendar day falls in."""
        fiscal_year = day.year + 1 if day.month >= 10 else day.year
        return cls(fiscal_year, (day.month - 10) % 12 // 3 + 1)

    @property
    def start(self) -> dt.date:
        """The first day of the quarter."""
        month = (self.quarter - 1) * 3 + 10
        year = self.fiscal_year - 1 if month <= 12 else self.fiscal_year
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> "Period":
        """The following quarter."""
        return Period(self.fiscal_year + 1, 1) if self.quarter == 4 else Period(self.fiscal_year, self.quarter + 1)

    def previous(self) -> "Period":
        """The quarter before."""
        return Period(self.fiscal_year - 1, 4) if self.quarter == 1 else Period(self.fiscal_year, self.quarter - 1)


def check_quarter(quarter: Optional[int]) -> None:
    """Refuse a quarter other than None or 1-4.

    Raises:
        ValueError: a quarter outside 1-4.
    """
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1, 2, 3 or 4")

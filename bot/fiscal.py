"""U.S. federal fiscal periods, as the figures are kept, and the words that name them.

Fiscal years are U.S. federal fiscal years: FY2026 runs from October 2025 to September 2026 and its Q1 is
October-December 2025. The words here are read by the NLU patterns (:mod:`bot.nlp`) and by :func:`parse_period`;
how a period is written to the user ("FY2026 Q1 (Oct–Dec 2025)") is in ``knowledge/replies/figures.yml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import NamedTuple, Optional

QUARTERS: tuple[int, ...] = (1, 2, 3, 4)
QUARTER_WORDS: tuple[str, ...] = tuple(f"q{quarter}" for quarter in QUARTERS)  # "q1" ... "q4"
# "first quarter", "3rd quarter": the quarter each ordinal names.
ORDINALS: dict[str, int] = {
    **dict(zip(("first", "second", "third", "fourth"), QUARTERS)),
    **dict(zip(("1st", "2nd", "3rd", "4th"), QUARTERS)),
}
# "last quarter", "this fiscal year": words for a period relative to the latest one loaded; BACK ones mean the one
# before it.
RELATIVE: tuple[str, ...] = ("last", "this", "previous", "latest", "current", "past", "most recent", "prior")
BACK: tuple[str, ...] = ("previous", "prior")
RELATIVE_UNITS: tuple[str, ...] = ("quarter", "fiscal year", "year")
# The English words another language's period words stand for (``knowledge/es/words.yml``): the units, "of", the
# prefixes of "FY2025" and "Q3", the ordinals and the relative words; and "the", which a language may ask a quarter
# written alone to follow ("el T3": a lone "T1" may be English).
PERIOD_WORDS: tuple[str, ...] = (*RELATIVE_UNITS, "of", "fy", "q", *ORDINALS, *RELATIVE, "the")

_RELATIVE = re.compile(rf"\b({'|'.join(RELATIVE)})\b")
_YEAR = re.compile(r"(?:fy\s*-?|fiscal year\s*|\b)(\d{4}|\d{2})\b")
_QUARTER = re.compile(r"\bq\s*([1-4])\b|quarter\s*([1-4])\b")


class Period(NamedTuple):
    """A U.S. federal fiscal quarter, e.g. ``Period(2026, 1)`` = October-December 2025."""

    fiscal_year: int
    quarter: int

    @classmethod
    def of(cls, day: dt.date) -> Period:
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

    def next(self) -> Period:
        """The following quarter."""
        return Period(self.fiscal_year + 1, 1) if self.quarter == 4 else Period(self.fiscal_year, self.quarter + 1)

    def previous(self) -> Period:
        """The quarter before."""
        return Period(self.fiscal_year - 1, 4) if self.quarter == 1 else Period(self.fiscal_year, self.quarter - 1)


def check_quarter(quarter: Optional[int]) -> None:
    """Refuse a quarter other than None or 1-4.

    Raises:
        ValueError: a quarter outside 1-4.
    """
    if quarter is not None and quarter not in QUARTERS:
        raise ValueError("quarter must be 1, 2, 3 or 4")


def in_english(text: str, words: Optional[Mapping[str, str]]) -> str:
    """``text`` (lower case) with another language's period words replaced by the English ones they stand for
    ("t3 del af2025" → "q3 of fy2025"; ``words``: phrase → English word, see :data:`PERIOD_WORDS`).
    """
    if not words:
        return text
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.sub(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", lambda m: words[m.group()], text)


def parse_period(
    text: Optional[str], latest: Optional[Period], words: Optional[Mapping[str, str]] = None
) -> tuple[Optional[int], Optional[int]]:
    """A fiscal year and quarter from words such as "Q3 FY2025", "fiscal year 2024" or "last quarter", or the same
    in another language ("T3 del AF2025", "el trimestre pasado").

    Args:
        text: the period as the user wrote it (None: the latest period).
        latest: the latest quarter with data, for relative periods.
        words: another language's period words and the English word each stands for (``Knowledge.period_words``).

    Returns:
        ``(fiscal_year, quarter)``; either may be None (see :func:`bot.db.store.figure` for what that means).
    """
    if not text:
        return None, None
    t = in_english(text.lower(), words)
    relative = _RELATIVE.search(t)
    if relative and latest:
        back = relative.group(1) in BACK
        if "quarter" in t:
            period = latest.previous() if back else latest
            return period.fiscal_year, period.quarter
        return (latest.fiscal_year - 1 if back else latest.fiscal_year), None
    year = _YEAR.search(t)
    fiscal_year = None
    if year:
        fiscal_year = int(year.group(1))
        fiscal_year += 2000 if fiscal_year < 100 else 0
    quarter_match = _QUARTER.search(t)
    quarter = int(next(g for g in quarter_match.groups() if g)) if quarter_match else None
    for word, number in sorted(ORDINALS.items(), key=lambda item: item[1]):  # the latest quarter named wins
        if re.search(rf"\b{word}\s+quarter", t):
            quarter = number
    return fiscal_year, quarter

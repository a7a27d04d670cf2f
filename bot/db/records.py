"""The plain, frozen records the database layer returns and takes: never ORM objects, so callers hold no session.

The fiscal quarters themselves are :class:`bot.fiscal.Period`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from bot.ior import IorNumber, mask_text
from bot.vocab import METRICS


def check_metric(metric: str) -> None:
    """Refuse a metric that is not one of :data:`bot.vocab.METRICS`.

    Raises:
        ValueError: an unknown metric.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")


@dataclass(frozen=True)
class ImporterRecord:
    """An importer of record and its Center."""

    ior: IorNumber
    name: str
    center_code: str
    primary_hts_chapter: str
    partner_account: bool
    size: str
    updated_at: dt.datetime
    source: str = ""


@dataclass(frozen=True)
class FigureRecord:
    """One Center's value of one metric for a quarter, or for a fiscal year made from the quarters loaded.

    Attributes:
        quarter: the quarter, or None for a fiscal-year value.
        quarters: how many quarters of the year are loaded and used (1 for a quarter).
        last_quarter: the latest quarter used (the quarter itself for a quarterly value).
        aggregate: ``"quarter"`` for a quarterly value; for a fiscal year ``"sum"`` (entries, post-entry actions:
            the total of the quarters) or ``"latest"`` (importers, partner accounts, staff: the value in the latest
            quarter loaded, since adding up head counts would count the same accounts several times).
        source: where the data came from, e.g. ``sample data`` or ``CBP data (figures.csv)``; several sources are
            joined with ``; ``.
    """

    center_code: str
    metric: str
    value: int
    fiscal_year: int
    quarter: Optional[int]
    quarters: int
    last_quarter: int
    aggregate: str
    source: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class TotalRecord:
    """A metric added up across the Centers that have data for the period."""

    metric: str
    value: int
    fiscal_year: int
    quarter: Optional[int]
    centers: int
    quarters: int
    aggregate: str
    source: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class RequestEvent:
    """One step of a request's status history."""

    status: str
    at: dt.datetime
    note: Optional[str]


@dataclass(frozen=True)
class RequestRecord:
    """A stored request.

    Attributes:
        created: True only when :func:`create_request` stored it in this call (False when it returned the request
            already stored under the same idempotency key).
    """

    ref: str
    kind: str
    status: str
    details: dict[str, Any]
    contact_email: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: tuple[RequestEvent, ...]
    idempotency_key: Optional[str] = None
    created: bool = False

    def __repr__(self) -> str:  # the details may hold an SSN-format IOR key: never show it in full
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__dataclass_fields__)
        return mask_text(f"RequestRecord({fields})")

    __str__ = __repr__


@dataclass(frozen=True)
class FigureInput:
    """One row of a figures import, already validated."""

    center_code: str
    fiscal_year: int
    quarter: int
    importers: int
    partner_accounts: int
    entries: int
    post_entry_actions: int
    staff: int


@dataclass(frozen=True)
class ImporterInput:
    """One row of an importers import, already validated."""

    ior: IorNumber
    name: str
    center_code: str
    primary_hts_chapter: str
    partner_account: bool
    size: str


@dataclass(frozen=True)
class UpsertResult:
    """What an import did."""

    inserted: int
    updated: int
    unchanged: int = 0


@dataclass(frozen=True)
class SeedResult:
    """What seeding a database with the sample data did."""

    figures: UpsertResult
    importers: UpsertResult


@dataclass(frozen=True)
class FeedbackRecord:
    """A "helpful" or "not helpful" given on one answer; ``question`` is masked."""

    sender_id: str
    channel: str
    answer_id: str
    helpful: bool
    question: str
    created_at: dt.datetime

"""SQLAlchemy tables of the CEE Guide database: Centers, importers, Center figures, the trade's requests and the
feedback given on answers.

The models are declarative (SQLAlchemy 1.4 with the 2.0-style API). Only the modules behind :mod:`bot.db.store` open
sessions on them (through :func:`bot.db.engine.session_scope`); everything else reads plain records from the store.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.fiscal import QUARTERS
from bot.vocab import METRICS, REQUEST_KINDS, SIZES

logger = logging.getLogger(__name__)

Base: Any = declarative_base()

IOR_KINDS = ("ein", "ssn", "cbp")
REQUEST_STATUSES = ("submitted", "under_review", "closed")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def _in(column: str, values: tuple) -> str:
    """A CHECK clause: ``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        """The timestamp to store, in UTC.

        Raises:
            ValueError: a naive timestamp.
        """
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        """The stored timestamp, timezone-aware in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class CenterRow(Base):
    """One of the ten Centers (copied from ``knowledge/centers.yml`` by ``init``)."""

    __tablename__ = "centers"

    code = Column(String(6), primary_key=True)
    name = Column(String(100), nullable=False)
    city = Column(String(100), nullable=False)


class ImporterRow(Base):
    """An importer of record and the Center it is assigned to."""

    __tablename__ = "importers"
    __table_args__ = (
        CheckConstraint(_in("ior_kind", IOR_KINDS), name="ck_importers_ior_kind"),
        CheckConstraint(_in("size", SIZES), name="ck_importers_size"),
        CheckConstraint("length(primary_hts_chapter) = 2", name="ck_importers_chapter"),
    )

    id = Column(Integer, primary_key=True)
    ior_key = Column(String(16), nullable=False, unique=True)  # bot.ior key: upper case, no hyphens
    ior_kind = Column(String(3), nullable=False)
    name = Column(String(200), nullable=False)
    center_code = Column(String(6), ForeignKey("centers.code"), nullable=False, index=True)
    primary_hts_chapter = Column(String(2), nullable=False)
    partner_account = Column(Boolean, nullable=False, default=False)
    size = Column(String(5), nullable=False)
    source = Column(String(200), nullable=False, default="")  # e.g. "sample data" or "CBP data (importers.csv)"
    updated_at = Column(UtcDateTime, nullable=False, default=utcnow)


class FigureRow(Base):
    """A Center's figures for one fiscal quarter."""

    __tablename__ = "figures"
    __table_args__ = (
        UniqueConstraint("center_code", "fiscal_year", "quarter", name="uq_figures_period"),
        CheckConstraint(f"quarter BETWEEN {QUARTERS[0]} AND {QUARTERS[-1]}", name="ck_figures_quarter"),
        *(CheckConstraint(f"{metric} >= 0", name=f"ck_figures_{metric}") for metric in METRICS),
    )

    id = Column(Integer, primary_key=True)
    center_code = Column(String(6), ForeignKey("centers.code"), nullable=False)
    fiscal_year = Column(Integer, nullable=False)
    quarter = Column(Integer, nullable=False)
    importers = Column(Integer, nullable=False)
    partner_accounts = Column(Integer, nullable=False)
    entries = Column(Integer, nullable=False)
    post_entry_actions = Column(Integer, nullable=False)
    staff = Column(Integer, nullable=False)
    source = Column(String(200), nullable=False)  # "sample data" or "CBP data (<file name>)"
    loaded_at = Column(UtcDateTime, nullable=False, default=utcnow)


class RequestRow(Base):
    """A request made through the bot: a change of Center, outreach calls or an on-site visit."""

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("kind", "year", "sequence", name="uq_requests_sequence"),
        CheckConstraint(_in("kind", REQUEST_KINDS), name="ck_requests_kind"),
        CheckConstraint(_in("status", REQUEST_STATUSES), name="ck_requests_status"),
    )

    id = Column(Integer, primary_key=True)
    ref = Column(String(20), nullable=False, unique=True)  # CR-2026-000123
    kind = Column(String(20), nullable=False)
    year = Column(Integer, nullable=False)
    sequence = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False, default="submitted")
    details = Column(Text, nullable=False)  # JSON: the form's answers
    contact_email = Column(String(254), nullable=False)
    idempotency_key = Column(String(200), unique=True, nullable=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    updated_at = Column(UtcDateTime, nullable=False, default=utcnow)

    events: list[RequestEventRow] = relationship(
        "RequestEventRow", order_by="RequestEventRow.id", cascade="all, delete-orphan", back_populates="request"
    )


class RequestEventRow(Base):
    """One step of a request's status history."""

    __tablename__ = "request_events"
    __table_args__ = (CheckConstraint(_in("status", REQUEST_STATUSES), name="ck_request_events_status"),)

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(20), nullable=False)
    at = Column(UtcDateTime, nullable=False, default=utcnow)
    note = Column(Text, nullable=True)

    request: RequestRow = relationship("RequestRow", back_populates="events")


class FeedbackRow(Base):
    """A "helpful" or "not helpful" given on one answer (the question is stored masked)."""

    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)  # the conversation (the tracker store's sender id)
    channel = Column(String(40), nullable=False)  # socketio, slack, rest, cmdline
    answer_id = Column(String(200), nullable=False, index=True)  # the knowledge id: FAQ article or reply name
    helpful = Column(Boolean, nullable=False)
    question = Column(Text, nullable=False, default="")  # the user's message the answer replied to, masked
    created_at = Column(UtcDateTime, nullable=False, default=utcnow, index=True)

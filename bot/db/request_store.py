"""The request store: the trade's requests (change of Center, outreach call, site visit) and their status history.

Requests are numbered per kind and calendar year (``CR-2026-000123``); a request confirmed twice (the same
idempotency key) is stored once, also when two processes confirm it at the same moment.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.db.engine import DatabaseUnavailable, session_scope
from bot.db.models import REQUEST_STATUSES, RequestEventRow, RequestRow, utcnow
from bot.db.records import RequestEvent, RequestRecord
from bot.vocab import REF_PREFIXES, REQUEST_KINDS

logger = logging.getLogger(__name__)

_RETRIES = 10
_ADVISORY_LOCK = 0x43454547  # "CEEG": PostgreSQL advisory lock keys for request numbering, one per kind


class UnknownRequest(LookupError):
    """No request has this reference."""


def _request_record(row: RequestRow, created: bool = False) -> RequestRecord:
    """The frozen record of a request row and its history (the row's events must be loaded)."""
    return RequestRecord(
        ref=row.ref,
        kind=row.kind,
        status=row.status,
        details=json.loads(row.details),
        contact_email=row.contact_email,
        created_at=row.created_at,
        updated_at=row.updated_at,
        history=tuple(RequestEvent(e.status, e.at, e.note) for e in row.events),
        idempotency_key=row.idempotency_key,
        created=created,
    )


def _normalise_ref(ref: str) -> str:
    """A reference as stored: no spaces, upper case."""
    return "".join((ref or "").split()).upper()


def _lock_numbering(session: Session, kind: str) -> None:
    """Let one transaction at a time number requests of a kind (SQLite: the write transaction already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK + REQUEST_KINDS.index(kind))))


def create_request(
    kind: str, details: Mapping[str, Any], contact_email: str, idempotency_key: Optional[str] = None
) -> RequestRecord:
    """Store a request and give it a reference such as ``CR-2026-000123``.

    The reference is the kind's prefix (change_center CR, outreach_call OC, site_visit SV), the calendar year (UTC)
    and a 6-digit sequence per kind and year.

    Args:
        kind: change_center, outreach_call or site_visit.
        details: the form's answers (JSON-serialisable). An SSN-format IOR should be stored as its key only.
        contact_email: where CBP answers.
        idempotency_key: e.g. the conversation id and the confirmation's message id. When a request with this key
            exists, it is returned (with ``created=False``) instead of storing a second one; this holds also for
            two processes confirming at the same moment.

    Raises:
        ValueError: unknown kind, details not a mapping, or an empty email.
        TypeError: a value in details cannot be written as JSON.
        DatabaseUnavailable: the database cannot be reached.
    """
    if kind not in REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}; use one of {', '.join(REQUEST_KINDS)}")
    if not isinstance(details, Mapping):
        raise ValueError("details must be a mapping of the form's answers")
    if not (contact_email or "").strip():
        raise ValueError("a contact email is required")
    details_json = json.dumps(dict(details), sort_keys=True, ensure_ascii=False)
    last_error: Optional[IntegrityError] = None
    for _attempt in range(_RETRIES):
        try:
            with session_scope(write=True) as session:
                _lock_numbering(session, kind)
                if idempotency_key:
                    found = session.scalars(
                        select(RequestRow)
                        .options(selectinload(RequestRow.events))
                        .where(RequestRow.idempotency_key == idempotency_key)
                    ).first()
                    if found:
                        return _request_record(found)
                now = utcnow()
                latest = session.scalar(
                    select(func.max(RequestRow.sequence)).where(RequestRow.kind == kind, RequestRow.year == now.year)
                )
                sequence = int(latest or 0) + 1
                row = RequestRow(
                    ref=f"{REF_PREFIXES[kind]}-{now.year}-{sequence:06d}",
                    kind=kind,
                    year=now.year,
                    sequence=sequence,
                    status="submitted",
                    details=details_json,
                    contact_email=contact_email.strip(),
                    idempotency_key=idempotency_key or None,
                    created_at=now,
                    updated_at=now,
                    events=[RequestEventRow(status="submitted", at=now, note=None)],
                )
                session.add(row)
                session.flush()
                record = _request_record(row, created=True)
            logger.info("request %s stored", record.ref)
            return record
        except IntegrityError as exc:  # the same key or the same sequence number was taken meanwhile: look again
            last_error = exc
    raise DatabaseUnavailable("could not store the request: the reference numbers are busy") from last_error


def get_request(ref: str) -> Optional[RequestRecord]:
    """The request with this reference (any letter case, spaces ignored), or None."""
    with session_scope() as session:
        row = session.scalars(
            select(RequestRow).options(selectinload(RequestRow.events)).where(RequestRow.ref == _normalise_ref(ref))
        ).first()
        return _request_record(row) if row else None


def set_status(ref: str, status: str, note: Optional[str] = None) -> RequestRecord:
    """Change a request's status and add the change to its history.

    Raises:
        ValueError: the status is not submitted, under_review or closed.
        UnknownRequest: no request has this reference.
    """
    if status not in REQUEST_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(REQUEST_STATUSES)}")
    with session_scope(write=True) as session:
        row = session.scalars(
            select(RequestRow).options(selectinload(RequestRow.events)).where(RequestRow.ref == _normalise_ref(ref))
        ).first()
        if row is None:
            raise UnknownRequest(_normalise_ref(ref))
        now = utcnow()
        row.status, row.updated_at = status, now
        row.events.append(RequestEventRow(status=status, at=now, note=(note or "").strip() or None))
        session.flush()
        return _request_record(row)


def export_requests(kind: Optional[str] = None, since: Optional[dt.date] = None) -> list[RequestRecord]:
    """Requests, oldest first, optionally of one kind and created on or after a day (UTC).

    The records hold the details as stored; anything printed from them must be masked (``bot.ior.mask_text``).
    """
    if kind is not None and kind not in REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}; use one of {', '.join(REQUEST_KINDS)}")
    stmt = select(RequestRow).options(selectinload(RequestRow.events))
    if kind:
        stmt = stmt.where(RequestRow.kind == kind)
    if since:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc)
        stmt = stmt.where(RequestRow.created_at >= start)
    with session_scope() as session:
        return [_request_record(row) for row in session.scalars(stmt.order_by(RequestRow.created_at, RequestRow.id))]

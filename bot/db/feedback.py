"""Feedback on answers: "helpful" or "not helpful" on one answer of a conversation, kept for the staff report.

The question an answer replied to is stored masked (:func:`bot.ior.mask_text`) and cut to :data:`MAX_QUESTION`
characters; feedback is deleted with its conversation's retention (:func:`delete_feedback_before`).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import delete, select

from bot.db.engine import session_scope
from bot.db.models import FeedbackRow, utcnow
from bot.db.records import FeedbackRecord
from bot.ior import mask_text

MAX_QUESTION = 500
MAX_ANSWER_ID = 200


def _record(row: FeedbackRow) -> FeedbackRecord:
    """The frozen record of a feedback row."""
    return FeedbackRecord(row.sender_id, row.channel, row.answer_id, row.helpful, row.question, row.created_at)


def record_feedback(
    sender_id: str, channel: str, answer_id: str, helpful: bool, question: str = "", at: Optional[dt.datetime] = None
) -> FeedbackRecord:
    """Store one feedback; the question is masked and cut to :data:`MAX_QUESTION` characters.

    Raises:
        ValueError: an empty sender or answer id, or an answer id longer than :data:`MAX_ANSWER_ID`.
        DatabaseUnavailable: the database cannot be reached.
    """
    if not sender_id or not answer_id or len(answer_id) > MAX_ANSWER_ID:
        raise ValueError("feedback needs a sender id and an answer id of at most 200 characters")
    row = FeedbackRow(
        sender_id=sender_id[:255],
        channel=channel[:40],
        answer_id=answer_id,
        helpful=helpful,
        question=mask_text(question or "")[:MAX_QUESTION],
        created_at=at or utcnow(),
    )
    with session_scope(write=True) as session:
        session.add(row)
        session.flush()
        return _record(row)


def feedback_between(since: dt.datetime, until: Optional[dt.datetime] = None) -> tuple[FeedbackRecord, ...]:
    """The feedback given from ``since`` (inclusive) to ``until`` (exclusive; now when None), oldest first.

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    query = select(FeedbackRow).where(FeedbackRow.created_at >= since)
    if until is not None:
        query = query.where(FeedbackRow.created_at < until)
    with session_scope() as session:
        return tuple(_record(row) for row in session.scalars(query.order_by(FeedbackRow.id)))


def delete_feedback_before(cutoff: dt.datetime) -> int:
    """Delete the feedback older than ``cutoff``; how many were deleted.

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    with session_scope(write=True) as session:
        return session.execute(delete(FeedbackRow).where(FeedbackRow.created_at < cutoff)).rowcount or 0

"""What the report reads from the bot's database, through :mod:`bot.db.store` only: requests and feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.db import store

CENTER_KEYS = ("requested_center", "center")  # a change of Center counts for the Center asked for


def request_rows(since: dt.datetime, until: dt.datetime) -> list[tuple[str, str, str]]:
    """``(kind, Center code, status)`` of the requests stored from ``since`` to ``until`` (UTC).

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    found = []
    for record in store.export_requests(since=since.date()):
        created = record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=dt.timezone.utc)
        if since <= created < until:
            center = next((str(record.details[k]) for k in CENTER_KEYS if record.details.get(k)), "(none)")
            found.append((record.kind, center, record.status))
    return found


def feedback(since: dt.datetime, until: dt.datetime) -> Sequence[store.FeedbackRecord]:
    """The feedback given from ``since`` to ``until`` (UTC), oldest first.

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    return store.feedback_between(since, until)

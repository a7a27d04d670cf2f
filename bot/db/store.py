"""The public surface of the CEE Guide database: everything outside :mod:`bot.db` reads and writes through here.

Callers write ``from bot.db import store`` and call ``store.figure(...)``, ``store.create_request(...)``; the functions
return plain frozen records (never ORM objects), so callers never hold a session. Any failure to reach the database
is raised as :class:`DatabaseUnavailable`. The functions block; async actions should run them off the event loop
(``asyncio.to_thread`` or ``loop.run_in_executor``).

Where each thing lives:

* :mod:`bot.db.engine`: the engine, sessions and table creation (``init_db``);
* :mod:`bot.db.records`: the frozen records (the fiscal quarter, :class:`Period`, is :mod:`bot.fiscal`'s);
* :mod:`bot.db.queries` (with :mod:`bot.db.aggregate`): reads of Centers, importers and figures;
* :mod:`bot.db.upserts`: imports of figures and importers, and seeding;
* :mod:`bot.db.request_store`: the trade's requests and their status history;
* :mod:`bot.db.feedback`: feedback on answers.
"""

from __future__ import annotations

from bot.db.engine import DatabaseUnavailable, database_url, dispose_engines, get_engine, init_db, safe_url
from bot.db.feedback import delete_feedback_before, feedback_between, record_feedback
from bot.db.queries import center_codes, count_importers, figure, find_importer, latest_period, ranking, series, totals
from bot.db.records import (
    FeedbackRecord,
    FigureInput,
    FigureRecord,
    ImporterInput,
    ImporterRecord,
    RequestEvent,
    RequestRecord,
    SeedResult,
    TotalRecord,
    UpsertResult,
)
from bot.db.request_store import (
    UnknownRequest,
    create_request,
    export_requests,
    get_request,
    set_status,
)
from bot.db.upserts import SAMPLE_SOURCE, is_empty, seed, upsert_figures, upsert_importers
from bot.fiscal import Period

__all__ = [
    "SAMPLE_SOURCE",
    "DatabaseUnavailable",
    "FeedbackRecord",
    "FigureInput",
    "FigureRecord",
    "ImporterInput",
    "ImporterRecord",
    "Period",
    "RequestEvent",
    "RequestRecord",
    "SeedResult",
    "TotalRecord",
    "UnknownRequest",
    "UpsertResult",
    "center_codes",
    "count_importers",
    "create_request",
    "database_url",
    "delete_feedback_before",
    "dispose_engines",
    "export_requests",
    "feedback_between",
    "figure",
    "find_importer",
    "get_engine",
    "get_request",
    "init_db",
    "is_empty",
    "latest_period",
    "ranking",
    "record_feedback",
    "safe_url",
    "seed",
    "series",
    "set_status",
    "totals",
    "upsert_figures",
    "upsert_importers",
]

"""The staff report as a page of the Rasa server, behind the HTTP API's token: ``GET /webhooks/staff/report``.

A small input channel (it takes no messages) registered in ``credentials.yml``, so that the page reads the running
server's own tracker store (its SQL engine) and the database (``DATABASE_URL``). Routes, each with ``?days=N`` (the
last N days, 30 when not given):

* ``/webhooks/staff/report``: the report page (:mod:`bot.insights.html`), its charts inline;
* ``/webhooks/staff/report/<table>.csv``: one table as CSV; ``/webhooks/staff/report/<table>.png``: its chart.

Every route needs ``RASA_API_TOKEN``, as ``Authorization: Bearer <token>`` or ``?token=<token>``: 401 without a
token, 403 with a wrong one, and 404 for every request when the server has no token set (the page does not exist).
A report is built in a worker thread, one at a time, and kept for :data:`CACHE_SECONDS` so that the page's CSV and
chart links do not build it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional
from urllib.parse import quote

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import has_api_token
from bot.insights import html, report
from bot.insights.sql import engine_of_store, has_events, missing_file, tracker_engine
from bot.retention import tracker_store_url
from bot.settings import Settings, load_settings

CACHE_SECONDS = 60.0
DEFAULT_DAYS = 30
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _error(status: int, message: str) -> HTTPResponse:
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return response.json({"error": status, "message": message}, status=status, headers={**HEADERS, **extra})


class StaffInput(InputChannel):
    """The staff report page (module doc); ``settings`` default to the environment's."""

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or load_settings()
        self._cache: dict[int, tuple[float, report.Report]] = {}
        self._lock: Optional[asyncio.Lock] = None

    @classmethod
    def name(cls) -> str:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> StaffInput:
        return cls()

    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """The answer to a request without the right token (module doc), or None for a staff request."""
        token = self.settings.rasa_api_token
        if not token:
            return _error(404, "not found")
        if has_api_token(request, token):
            return None
        sent = request.headers.get("authorization") or request.args.get("token")
        return _error(403, "wrong token") if sent else _error(401, "this page needs the API token")

    async def report_for(self, request: Request, days: int) -> report.Report:
        """The report of the last ``days`` days, built in a worker thread or taken from the cache."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            cached = self._cache.get(days)
            if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
                return cached[1]
            agent = getattr(request.app.ctx, "agent", None)
            store = getattr(agent, "tracker_store", None)
            built = await asyncio.to_thread(self._build, engine_of_store(store), days)
            self._cache = {days: (time.monotonic(), built)}
            return built

    def _build(self, engine: Any, days: int) -> report.Report:
        url = tracker_store_url(self.settings)
        owned = engine is None and not store_is_redis(self.settings) and not missing_file(url)
        if owned:  # the server keeps no SQL copy itself: the configured store, when there is one
            engine = tracker_engine(url)
        try:
            return report.build(engine if engine is not None and has_events(engine) else None, days)
        finally:
            if owned:
                engine.dispose()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        staff = Blueprint("staff_report", __name__)

        def days_of(request: Request) -> Optional[int]:
            try:
                days = int(request.args.get("days") or DEFAULT_DAYS)
            except ValueError:
                return None
            return days if 1 <= days <= report.MAX_DAYS else None

        @staff.route("/report", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            days = days_of(request)
            refused = self.refusal(request)
            if refused or days is None:
                return refused or _error(400, f"days must be a whole number from 1 to {report.MAX_DAYS}")
            built = await self.report_for(request, days)
            token = request.args.get("token")
            suffix = f"?days={days}" + (f"&token={quote(token)}" if token else "")
            body = html.render(built, html.data_url, lambda table: f"report/{table.name}.csv{suffix}")
            return response.html(body, headers=HEADERS)

        @staff.route("/report/<filename>", methods=["GET"])
        async def part(request: Request, filename: str) -> HTTPResponse:
            days = days_of(request)
            refused = self.refusal(request)
            if refused or days is None:
                return refused or _error(400, f"days must be a whole number from 1 to {report.MAX_DAYS}")
            name, _, kind = filename.rpartition(".")
            built = await self.report_for(request, days)
            table, chart = built.table(name), built.chart(name)
            if kind == "csv" and table is not None:
                disposition = {"Content-Disposition": f'attachment; filename="{table.name}.csv"'}
                return response.text(
                    table.csv(), content_type="text/csv; charset=utf-8", headers={**HEADERS, **disposition}
                )
            if kind == "png" and chart is not None:
                return response.raw(chart.png, content_type="image/png", headers=HEADERS)
            return _error(404, "no such table or chart in this report")

        return staff


def store_is_redis(settings: Settings) -> bool:
    """Whether the configured tracker store is Redis (no SQL to read)."""
    return (settings.tracker_store_url or "").startswith(("redis://", "rediss://"))

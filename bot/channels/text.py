"""The web chat's rich messages as text, for channels that cannot draw them (Slack, ``rasa shell``).

Actions send tables, lists, charts and downloads as custom JSON (``json_message={"type": "table", ...}``), usually
with a ``text`` that already says the essentials in words; the web widget draws them, and these functions give the
other channels a readable text instead of raw JSON (or a base64 image).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from bot import replies

MAX_DOWNLOAD_CHARS = 2900

_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")


def escape_mrkdwn(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped, as Slack wants them in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Markdown as the bot writes it (``[text](url)``, ``**bold**``) in Slack's mrkdwn, with ``&<>`` escaped."""
    text = escape_mrkdwn(text)
    text = _MD_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    return _MD_BOLD.sub(r"*\1*", text)


def _table_lines(columns: list[str], rows: list[list[str]]) -> list[str]:
    width = max([len(columns)] + [len(r) for r in rows])
    columns = columns + [""] * (width - len(columns))
    rows = [r + [""] * (width - len(r)) for r in rows]
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(width)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()] if any(columns) else []
    if lines:
        lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return lines


def custom_as_text(message: dict[str, Any], slack: bool = False) -> Optional[str]:
    """A table, list, chart or download message as text (Slack mrkdwn when ``slack``); None for other JSON."""
    kind = message.get("type")
    if kind not in ("table", "list", "chart", "download"):
        return None
    esc = escape_mrkdwn if slack else str

    def heading(value: Any) -> str:
        return (f"*{esc(str(value))}*" if slack else str(value)) + "\n" if value else ""

    intro = f"{esc(str(message['text']))}\n" if message.get("text") and kind != "download" else ""
    if kind == "table":
        columns = [str(c) for c in message.get("columns") or []]
        rows = [[str(c) for c in (r if isinstance(r, list) else [r])] for r in message.get("rows") or []]
        body = esc("\n".join(_table_lines(columns, rows)))  # aligned before escaping: Slack shows "&amp;" as "&"
        return intro + heading(message.get("caption")) + (f"```\n{body}\n```" if slack else body)
    if kind == "list":
        items = [
            esc(str(i.get("text") or i.get("title") or "") if isinstance(i, dict) else str(i))
            for i in message.get("items") or []
        ]
        ordered = message.get("ordered")
        lines = [f"{n}. {item}" if ordered else f"• {item}" for n, item in enumerate(items, 1)]
        return intro + heading(message.get("title")) + "\n".join(lines)
    if kind == "chart":
        return intro + esc(str(message.get("alt") or message.get("caption") or replies.text("utter_chart_fallback")))
    content = esc(str(message.get("text", "")))
    if len(content) > MAX_DOWNLOAD_CHARS:
        content = content[:MAX_DOWNLOAD_CHARS] + "\n…"
    name = message.get("filename") or replies.text("utter_download_name")
    return heading(name) + (f"```\n{content}\n```" if slack else content)

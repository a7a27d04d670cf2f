"""Importer of record (IOR) numbers: parse, normalise and mask.

Three formats exist (with or without hyphens):

* ``NN-NNNNNNNXX``: an IRS employer number plus a 2-character suffix (``12-3456789AB``);
* ``NNN-NN-NNNN``: a Social Security number (sole proprietors). This is personal data: it is never shown in full and
  never logged; use :func:`mask_text` on anything that may contain one;
* ``YYDDPP-NNNNN``: a CBP-assigned number.

Numbers are stored and compared by their *key*: upper case without hyphens or spaces. An 11-digit number without
hyphens can be an employer number with a numeric suffix or a CBP-assigned number; both read the same as a key.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional


class IorKind(str, Enum):
    """The three IOR number formats."""

    EIN = "ein"
    SSN = "ssn"
    CBP = "cbp"


# Whole-string patterns; also used to build spaCy token patterns.
EIN_RE = re.compile(r"^(\d{2})-?(\d{7})([A-Za-z0-9]{2})$")
# A Social Security number's digit groups: the parser and the masking are both built from them.
SSN_GROUPS = (3, 2, 4)
SSN_RE = re.compile("^" + "-?".join(rf"(\d{{{n}}})" for n in SSN_GROUPS) + "$")
CBP_RE = re.compile(r"^(\d{6})-?(\d{5})$")

# Finds candidates inside free text (the spaCy pipeline does the same with its entity_ruler).
IOR_IN_TEXT = re.compile(
    r"(?<![\w-])(?:\d{2}-\d{7}[A-Za-z0-9]{2}|\d{9}[A-Za-z]{2}|\d{3}-\d{2}-\d{4}|\d{6}-\d{5}|\d{11}|\d{9})(?![\w-])"
)


def _ssn_in_text() -> re.Pattern[str]:
    """Every text that :func:`parse_ior` reads as a Social Security number, as it may appear inside free text.

    The parser removes all whitespace and then matches :data:`SSN_RE`; so here whitespace may come between any two
    characters and a hyphen between the groups of :data:`SSN_GROUPS` (``123-45-6789``, ``123456789``, ``123-456789``,
    ``12345-6789``, ``123 45 6789``); a digit right before or after means a longer number. Nine bare digits are one too
    (no other identifier the bot handles has nine digits: HTS numbers have 2, 4, 6, 8 or 10).
    """
    groups = [r"\s*".join([r"\d"] * n) for n in SSN_GROUPS]
    groups[-1] = f"({groups[-1]})"  # the last four digits stay visible
    return re.compile(r"(?<!\d)" + r"\s*-?\s*".join(groups) + r"(?!\d)")


# Social Security-format numbers inside free text, for masking.
_SSN_IN_TEXT = _ssn_in_text()


@dataclass(frozen=True)
class IorNumber:
    """A validated IOR number."""

    kind: IorKind
    key: str  # upper case, no separators: the database key

    @property
    def display(self) -> str:
        """The number as shown to users: hyphenated, with a Social Security number masked."""
        k = self.key
        if self.kind is IorKind.SSN:
            return f"***-**-{k[-4:]}"
        if self.kind is IorKind.EIN:
            return f"{k[:2]}-{k[2:]}"
        return f"{k[:6]}-{k[6:]}"

    @property
    def canonical(self) -> str:
        """The full number, hyphenated in its own format (``230517-40021``): parses back to the same kind."""
        k = self.key
        if self.kind is IorKind.SSN:
            return f"{k[:3]}-{k[3:5]}-{k[5:]}"
        return f"{k[:2]}-{k[2:]}" if self.kind is IorKind.EIN else f"{k[:6]}-{k[6:]}"

    def __str__(self) -> str:  # never leaks an SSN through formatting or logging
        return self.display

    def __repr__(self) -> str:
        return f"IorNumber({self.kind.value}, {self.display!r})"


class IorFormatError(ValueError):
    """The text is not an IOR number in any of the three formats.

    Attributes:
        reply: the reply key (``knowledge/replies/``) that says so to a user; the caller renders it with ``values``.
        values: the reply's placeholders (none today: the input is never repeated).
    """

    def __init__(self, reply: str = "utter_ior_not_a_number", **values: Any) -> None:
        super().__init__(reply)
        self.reply, self.values = reply, values


def parse_ior(text: str) -> IorNumber:
    """Parse an IOR number in any of the three formats.

    Args:
        text: what the user typed; spaces around and inside are ignored.

    Returns:
        The parsed number.

    Raises:
        IorFormatError: the text is not in any accepted format; its reply key says so without repeating the input.
    """
    compact = re.sub(r"\s+", "", text or "")
    if SSN_RE.match(compact):
        return IorNumber(IorKind.SSN, re.sub(r"-", "", compact))
    if CBP_RE.match(compact) and "-" in compact:
        return IorNumber(IorKind.CBP, compact.replace("-", ""))
    if EIN_RE.match(compact):
        return IorNumber(IorKind.EIN, compact.replace("-", "").upper())
    raise IorFormatError("utter_ior_not_a_number")


# Something typed as a number: at least three digits, maybe with letters and hyphens.
_NUMBER_LIKE = re.compile(r"(?<![\w-])(?=[\w-]*\d[\w-]*\d[\w-]*\d)[A-Za-z0-9][\w-]{2,24}(?![\w-])")


@dataclass(frozen=True)
class FormatProblem:
    """What is wrong with a number meant as an importer number: the number as typed (masked) and a reply key."""

    typed: str
    reply: str  # what is wrong, e.g. utter_ior_wrong_digit_count
    values: dict[str, Any] = field(default_factory=dict)


def format_problem(text: str) -> Optional[FormatProblem]:
    """What is wrong with a number that was meant as an importer number, for a reply that says so.

    Returns:
        The problem, or None when the text holds no number-like word or holds a valid importer number.
    """
    if find_ior(text):
        return None
    match = _NUMBER_LIKE.search(text or "")
    if not match:
        return None
    typed = match.group(0)
    digits = sum(ch.isdigit() for ch in typed)
    if digits not in (9, 11):
        return FormatProblem(mask_text(typed), "utter_ior_wrong_digit_count", {"digits": digits})
    return FormatProblem(mask_text(typed), "utter_ior_wrong_places")


def try_parse_ior(text: Optional[str]) -> Optional[IorNumber]:
    """Like :func:`parse_ior` but returns None instead of raising."""
    try:
        return parse_ior(text or "")
    except IorFormatError:
        return None


def find_ior(text: str) -> Optional[IorNumber]:
    """The first IOR number found inside free text, if any."""
    for match in IOR_IN_TEXT.finditer(text or ""):
        parsed = try_parse_ior(match.group(0))
        if parsed:
            return parsed
    return None


def mask_text(text: str) -> str:
    """Replace every Social Security-format number in ``text`` with a masked form (``***-**-6789``)."""
    if not text:
        return text
    return _SSN_IN_TEXT.sub(lambda m: "***-**-" + re.sub(r"\s+", "", m.group(1)), text)


def mask_value(value: Any) -> Any:
    """``value`` with every string inside it (in lists, tuples and dict keys and values) masked by :func:`mask_text`.

    Returns the value itself when nothing needed masking, so that callers can tell by identity.
    """
    if isinstance(value, str):
        masked = mask_text(value)
        return value if masked == value else masked
    if isinstance(value, dict):
        items = [(mask_value(k), mask_value(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items())):
            return value
        return dict(items)
    if isinstance(value, (list, tuple)):
        parts = [mask_value(v) for v in value]
        if all(m is v for m, v in zip(parts, value)):
            return value
        return parts if isinstance(value, list) else tuple(parts)
    return value


class MaskingFilter(logging.Filter):
    """A logging filter that masks Social Security-format numbers in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record as it is
            return True
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Mask SSN-format numbers in every log record this process creates, whichever logger or handler emits it."""
    old_factory = logging.getLogRecordFactory()
    if getattr(old_factory, "_cee_masking", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = old_factory(*args, **kwargs)
        MaskingFilter().filter(record)
        return record

    factory._cee_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

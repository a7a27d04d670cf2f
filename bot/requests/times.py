"""The reading of answers about times: a U.S. time zone, the months of a visit, in every language (the other
languages' words: :mod:`bot.requests.words`); what is stored is the same whatever the language.

Pure functions, like :mod:`bot.requests.answers`: text in, a value out, or :class:`~bot.requests.answers.Invalid`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from typing import Any, Optional

from bot.knowledge.answer_words import alternation
from bot.requests.answers import Invalid, fold
from bot.requests.words import choice_patterns, values, words

# U.S. time zones (bot.vocab.TIME_ZONES, the six answers offered): the English words and the tz database names
# accepted for each (other languages' words: bot.requests.words).
ZONE_WORDS: dict[str, tuple[str, ...]] = {
    "Eastern": (
        "eastern",
        "et",
        "est",
        "edt",
        "america/new_york",
        "america/detroit",
        "america/indiana/indianapolis",
        "america/kentucky/louisville",
        "us/eastern",
        "us/michigan",
        "us/east-indiana",
    ),
    "Central": (
        "central",
        "ct",
        "cst",
        "cdt",
        "america/chicago",
        "america/indiana/knox",
        "america/menominee",
        "america/north_dakota/center",
        "us/central",
        "us/indiana-starke",
    ),
    "Mountain": (
        "mountain",
        "mt",
        "mst",
        "mdt",
        "america/denver",
        "america/boise",
        "america/phoenix",
        "us/mountain",
        "us/arizona",
        "arizona",
    ),
    "Pacific": ("pacific", "pt", "pst", "pdt", "america/los_angeles", "us/pacific"),
    "Alaska": (
        "alaska",
        "akst",
        "akdt",
        "america/anchorage",
        "america/juneau",
        "america/sitka",
        "america/nome",
        "america/yakutat",
        "america/metlakatla",
        "us/alaska",
    ),
    "Hawaii": (
        "hawaii",
        "hst",
        "hdt",
        "hawaii-aleutian",
        "america/adak",
        "pacific/honolulu",
        "us/hawaii",
        "us/aleutian",
    ),
}
_TZ_NAME = re.compile(r"\b[a-z]+/[a-z_]+(?:/[a-z_]+)?\b")


def _tz_name_cased(name: str) -> str:
    """A tz database name as spelt: ``america/new_york`` → ``America/New_York``, ``us/eastern`` → ``US/Eastern``."""
    return "/".join(
        part.upper() if part in ("us",) else "_".join(w.capitalize() for w in part.split("_"))
        for part in name.split("/")
    ).replace("Us/", "US/")


def parse_time_zone(text: str, choice: Optional[str]) -> dict[str, Optional[str]]:
    """``{"zone": "Central", "name": "America/Chicago"}`` (name None when a zone was named in words)."""
    if choice in ZONE_WORDS:
        return {"zone": choice, "name": None}
    lower = fold(text).lower()
    names = _TZ_NAME.findall(lower)
    if names:
        zone = next((z for z, aliases in ZONE_WORDS.items() if names[0] in aliases), None)
        if zone is None:
            raise Invalid("utter_invalid_time_zone")
        return {"zone": zone, "name": _tz_name_cased(names[0])}
    found = {
        z
        for z, aliases in ZONE_WORDS.items()
        for alias in aliases
        if "/" not in alias and re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", lower)
    }
    found.update(z for z, pattern in choice_patterns("time_zone", {}).items() if re.search(pattern, lower))
    if len(found) != 1:
        raise Invalid("utter_invalid_time_zone")
    return {"zone": found.pop(), "name": None}


_ENGLISH_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_ENGLISH_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
_ENGLISH_MONTHS["sept"] = 9
_SEASONS: dict[str, tuple[int, ...]] = {
    "spring": (3, 4, 5),
    "summer": (6, 7, 8),
    "fall": (9, 10, 11),
    "autumn": (9, 10, 11),
    "winter": (12, 1, 2),
}
_ANY = r"\b(any|anytime|flexible|no preference|whenever|doesn'?t matter|open)\b"
_THROUGH = r"-|\u2013|to|through|thru|until|till"


def _month_words() -> dict[str, tuple[int, ...]]:
    """Every word for a month or a season, in every language, and the months it names."""
    found: dict[str, tuple[int, ...]] = {word: (n,) for word, n in _ENGLISH_MONTHS.items()}
    found.update(_SEASONS)
    found.update((w, (int(n),)) for n, phrases in values("month").items() for w in phrases)
    found.update((w, _SEASONS[season]) for season, phrases in values("season").items() for w in phrases)
    return found


def parse_months(text: str) -> dict[str, Any]:
    """``March or April 2026`` → ``{"months": ["March", "April"], "years": ["2026"]}``; ranges (``March-May``,
    ``de marzo a mayo``), seasons (``this fall``, ``en otoño``) and ``any`` (``months`` empty) are understood, in
    every language; the months are stored by their English names whatever the language.
    """
    lower = fold(text).lower()
    known = _month_words()
    single = {w: n for w, n in known.items() if len(n) == 1}
    month = rf"(?<!\w)({alternation(tuple(single))})(?!\w)"
    months: list[int] = []

    def add(numbers: Sequence[int]) -> None:
        months.extend(n for n in numbers if n not in months)

    spans = []
    for match in re.finditer(rf"{month}\.?\s*(?:{_THROUGH}|{words('through')})\s*{month}", lower):
        first, last = single[match.group(1)][0], single[match.group(2)][0]
        add([(first - 1 + i) % 12 + 1 for i in range((last - first) % 12 + 1)])
        spans.append(match.span())
    for match in re.finditer(rf"(?<!\w)({alternation(tuple(known))})(?!\w)", lower):
        if not any(start <= match.start() < end for start, end in spans):
            add(known[match.group(1)])
    years = list(dict.fromkeys(re.findall(r"\b(20\d{2})\b", lower)))
    if not months and not re.search(rf"{_ANY}|{words('any')}", lower):
        raise Invalid("utter_invalid_months")
    return {"months": [calendar.month_name[n] for n in months], "years": years}

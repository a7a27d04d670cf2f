"""The reading of a change of Center's HTS profile: the top chapters with their share of entries, in every language
(``84 60%, 85 30%``, ``84 60 por ciento y 85 30 por ciento``). A pure function like :mod:`bot.requests.answers`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Optional

from bot.knowledge import knowledge
from bot.requests.answers import Invalid
from bot.requests.words import words

_SHARE = r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|pct\b|"  # then the other languages' words and ")"
_CHAPTER_NUMBER = re.compile(r"(?<![\d.])(\d{4}(?:\.?\d{2}){0,3}|\d{1,2})(?![\d])")
_PAIR = re.compile(r"^\s*(?:(?:hts|ch(?:apter)?s?)\.?\s*)?(\d{1,2})\s*[:=]\s*(\d{1,3}(?:\.\d+)?)\s*$", re.I)
MAX_CHAPTERS = 10


def parse_hts_profile(text: str) -> list[dict[str, Any]]:
    """Top HTS chapters with their share of entries: ``84 60%, 85 30%``, ``84, 85``, ``chapter 84: 60%``, ``8471 50%``.

    Returns:
        ``[{"chapter": "84", "share": 60}, ...]`` in the order given (share None when not given).

    Raises:
        Invalid: no chapter, an unknown chapter, 98/99, a chapter twice, shares out of range, too many chapters.
    """
    chapters = knowledge().chapters
    share_pattern = re.compile(_SHARE + words("percent") + ")", re.I)
    profile: list[dict[str, Any]] = []
    for item in re.split(rf"[,;\n/]+|\band\b|\bplus\b|&|{words('and')}", text or "", flags=re.I):
        pair = _PAIR.match(item)
        share_match = share_pattern.search(item)
        share: Optional[float]
        if pair:
            numbers, share = [pair.group(1)], float(pair.group(2))
        else:
            share = float(share_match.group(1)) if share_match else None
            rest = item[: share_match.start()] + " " + item[share_match.end() :] if share_match else item
            numbers = _CHAPTER_NUMBER.findall(rest)
        if not numbers:
            if share is not None:
                raise Invalid("utter_invalid_hts_profile")
            continue
        if share is not None and len(numbers) > 1:
            raise Invalid("utter_invalid_hts_profile")
        for number in numbers:
            digits = number.replace(".", "")
            profile.append({"chapter": digits[:2] if len(digits) >= 4 else digits.zfill(2), "share": share})
    if not profile:
        raise Invalid("utter_invalid_hts_profile")
    if len(profile) > MAX_CHAPTERS:
        raise Invalid("utter_hts_too_many")
    codes = [p["chapter"] for p in profile]
    if {"98", "99"} & set(codes):
        raise Invalid("utter_hts_special_chapters")
    unknown = [c for c in codes if c not in chapters]
    if unknown:
        raise Invalid("utter_unknown_hts_chapters", chapters=", ".join(dict.fromkeys(unknown)))
    twice = [c for c, n in Counter(codes).items() if n > 1]
    if twice:
        raise Invalid("utter_hts_duplicate_chapter", chapter=twice[0])
    shares = [p["share"] for p in profile if p["share"] is not None]
    if any(s <= 0 or s > 100 for s in shares) or sum(shares) > 100.5:
        raise Invalid("utter_hts_bad_shares")
    for p in profile:
        if p["share"] is not None and float(p["share"]).is_integer():
            p["share"] = int(p["share"])
    return profile

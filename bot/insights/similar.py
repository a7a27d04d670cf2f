"""Unanswered questions grouped by similarity, simply enough to explain to the staff who read the report.

A question is lower-cased, its numbers and masked numbers become ``#``, and its words are kept without the most
common English words ("the", "is", "my"...). Questions with the same words are one question. Then, most asked
first, each question joins the first group whose first question's words match it by at least :data:`THRESHOLD`
(rapidfuzz's ``token_sort_ratio``, 0-100: the words sorted, then compared letter by letter), or starts a new group.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

THRESHOLD = 70
MAX_EXAMPLES = 3
MAX_DISTINCT = 5_000  # distinct questions compared (the most asked); the rest are counted under "other questions"
_COMMON = """a an the is are was were be been am i me my we our you your it its this that these those to of in on at
for and or but with from by as do does did can could would should will shall what which who whom how when where why
please hi hello hey there any some about into than then so if not no"""
STOP_WORDS = frozenset(_COMMON.split())
_WORD = re.compile(r"[a-z#*]+(?:'[a-z]+)?|\d+")
_NUMBERISH = re.compile(r"^[#*\d]+$")


@dataclass(frozen=True)
class Group:
    """Questions asked in much the same words: how often, how many of them were fallbacks or "not helpful", and up
    to :data:`MAX_EXAMPLES` of them as asked (masked).
    """

    label: str
    count: int
    fallbacks: int
    not_helpful: int
    examples: tuple[str, ...]


def key(question: str) -> str:
    """The words a question is compared by: lower case, numbers as ``#``, common words dropped, in order."""
    words = [("#" if _NUMBERISH.match(w) else w) for w in _WORD.findall(question.lower())]
    kept = [w for w in words if w not in STOP_WORDS]
    return " ".join(kept or words)


def group(questions: Iterable[tuple[str, str]], threshold: int = THRESHOLD) -> list[Group]:
    """Group ``(question, source)`` pairs (source ``fallback`` or ``not_helpful``; questions already masked).

    Returns:
        The groups, largest first; questions beyond the :data:`MAX_DISTINCT` most asked form one last group.
    """
    by_key: dict[str, Counter[str]] = {}
    sources: dict[str, Counter[str]] = {}
    for question, source in questions:
        k = key(question)
        by_key.setdefault(k, Counter())[question.strip()] += 1
        sources.setdefault(k, Counter())[source] += 1
    ordered = sorted(by_key, key=lambda k: (-sum(by_key[k].values()), k))
    heads: list[str] = []
    members: dict[str, list[str]] = {}
    for k in ordered[:MAX_DISTINCT]:
        match = process.extractOne(k, heads, scorer=fuzz.token_sort_ratio, score_cutoff=threshold) if heads else None
        head = match[0] if match else k
        if not match:
            heads.append(k)
        members.setdefault(head, []).append(k)
    if ordered[MAX_DISTINCT:]:
        members["(other questions)"] = ordered[MAX_DISTINCT:]
    groups = [_group(head, keys, by_key, sources) for head, keys in members.items()]
    return sorted(groups, key=lambda g: (-g.count, g.label))


def _group(head: str, keys: list[str], by_key: dict[str, Counter[str]], sources: dict[str, Counter[str]]) -> Group:
    asked: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    for k in keys:
        asked.update(by_key[k])
        counted.update(sources[k])
    examples = tuple(question for question, _ in asked.most_common(MAX_EXAMPLES))
    return Group(
        examples[0] if examples else head, sum(asked.values()), counted["fallback"], counted["not_helpful"], examples
    )

"""The readers of the tariff side of ``knowledge/``: ``centers.yml``, ``hts/chapters.csv``, ``hts/headings.csv`` and
``products.yml``.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.knowledge.files import KnowledgeError, read_csv, read_yaml, require
from bot.knowledge.model import Center, HtsRule, Product
from bot.knowledge.words import fold

CENTER_CODE = re.compile(r"^CEE0(0[1-9]|10)$")
CONFIDENCE = ("published", "inferred", "unpublished")


def load_centers(path: Path) -> tuple[str, str, list[Center]]:
    """Read ``centers.yml``: its source and directory URLs, and the Centers."""
    data = read_yaml(path)
    centers = []
    for item in data.get("centers") or []:
        code = require(path, item, "code")
        if not CENTER_CODE.match(code):
            raise KnowledgeError(path, item["__line__"], f"'{code}' is not a Center code (CEE001 to CEE010)")
        centers.append(
            Center(
                code=code,
                name=require(path, item, "name"),
                short_names=tuple(str(n) for n in item.get("short_names") or ()),
                cities=tuple(str(c) for c in require(path, item, "cities", list)),
                state=require(path, item, "state"),
                industries=require(path, item, "industries"),
            )
        )
    codes = [c.code for c in centers]
    if sorted(codes) != [f"CEE{n:03d}" for n in range(1, 11)]:
        raise KnowledgeError(path, None, "there must be exactly ten Centers, CEE001 to CEE010, each once")
    return require(path, data, "source"), require(path, data, "directory"), centers


def _check_rule(path: Path, line: int, row: dict[str, str], codes: set) -> None:
    if row["confidence"] not in CONFIDENCE:
        raise KnowledgeError(path, line, f"confidence must be one of {', '.join(CONFIDENCE)}")
    if row["center_code"] and row["center_code"] not in codes:
        raise KnowledgeError(path, line, f"unknown Center code '{row['center_code']}'")
    if not row["center_code"] and row["confidence"] != "unpublished":
        raise KnowledgeError(path, line, "an empty center_code needs confidence 'unpublished'")


def load_hts(folder: Path, codes: set) -> tuple[dict[str, HtsRule], list[HtsRule]]:
    """Read ``chapters.csv`` and ``headings.csv`` of ``folder``: chapters by number, and the headings."""
    chapters: dict[str, HtsRule] = {}
    path = folder / "chapters.csv"
    for line, row in read_csv(path, ("chapter", "title", "center_code", "confidence", "notes")):
        if not re.fullmatch(r"\d{2}", row["chapter"]):
            raise KnowledgeError(path, line, "chapter must have two digits, e.g. 03")
        _check_rule(path, line, row, codes)
        chapters[row["chapter"]] = HtsRule(
            row["chapter"], row["chapter"], row["center_code"] or None, row["confidence"], row["title"], row["notes"]
        )
    headings: list[HtsRule] = []
    path = folder / "headings.csv"
    for line, row in read_csv(path, ("first_heading", "last_heading", "center_code", "confidence", "note")):
        first, last = row["first_heading"], row["last_heading"]
        if not (re.fullmatch(r"\d{4}", first) and re.fullmatch(r"\d{4}", last) and first <= last):
            raise KnowledgeError(path, line, "first_heading and last_heading must be 4-digit headings, first <= last")
        if first[:2] not in chapters:
            raise KnowledgeError(path, line, f"chapter {first[:2]} is not in chapters.csv")
        _check_rule(path, line, row, codes)
        headings.append(HtsRule(first, last, row["center_code"] or None, row["confidence"], "", row["note"]))
    return chapters, headings


def load_chapter_titles(path: Path, chapters: dict[str, HtsRule]) -> dict[str, str]:
    """Another language's HTS chapter titles (``knowledge/<language>/hts/chapters.csv``: chapter, title), one for
    every chapter of ``hts/chapters.csv``; none when the file is not there (the English titles are shown).

    Raises:
        KnowledgeError: an unknown chapter, a chapter twice or without its title, or a chapter left out.
    """
    if not path.exists():
        return {}
    titles: dict[str, str] = {}
    for line, row in read_csv(path, ("chapter", "title")):
        if row["chapter"] not in chapters:
            raise KnowledgeError(path, line, f"chapter '{row['chapter']}' is not in hts/chapters.csv")
        if row["chapter"] in titles or not row["title"]:
            raise KnowledgeError(path, line, f"chapter {row['chapter']} needs one title, given once")
        titles[row["chapter"]] = row["title"]
    missing = [chapter for chapter in chapters if chapter not in titles]
    if missing:
        raise KnowledgeError(path, None, f"chapter(s) {', '.join(missing)} have no title")
    return titles


def load_heading_notes(path: Path, headings: list[HtsRule]) -> dict[str, str]:
    """Another language's notes on the heading ranges (``knowledge/<language>/hts/headings.csv``: first_heading,
    last_heading, note), one for every range of ``hts/headings.csv`` that has a note; none when the file is not there
    (the English notes are shown).

    Returns:
        The English note -> its translation.

    Raises:
        KnowledgeError: an unknown range, a range twice or without its note, or a noted range left out.
    """
    if not path.exists():
        return {}
    english = {(rule.first, rule.last): rule.note for rule in headings if rule.note}
    notes: dict[tuple[str, str], str] = {}
    for line, row in read_csv(path, ("first_heading", "last_heading", "note")):
        key = (row["first_heading"], row["last_heading"])
        if key not in english:
            raise KnowledgeError(path, line, f"headings {'-'.join(key)} have no note in hts/headings.csv")
        if key in notes or not row["note"]:
            raise KnowledgeError(path, line, f"headings {'-'.join(key)} need one note, given once")
        notes[key] = row["note"]
    missing = ["-".join(key) for key in english if key not in notes]
    if missing:
        raise KnowledgeError(path, None, f"heading range(s) {', '.join(missing)} have no note")
    translated: dict[str, str] = {}
    for key, note in notes.items():
        if translated.setdefault(english[key], note) != note:
            raise KnowledgeError(path, None, f"headings {'-'.join(key)}: one English note, one translation")
    return translated


def load_products(path: Path, chapters: dict[str, HtsRule]) -> list[Product]:
    """Read ``products.yml`` (optional): product words and their HTS codes."""
    if not path.exists():
        return []
    products: list[Product] = []
    seen: dict[str, int] = {}
    for item in read_yaml(path).get("products") or []:
        hts = str(require(path, item, "hts"))
        if not re.fullmatch(r"\d{2}|\d{4}", hts) or hts[:2] not in chapters:
            raise KnowledgeError(
                path, item["__line__"], f"hts '{hts}' must be a known 2-digit chapter or 4-digit heading"
            )
        words = tuple(str(w).strip() for w in require(path, item, "words", list))
        for w in words:
            if fold(w) in seen:
                raise KnowledgeError(path, item["__line__"], f"'{w}' is listed twice (also line {seen[fold(w)]})")
            seen[fold(w)] = item["__line__"]
        products.append(Product(words, hts))
    return products

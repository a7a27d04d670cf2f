"""Check the Spanish conversation test set: YAML parses, ids unique, answer kinds known, FAQ ids exist, Center codes
valid, required keys present, HTS numbers' Centers match knowledge/hts, importer numbers' Centers match the sample.

Run: .venv/bin/python tests/conversations_es/validate.py [path/to/knowledge]
"""

import csv
import glob
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).parent
KB = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "knowledge"
KINDS = {
    "faq",
    "smalltalk",
    "greet",
    "goodbye",
    "thanks",
    "help",
    "handoff",
    "out_of_scope",
    "list_centers",
    "center_info",
    "center_contact",
    "product_center",
    "importer_center",
    "ask_importer_number",
    "ior_format_error",
    "figure",
    "ranking",
    "total",
    "trend",
    "compare",
    "ask_center",
    "ask_metric",
    "ask_product",
    "form_change_center",
    "form_outreach_call",
    "form_site_visit",
    "request_status",
    "cancelled",
    "fallback",
}
METRICS = {"importers", "partner_accounts", "entries", "post_entry_actions", "staff"}
CENTERS = {f"CEE{n:03d}" for n in range(1, 11)}
TOPICS = {"faq", "smalltalk", "basics", "centers", "product", "hts", "importer", "figures", "forms", "status"}
FOLLOWUPS = {"followup_ellipsis", "followup_reference", "missing_piece", "correction", "new_topic"}
NEEDS = {
    "center_info": ["center"],
    "center_contact": ["center"],
    "figure": ["metric"],
    "ranking": ["metric"],
    "total": ["metric"],
    "trend": ["center", "metric"],
    "compare": ["centers", "metric"],
    "faq": ["faq"],
    "smalltalk": ["faq"],
}

faq_ids, chitchat_ids = set(), set()
for f in glob.glob(str(KB / "faq" / "*.yml")):
    d = yaml.safe_load(Path(f).read_text(encoding="utf-8"))
    (chitchat_ids if d.get("intent") == "chitchat" else faq_ids).update(a["id"] for a in d["articles"])
chapters = {
    r["chapter"]: r["center_code"]
    for r in csv.DictReader((KB / "hts" / "chapters.csv").read_text(encoding="utf-8").splitlines())
}
headings = [
    (int(r["first_heading"]), int(r["last_heading"]), r["center_code"])
    for r in csv.DictReader((KB / "hts" / "headings.csv").read_text(encoding="utf-8").splitlines())
]
importers = {}
for line in (KB / "sample" / "importers.csv").read_text(encoding="utf-8").splitlines():
    if line.startswith(("#", "ior_number")):
        continue
    parts = line.strip().split(",")
    importers[parts[0]] = parts[2]


def hts_center(code):
    """The Center for a 4-digit heading (None: unpublished or special chapter)."""
    chapter, heading = code[:2], int(code[:4])
    if chapter in ("98", "99"):
        return None
    for lo, hi, center in headings:
        if lo <= heading <= hi:
            return center or None
    return chapters.get(chapter)


errors, ids = [], set()
counts = Counter()
turn_kinds = Counter()
for path in sorted(HERE.rglob("*.yml")):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for conv in data["conversations"]:
        cid = conv.get("id", "")
        where = f"{path.relative_to(HERE)}:{cid}"
        if not re.fullmatch(r"es-[a-z0-9-]+", cid) or cid in ids:
            errors.append(f"{where}: bad or repeated id")
        ids.add(cid)
        tags = set(conv.get("tags") or [])
        if "es" not in tags:
            errors.append(f"{where}: no es tag")
        if not tags & TOPICS:
            errors.append(f"{where}: no topic tag")
        turns = conv["turns"]
        multi = len(turns) > 1
        if multi != ("multi_turn" in tags) or multi != (path.parent.name == "multi"):
            errors.append(f"{where}: multi_turn tag / folder does not match {len(turns)} turns")
        if multi and not 2 <= len(turns) <= 5:
            errors.append(f"{where}: {len(turns)} turns")
        counts["multi" if multi else "single"] += 1
        for tag in tags & FOLLOWUPS:
            counts[tag] += 1
        for t in turns:
            e, user = t["expect"], str(t["user"])
            kind = e.get("answer")
            turn_kinds[kind] += 1
            if kind not in KINDS:
                errors.append(f"{where}: unknown kind {kind}")
            for key in NEEDS.get(kind, []):
                if key not in e:
                    errors.append(f"{where}: {kind} needs {key}")
            for a in [e["faq"]] if isinstance(e.get("faq"), str) else e.get("faq") or []:
                if a not in (chitchat_ids if kind == "smalltalk" else faq_ids):
                    errors.append(f"{where}: unknown article {a}")
            for c in [e.get("center"), *(e.get("centers") or [])]:
                if c is not None and c not in CENTERS:
                    errors.append(f"{where}: bad center {c}")
            if "metric" in e and e["metric"] not in METRICS:
                errors.append(f"{where}: bad metric {e['metric']}")
            if kind == "product_center":
                m = re.search(r"\b(\d{4})(?:\.\d+)*\b", user)
                if m and not re.search(r"\d{2,3}-", user):
                    want = hts_center(m.group(1))
                    if want != e.get("center"):
                        errors.append(f"{where}: HTS {m.group(1)} is {want}, expected {e.get('center')}")
            if kind == "importer_center":
                nums = re.findall(r"\b\d[\dA-Z-]{8,11}[\dA-Z]\b", user)
                for n in nums:
                    if importers.get(n) != e.get("center"):
                        errors.append(f"{where}: importer {n} is {importers.get(n)}, expected {e.get('center')}")
            if re.search(r"\b\d{3}-\d{2}-\d{4}\b", user) and kind in ("importer_center", "form_change_center"):
                ssn = re.search(r"\b\d{3}-\d{2}-\d{4}\b", user).group()
                if ssn not in (e.get("not_says") or []):
                    errors.append(f"{where}: SSN-format number without not_says")

print("\n".join(errors) or "OK: no errors")
print(dict(counts), "total", counts["single"] + counts["multi"])
print(dict(sorted(turn_kinds.items())))
sys.exit(1 if errors else 0)

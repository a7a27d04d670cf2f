#!/usr/bin/env python3
"""Sanity checks for the held-out NLU test files in this folder.

Checks: YAML loads; counts utterances per label; every faq/chitchat id in /work/spec/intents.md has
examples; annotation brackets balanced and well-formed; entity types known; no duplicates (after stripping
annotations, case and punctuation); no { }; no utterance copied from a quoted example in the spec.
Also prints (as warnings) unannotated words that the deterministic entity ruler would likely pick up.
Usage: python3 tests/nlu/check_tests.py
"""

import collections
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SPEC = pathlib.Path("/work/spec/intents.md")
CENTERS = HERE.parent.parent / "knowledge" / "centers.yml"
FILES = ["test_faq.yml", "test_intents.yml"]
ENTITIES = {"center", "hts_code", "ior_number", "metric", "period", "product", "request_ref"}
ANN = re.compile(r"\[([^\[\]]+)\]\(([^()]+)\)")
NON_FAQ = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "help",
    "list_centers",
    "center_info",
    "center_for_product",
    "center_for_importer",
    "ask_figure",
    "ask_ranking",
    "ask_total",
    "ask_trend",
    "request_change_center",
    "request_outreach_call",
    "request_site_visit",
    "request_status",
    "human_handoff",
    "stop",
    "out_of_scope",
]
BIG = {
    "center_for_product",
    "center_for_importer",
    "center_info",
    "ask_figure",
    "ask_ranking",
    "ask_total",
    "ask_trend",
}
CHITCHAT = ["ask_how_are_you", "ask_are_you_bot", "ask_who_built", "ask_name", "compliment", "complaint"]

errors, warnings = [], []


def norm(text):
    text = ANN.sub(lambda m: m.group(1), text)
    return re.sub(r"[^a-z0-9 ]", "", re.sub(r"\s+", " ", text.lower())).strip()


def spec_faq_ids():
    ids, in_faq = [], False
    for line in SPEC.read_text().splitlines():
        if line.startswith("## FAQ topics"):
            in_faq = True
            continue
        if in_faq and line.startswith("## "):
            break
        if in_faq:
            # ids are "- id:" at line start or "id:" after ". " inside a line
            for m in re.finditer(r"(?:^- |\. |^  )([a-z][a-z0-9_]+):", line):
                ids.append(m.group(1))
    return ids


def spec_quoted_examples():
    out = set()
    for q in re.findall(r'"([^"]+)"', SPEC.read_text()):
        q = re.sub(r"\[([^\]]+)\]\([a-z_]+\)", r"\1", q)
        if len(q.split()) >= 3:
            out.add(norm(q))
    for q in re.findall(r"`(?:greet|goodbye|thank|affirm|deny|help|list_centers)`: ([^\n]+)", SPEC.read_text()):
        for part in re.split(r"[,/]", q):
            if len(part.split()) >= 3:
                out.add(norm(part))
    return out


def center_words():
    data = yaml.safe_load(CENTERS.read_text())
    words = set()
    for c in data["centers"]:
        words.add(c["code"])
        words.add(c["name"])
        words.add(c["name"].replace("&", "and"))
        words.update(c.get("short_names", []))
        words.update(c.get("cities", []))
    return {w.lower() for w in words}


def main():
    faq_ids = spec_faq_ids()
    quoted = spec_quoted_examples()
    cwords = sorted(center_words(), key=len, reverse=True)
    metric_words = [
        "partner accounts",
        "post-entry actions",
        "post-entry volume",
        "post entry work",
        "importers",
        "entries",
        "staff",
        "employees",
        "personnel",
        "headcount",
        "officers",
        "people",
    ]
    products = [
        "frozen shrimp",
        "steel pipe",
        "laptops",
        "brake pads",
        "sneakers",
        "crude oil",
        "toys",
        "furniture",
        "wine",
        "cotton t-shirts",
        "solar panels",
        "aluminum sheet",
        "car tires",
        "medicines",
        "vitamins",
        "printers",
        "tractors",
        "bicycles",
        "coffee",
        "plywood",
    ]
    period_re = re.compile(r"\b(fy ?\d{4}|fiscal year|q[1-4]\b|last quarter|this year)", re.I)
    number_re = re.compile(r"\b\d{4}(?:\.\d{2,4}){0,3}\b|\b\d{6,11}\b|\b\d{2}-\d{7}|\b\d{3}-\d{2}-\d{4}|\b\d{6}-\d{5}")
    counts = collections.OrderedDict()
    seen = {}
    ent_counts = collections.Counter()
    for fname in FILES:
        path = HERE / fname
        data = yaml.safe_load(path.read_text())
        if str(data.get("version")) != "3.1":
            errors.append(f"{fname}: version is not '3.1'")
        counts[fname] = collections.OrderedDict()
        for block in data["nlu"]:
            label = block["intent"]
            lines = [line for line in block["examples"].splitlines() if line.strip()]
            for raw in lines:
                if not raw.startswith("- "):
                    errors.append(f"{fname} {label}: line does not start with '- ': {raw!r}")
                    continue
                text = raw[2:]
                where = f"{fname} {label}: {text!r}"
                if "{" in text or "}" in text:
                    errors.append(f"{where}: contains braces")
                if text.count("[") != text.count("]") or text.count("(") != text.count(")"):
                    errors.append(f"{where}: unbalanced brackets")
                stripped = ANN.sub("", text)
                if any(ch in stripped for ch in "[]()"):
                    errors.append(f"{where}: stray bracket outside a well-formed annotation")
                for span, ent in ANN.findall(text):
                    if ent not in ENTITIES:
                        errors.append(f"{where}: unknown entity type {ent!r}")
                    if span != span.strip():
                        errors.append(f"{where}: span has outer whitespace")
                    if ent == "center" and span.lower() not in cwords:
                        errors.append(
                            f"{where}: center span {span!r} is not a name/short name/city/code in centers.yml"
                        )
                    if ent == "center" and re.match(r"(?i)(the |center|cee )", span):
                        errors.append(f"{where}: center span includes a generic word")
                    if ent == "hts_code" and re.fullmatch(r"(19[5-9]\d|20[0-4]\d)", span):
                        errors.append(f"{where}: year-like 4-digit heading annotated")
                    ent_counts[ent] += 1
                n = norm(text)
                if n in seen:
                    errors.append(f"{where}: duplicate of {seen[n]}")
                seen[n] = f"{fname} {label}"
                if n in quoted and len(n.split()) >= 3:
                    warnings.append(f"{where}: same as a quoted example in the spec")
                # unannotated entity-looking words (ruler would extract them)
                low = " " + re.sub(r"[^a-z0-9&\- ]", " ", stripped.lower()) + " "
                for w in cwords:
                    if re.search(r"(?<![a-z0-9])" + re.escape(w) + r"(?![a-z0-9])", low):
                        warnings.append(f"{where}: unannotated center-like word {w!r}")
                        break
                for w in metric_words:
                    if re.search(r"\b" + re.escape(w) + r"\b", stripped.lower()):
                        warnings.append(f"{where}: unannotated metric word {w!r}")
                for w in products:
                    if re.search(r"\b" + re.escape(w) + r"\b", stripped.lower()):
                        warnings.append(f"{where}: unannotated product word {w!r}")
                if period_re.search(stripped):
                    warnings.append(f"{where}: unannotated period-like text")
                for m in number_re.finditer(stripped):
                    if not re.fullmatch(r"(19[5-9]\d|20[0-4]\d)", m.group(0)):
                        warnings.append(f"{where}: unannotated number {m.group(0)!r}")
            counts[fname][label] = len(lines)

    labels = {label for f in counts.values() for label in f}
    for fid in faq_ids:
        n = counts["test_faq.yml"].get(f"faq/{fid}", 0)
        if n != 5:
            errors.append(f"faq/{fid}: {n} utterances (want 5)")
    for cid in CHITCHAT:
        n = counts["test_faq.yml"].get(f"chitchat/{cid}", 0)
        if n != 3:
            errors.append(f"chitchat/{cid}: {n} utterances (want 3)")
    for lab in labels:
        if lab.startswith("faq/") and lab[4:] not in faq_ids:
            errors.append(f"{lab}: not an faq id in the spec")
    for intent in NON_FAQ:
        n = counts["test_intents.yml"].get(intent, 0)
        lo = 12 if intent in BIG else 8
        if not lo <= n <= (30 if intent in BIG else 15):
            errors.append(f"{intent}: {n} utterances (want {lo}-15+)")

    total = 0
    for fname, c in counts.items():
        sub = sum(c.values())
        total += sub
        print(f"== {fname}: {sub} utterances, {len(c)} labels")
        for lab, n in c.items():
            print(f"   {n:3d}  {lab}")
    print(f"== total: {total} utterances; spec faq ids: {len(faq_ids)}")
    print("== entity annotations:", dict(sorted(ent_counts.items())))
    if total < 330:
        errors.append(f"total {total} < 330")
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

"""The project's spaCy pipeline: every entity type, positive and negative cases."""

import pytest
import spacy

from bot.knowledge import knowledge, reset_knowledge
from bot.nlp import create_pipeline, ensure_pipeline, pipeline_path


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load(ensure_pipeline(knowledge()))


def ents(nlp: spacy.language.Language, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in nlp(text).ents]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Where is the Machinery Center?", ("Machinery", "center")),
        ("what does cee005 cover", ("cee005", "center")),
        ("which center is in Laredo", ("Laredo", "center")),
        ("tell me about Pharmaceuticals, Health & Chemicals", ("Pharmaceuticals, Health & Chemicals", "center")),
        ("the apparel footwear and textiles center", ("apparel footwear and textiles", "center")),
        ("which center handles HTS 8471.30.0100.", ("8471.30.0100", "hts_code")),
        ("what about chapter 84", ("chapter 84", "hts_code")),
        ("heading 7208 please", ("7208", "hts_code")),
        ("subheading 847130", ("847130", "hts_code")),
        ("code 8708.30.50", ("8708.30.50", "hts_code")),
        ("ior 12-3456789AB.", ("12-3456789AB", "ior_number")),
        ("ior 123456789ab", ("123456789ab", "ior_number")),
        ("my number is 123-45-6789", ("123-45-6789", "ior_number")),
        ("cbp number 232704-00123", ("232704-00123", "ior_number")),
        ("how many partner accounts", ("partner accounts", "metric")),
        ("post-entry actions please", ("post-entry actions", "metric")),
        ("staff numbers in FY2025", ("FY2025", "period")),
        ("entries in Q3 FY2025", ("Q3 FY2025", "period")),
        ("entries last quarter", ("last quarter", "period")),
        ("which center handles frozen shrimp", ("frozen shrimp", "product")),
        ("status of CR-2026-000123?", ("CR-2026-000123", "request_ref")),
        ("what is a CF-28", ("CF-28", "form")),
        ("and who sends CF-29s", ("CF-29s", "form")),
        ("we got two cbp form 28s", ("cbp form 28s", "form")),
    ],
)
def test_entity_found(nlp: spacy.language.Language, text: str, expected: tuple[str, str]) -> None:
    assert expected in ents(nlp, text)


@pytest.mark.parametrize(
    "text, label",
    [
        ("what happened in 2019", "hts_code"),  # years are not headings
        ("call me at 555-1234", "ior_number"),
        ("we have 20 users", "hts_code"),
        ("12-34 is not a number", "ior_number"),
        ("a center in Boston", "center"),
        ("the year 2026 was good", "period"),
        ("reference CR-26-1", "request_ref"),
        ("hello there", "product"),
    ],
)
def test_entity_not_found(nlp: spacy.language.Language, text: str, label: str) -> None:
    assert label not in [lbl for _, lbl in ents(nlp, text)]


def test_identifiers_are_one_token(nlp: spacy.language.Language) -> None:
    for ident in ("12-3456789AB", "123-45-6789", "232704-00123", "CR-2026-000123"):
        assert [t.text for t in nlp(f"see {ident}.")] == ["see", ident, "."]


def test_lookup_lemmatizer(nlp: spacy.language.Language) -> None:
    assert [t.lemma_ for t in nlp("importers were filing entries")] == ["importer", "be", "file", "entry"]


def test_the_path_changes_with_the_patterns() -> None:
    kb = knowledge()
    before = pipeline_path(kb)
    kb.centers[0] = type(kb.centers[0])(**{**kb.centers[0].__dict__, "short_names": ("A new name",)})
    try:
        assert pipeline_path(kb) != before
    finally:
        reset_knowledge()


def test_patterns_survive_initialize() -> None:
    nlp = create_pipeline(knowledge())
    assert ("Laredo", "center") in [(e.text, e.label_) for e in nlp("Laredo").ents]


def test_the_path_is_the_same_in_every_process() -> None:
    import os
    import subprocess
    import sys

    code = (
        "from bot.knowledge import knowledge, reset_knowledge; from bot.nlp import pipeline_path; "
        "print(pipeline_path(knowledge()))"
    )
    paths = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(paths) == 1, paths

"""knowledge/ loading and validation, Center and HTS look-ups, and the generated files."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.build import main as build_main
from bot.build import render_config, render_domain, render_lookups, stale_files
from bot.knowledge import KnowledgeError, knowledge, load_knowledge, normalise_hts
from bot.nlg import responses_of
from bot.settings import ROOT


def test_the_knowledge_loads() -> None:
    kb = knowledge()
    assert [c.code for c in kb.centers] == [f"CEE{n:03d}" for n in range(1, 11)]
    assert len([a for a in kb.articles if a.intent == "faq"]) >= 40
    assert all(len(a.questions) >= 8 and a.source.startswith("https://") for a in kb.articles)
    assert len(kb.chapters) == 96  # 01-97 without the reserved chapter 77


@pytest.mark.parametrize(
    "text, code",
    [
        ("Where is the Machinery Center?", "CEE010"),
        ("laredo", "CEE010"),
        ("CEE005", "CEE005"),
        ("cee001", "CEE001"),
        ("Pharmaceuticals, Health and Chemicals", "CEE001"),
        ("the Apparel, Footwear & Textiles Center", "CEE004"),
        ("Long Beach", "CEE007"),
        ("base metals", "CEE005"),
        ("Buffalo", "CEE009"),
    ],
)
def test_find_center_by_name_short_name_code_or_city(text: str, code: str) -> None:
    center = knowledge().find_center(text)
    assert center is not None and center.code == code


@pytest.mark.parametrize("text", ["", "the moon", "Centre of nothing", "Boston"])
def test_find_center_finds_nothing_in_other_text(text: str) -> None:
    assert knowledge().find_center(text) is None


@pytest.mark.parametrize(
    "text, center, confidence, by_heading",
    [
        ("chapter 3", "CEE002", "inferred", False),
        ("03", "CEE002", "inferred", False),
        ("3004", "CEE001", "published", False),
        ("8471.30.0100", "CEE007", "inferred", True),  # heading exception wins over chapter 84 (Machinery)
        ("8479", "CEE010", "inferred", False),
        ("8511.10", "CEE003", "published", True),
        ("3304.99", "CEE008", "inferred", True),
        ("9018.90.80", "CEE001", "published", True),
        ("8703", "CEE003", "published", False),
    ],
)
def test_classify_hts(text: str, center: str, confidence: str, by_heading: bool) -> None:
    answer = knowledge().classify_hts(text)
    assert answer is not None and answer.center is not None
    assert (answer.center.code, answer.confidence, answer.by_heading) == (center, confidence, by_heading)


def test_classify_hts_unpublished_and_special_chapters() -> None:
    kb = knowledge()
    tanks = kb.classify_hts("7310.10")
    assert tanks is not None and tanks.center is None and tanks.confidence == "unpublished"
    special = kb.classify_hts("9802.00.80")
    assert special is not None and special.follows_goods
    assert kb.classify_hts("7701") is None  # chapter 77 is reserved
    assert kb.classify_hts("123") is None


@pytest.mark.parametrize(
    "text, digits", [("chapter 3", "03"), ("HTS 8471.30", "847130"), ("8471 30 01 00", "8471300100")]
)
def test_normalise_hts(text: str, digits: str) -> None:
    assert normalise_hts(text) == digits


@pytest.mark.parametrize(
    "words, chapter",
    [
        ("frozen shrimp", "03"),
        ("steel pipe", "73"),
        ("laptops", "84"),
        ("brake pads", "87"),
        ("leather handbags", "42"),
    ],
)
def test_find_product(words: str, chapter: str) -> None:
    found = knowledge().find_product(f"which center handles {words}?")
    assert found is not None and found[1][:2] == chapter


def test_find_product_nothing() -> None:
    assert knowledge().find_product("hello there") is None


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        ("centers.yml", "code: CEE010", "code: CEE011", "CEE011"),
        ("hts/chapters.csv", "01,Live animals,CEE002,inferred", "01,Live animals,CEE099,inferred", "line 2"),
        ("hts/headings.csv", "8511,8511,CEE003,published", "8511,8511,CEE003,certain", "confidence"),
        ("faq/change.yml", "source: https://", "source: http://", "https"),
        ("centers.yml", "centers:", "centers: [", "not valid YAML"),
        ("replies/centers.yml", '"the {center} in {city}"', '"the {center in {city}"', "braces"),
        ("replies/figures.yml", '- text: "Rank"', '- text: ""', "needs a text"),
        ("word_classes.yml", '  - "yes"', "  - yes", "line 10: class 'agreeing': True is not a word"),
        ("word_classes.yml", "  - nope", "  - Nope", "lower case"),
    ],
)
def test_mistakes_name_the_file_and_line(kb_copy: Path, file: str, old: str, new: str, message: str) -> None:
    _break(kb_copy / file, old, new)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    assert file.split("/")[-1] in str(info.value) and message in str(info.value)


def test_a_question_used_twice_is_refused(kb_copy: Path) -> None:
    kb = load_knowledge(kb_copy)
    first = kb.articles[0]
    other = next(a for a in kb.articles if a.path != first.path)
    text = other.path.read_text()
    other.path.write_text(text.replace(f"- {other.questions[0]}", f"- {first.questions[0]}", 1))
    with pytest.raises(KnowledgeError, match="used twice"):
        load_knowledge(kb_copy)


def test_generated_files_are_up_to_date() -> None:
    stale = stale_files(knowledge())
    assert not stale, f"run `python -m bot.build`: out of date: {stale}"
    assert subprocess.run([sys.executable, "-m", "bot.build", "--check"], cwd=ROOT).returncode == 0


def test_the_training_seed_is_7_unless_set(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    kb = knowledge()
    monkeypatch.delenv("CEE_TRAINING_SEED", raising=False)
    assert "\n    random_seed: 7\n" in render_config(kb)
    monkeypatch.setenv("CEE_TRAINING_SEED", "23")
    assert "\n    random_seed: 23\n" in render_config(kb)
    monkeypatch.setenv("CEE_TRAINING_SEED", "seven")
    with pytest.raises(ValueError, match="whole number"):
        render_config(kb)
    returned = build_main(["--check"])  # in this process: no second start-up of TensorFlow and the knowledge
    assert returned == 2 and "CEE_TRAINING_SEED='seven': a random seed is a whole number" in capsys.readouterr().err


def test_every_generated_file_says_so() -> None:
    for name in ("domain.yml", "config.yml", "bot/data/faq.yml", "bot/data/lookups.yml"):
        assert (ROOT / name).read_text().startswith("# GENERATED by `python -m bot.build`")


def test_an_edited_answer_changes_the_replies_but_not_the_training_inputs(kb_copy: Path) -> None:
    path = kb_copy / "faq" / "change.yml"
    kb = load_knowledge(kb_copy)
    article = next(a for a in kb.articles if a.id == "change_how")
    raw = path.read_text()
    first_line = raw.index("\n", raw.index("answer:", raw.index("id: change_how"))) + 1  # the answer's first line
    end = raw.index("\n", first_line)
    edited_raw = raw[:first_line] + "      EDITED ANSWER for the test." + raw[end:]
    path.write_text(edited_raw.replace("title: How to change your Center", "title: Changing your Center (edited)"))
    edited = load_knowledge(kb_copy)
    assert next(a for a in edited.articles if a.id == "change_how").title == "Changing your Center (edited)"
    replies = responses_of(edited)
    assert replies["utter_faq/change_how"][0]["text"].startswith("EDITED ANSWER for the test.")
    assert replies["utter_faq/change_how"][0]["text"].endswith(f"Source: {article.source}")
    assert responses_of(kb)["utter_faq/change_how"][0]["text"] == f"{article.answer}\n\nSource: {article.source}"
    assert render_domain(edited) == render_domain(kb)  # no training input changed: nothing to retrain
    assert render_config(edited) == render_config(kb)  # nor the spelling dictionary


def test_the_package_keeps_one_public_surface() -> None:
    import bot.knowledge as package

    for name in package.__all__:
        assert getattr(package, name) is not None, name
    assert package.knowledge() is package.knowledge()  # loaded once, kept while no file changes
    assert package.KnowledgeError.__module__ == "bot.knowledge.files"


def test_lookup_tables_have_each_spanish_name_as_users_type_it() -> None:
    # Spanish is read without its accents (bot/spelling.py), except a word whose bare form is common English ("té")
    tables = render_lookups(knowledge())
    assert "      - Centro de Electrónica\n" in tables and "      - Centro de Electronica\n" in tables
    assert "      - té\n" in tables and "      - te\n" not in tables

"""The other languages of knowledge/ (bot/knowledge/translations.py): every English reply and article has its
translation, with the same placeholders, buttons and source, or is listed as English only with a reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot import language, replies
from bot.actions.common import hts_answer
from bot.knowledge import KnowledgeError, knowledge, load_knowledge
from bot.settings import KNOWLEDGE_DIR
from tests.knowledge_copy import edit


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of knowledge/ whose es/ folder is the English texts under the Spanish names (a complete translation)."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    es = target / "es"
    shutil.rmtree(es, ignore_errors=True)
    shutil.copytree(target / "replies", es / "replies")
    shutil.copytree(target / "faq", es / "faq")
    centers = yaml.safe_load((target / "centers.yml").read_text(encoding="utf-8"))["centers"]
    glosses = [
        {"code": c["code"], "gloss": f"Centro {c['code']}", "industries": "acero", "words": ["acero"]} for c in centers
    ]
    (es / "centers.yml").write_text(yaml.safe_dump({"centers": glosses}), encoding="utf-8")
    return target


def test_a_complete_translation_loads(kb: Path) -> None:
    spanish = load_knowledge(kb).translations["es"]
    english = load_knowledge(kb)
    assert set(spanish.responses) == set(english.responses)
    assert {a.retrieval_intent for a in spanish.articles} == {a.retrieval_intent for a in english.articles}
    assert spanish.glosses["CEE007"] == "Centro CEE007" and spanish.center_words["CEE007"] == ("acero",)


def test_the_real_translations_load_when_there_are_some() -> None:
    translations = load_knowledge().translations
    assert set(translations) <= {"es"}
    for translation in translations.values():
        assert translation.responses and len(translation.glosses) == 10


def test_a_missing_reply_names_the_file_to_add_it_to(kb: Path) -> None:
    path = kb / "es" / "replies" / "general.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["responses"]["utter_help"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"es/replies/general.yml: reply 'utter_help' has no es text"):
        load_knowledge(kb)
    (kb / "es" / "english_only.yml").write_text("replies:\n  utter_help: not translated yet\n", encoding="utf-8")
    assert "utter_help" not in load_knowledge(kb).translations["es"].responses
    (kb / "es" / "english_only.yml").write_text("replies:\n  utter_help: ''\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="'utter_help' needs a reason"):
        load_knowledge(kb)


def test_a_placeholder_or_an_intent_payload_must_be_kept(kb: Path) -> None:
    path = kb / "es" / "replies" / "figures.yml"
    edit(path, "{period}", "{periodo}")
    with pytest.raises(KnowledgeError, match=r"es/replies/figures.yml, line \d+: reply '\w+' must use the English"):
        load_knowledge(kb)


def test_an_intent_payload_must_be_kept(kb: Path) -> None:
    payloads = [
        (path, line.split("payload:", 1)[1].strip())
        for path in sorted((kb / "es" / "replies").glob("*.yml"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if "payload: /" in line or "payload: '/" in line or 'payload: "/' in line
    ]
    assert payloads, "some English reply has an /intent payload"
    path, payload = payloads[0]
    edit(path, payload, payload.replace("/", "/x", 1))
    with pytest.raises(KnowledgeError, match="keep the payload"):
        load_knowledge(kb)


def test_an_article_needs_its_translation_and_the_same_source(kb: Path) -> None:
    edit(kb / "es" / "faq" / "work.yml", "source: https://", "source: https://example.org/")
    with pytest.raises(KnowledgeError, match=r"es/faq/work.yml, line \d+: source of 'faq/\w+' must be https://"):
        load_knowledge(kb)


def test_an_article_without_english_is_refused(kb: Path) -> None:
    edit(kb / "es" / "faq" / "change.yml", "- id: ", "- id: solo_es_")
    with pytest.raises(KnowledgeError, match=r"has no English article|has no es text"):
        load_knowledge(kb)


def test_every_center_needs_its_gloss(kb: Path) -> None:
    edit(kb / "es" / "centers.yml", "code: CEE010", "code: CEE099")
    with pytest.raises(KnowledgeError, match=r"es/centers.yml, line \d+: 'CEE099' is not a Center"):
        load_knowledge(kb)


def test_every_center_says_what_it_covers_in_spanish(kb: Path) -> None:
    edit(kb / "es" / "centers.yml", "  industries: acero\n", "")
    with pytest.raises(KnowledgeError, match=r"es/centers.yml, line \d+: 'industries' is missing"):
        load_knowledge(kb)


def test_a_spanish_answer_says_what_a_center_covers_in_spanish() -> None:
    center = knowledge().center("CEE005")
    with language.use(language.SPANISH):
        assert replies.center_industries(center).startswith("hierro y acero")
    assert replies.center_industries(center) == center.industries


def test_replies_and_articles_are_rendered_in_the_language_of_the_answer(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import language, nlg, replies

    edit(kb / "es" / "replies" / "general.yml", "Here is what you can ask me", "Esto es lo que puede preguntarme")
    edit(kb / "es" / "faq" / "about.yml", "answer: |\n", "answer: |\n      En español.\n")
    loaded = load_knowledge(kb)
    monkeypatch.setattr(replies, "knowledge", lambda: loaded)
    article = next(a for a in loaded.articles if a.path.name == "about.yml")
    assert replies.text("utter_help").startswith("Here is what you can ask me")
    assert not replies.article_reply(article).startswith("En español.")
    with language.use(language.SPANISH):
        assert replies.text("utter_help").startswith("Esto es lo que puede preguntarme")
        assert replies.article_reply(article).startswith("En español.")
    spanish = nlg.responses_of(loaded, language.SPANISH)
    assert spanish["utter_help"][0]["text"].startswith("Esto es lo que puede preguntarme")
    assert spanish[article.response_name][0]["text"].startswith("En español.")
    assert nlg.responses_of(loaded)["utter_help"][0]["text"].startswith("Here is what you can ask me")


def test_every_language_names_twelve_months() -> None:
    from bot import language, replies

    for chosen in (language.ENGLISH, *load_knowledge().translations):
        with language.use(chosen):
            names = [replies.month(n) for n in range(1, 13)]
            short = [replies.month(n, short=True) for n in range(1, 13)]
        assert len(set(names)) == len(set(short)) == 12 and all(names) and all(short)
        for name in ("utter_month_names", "utter_month_short_names"):
            assert replies.text(name).count(",") == 11


# -- HTS chapter titles (knowledge/es/hts/chapters.csv) ---------------------------------------------------------------
def test_every_hts_chapter_has_its_spanish_title() -> None:
    kb = load_knowledge()
    titles = kb.translations["es"].chapter_titles
    assert set(titles) == set(kb.chapters)
    assert all(titles[c] != kb.chapters[c].title for c in titles), "a title left in English"


def test_a_spanish_answer_names_the_chapter_in_spanish() -> None:
    answer = knowledge().classify_hts("8471.30")
    assert answer is not None
    with language.use("es"):
        assert replies.chapter_title("84") in hts_answer(answer, "8471.30")
        assert "boilers" not in hts_answer(answer, "8471.30")
    assert knowledge().chapters["84"].title in hts_answer(answer, "8471.30")


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("01,Animales vivos\n", "", r"chapter\(s\) 01 have no title"),
        ("01,Animales vivos", "77,Animales vivos", r"line 2: chapter '77' is not in hts/chapters.csv"),
        ("02,Carne y despojos comestibles", "01,Carne", r"line 3: chapter 01 needs one title, given once"),
        ("01,Animales vivos", "01,", r"line 2: chapter 01 needs one title, given once"),
    ],
)
def test_a_mistake_in_the_spanish_chapter_titles_is_shown_with_its_line(
    kb_copy: Path, old: str, new: str, error: str
) -> None:
    edit(kb_copy / "es" / "hts" / "chapters.csv", old, new)
    with pytest.raises(KnowledgeError, match=rf"es/hts/chapters.csv(, {error}|: {error})"):
        load_knowledge(kb_copy)


# -- HTS heading notes (knowledge/es/hts/headings.csv) ----------------------------------------------------------------
def test_a_spanish_answer_gives_the_heading_note_in_spanish() -> None:
    for code, english in (("8712.00", "bicycles are outside"), ("7310.10", "tanks and containers")):
        answer = knowledge().classify_hts(code)
        assert answer is not None and answer.by_heading
        with language.use(language.SPANISH):
            assert english not in hts_answer(answer, code)
            assert replies.hts_note(answer.note)[1:] in hts_answer(answer, code)  # the first letter may be capital
        assert english in hts_answer(answer, code).lower()


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("8712,8712,las bicicletas", "8799,8799,las bicicletas", r"line \d+: headings 8799-8799 have no note in"),
        ("8715,8715,los coches", "8712,8712,los coches", r"line \d+: headings 8712-8712 need one note, given once"),
        ("9402,9402,el mobiliario médico está en el ámbito publicado del Pharmaceuticals Center\n", "", r"9402-9402"),
    ],
)
def test_a_mistake_in_the_spanish_heading_notes_is_shown_with_its_line(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    edit(target / "es" / "hts" / "headings.csv", old, new)
    with pytest.raises(KnowledgeError, match=error):
        load_knowledge(target)

"""The messages that choose the conversation's language (``knowledge/languages.yml``; ``bot.language.chosen_by``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.knowledge.files import KnowledgeError, read_yaml
from bot.knowledge.words import plain

LANGUAGES = ("en", "es")
MAX_WORDS = 8  # a longer message is a question, even if it names a language


@dataclass(frozen=True)
class LanguageChoice:
    """The words that name each language, and the words a message that chooses one may have around the name."""

    names: dict[str, str] = field(default_factory=dict)  # word (lower case, without accents) -> language
    around: frozenset[str] = frozenset()

    def chosen_by(self, words: list[str]) -> Optional[str]:
        """The language a message of ``words`` (lower case, without accents or punctuation) chooses: it names one
        language and has no other words than :attr:`around`, eight at most; None otherwise.
        """
        named = {self.names[word] for word in words if word in self.names}
        if len(named) != 1 or len(words) > MAX_WORDS:
            return None
        return named.pop() if all(word in self.names or word in self.around for word in words) else None


def load_language_choice(path: Path) -> LanguageChoice:
    """``languages.yml`` (optional: without it only "/es" and "/en" choose).

    Raises:
        KnowledgeError: an unknown language, a name given twice, a name also listed under ``around``, or an entry
            that is not a word.
    """
    if not path.exists():
        return LanguageChoice()
    data = read_yaml(path)
    line = data.get("__line__")
    named, listed = data.get("names") or {}, data.get("around") or []
    if not isinstance(named, dict) or not isinstance(listed, list):
        raise KnowledgeError(path, line, "names must map each language to a list of words, and around be a list")
    names: dict[str, str] = {}
    for language, words in named.items():
        if language == "__line__":
            continue
        if language not in LANGUAGES or not isinstance(words, list) or not words:
            raise KnowledgeError(path, line, f"names: '{language}' must be one of {', '.join(LANGUAGES)}, with words")
        for word in _words(path, line, words):
            if word in names:
                raise KnowledgeError(path, line, f"names: '{word}' is given twice")
            names[word] = language
    around = frozenset(w for phrase in _words(path, line, listed) for w in phrase.split())
    both = sorted(around & set(names))
    if both:
        raise KnowledgeError(path, line, f"'{both[0]}' is a language's name: it may not be listed under around")
    return LanguageChoice(names, around)


def _words(path: Path, line: Optional[int], values: list[object]) -> list[str]:
    """``values`` in lower case without accents; each must be a string (YAML reads a bare yes, no or on as a boolean:
    quote them).
    """
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(path, line, f"{value!r} is not a word: write it in quotes")
    return [plain(str(value).lower().strip()) for value in values]

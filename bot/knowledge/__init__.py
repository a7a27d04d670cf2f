"""Load and validate ``knowledge/`` into typed objects: Centers, the HTS table, product words and FAQ articles.

This package is the only place that reads ``knowledge/``. Every mistake is reported as a :class:`KnowledgeError` that
names the file and line, so that CBP staff can fix content without knowing Rasa. Import from here:

* :mod:`bot.knowledge.model`: the types (:class:`Knowledge` and its look-ups, :class:`Center`, :class:`Article`, ...);
* :mod:`bot.knowledge.load`: :func:`load_knowledge`, and :func:`knowledge`, reloaded when a file changes;
* :mod:`bot.knowledge.tables` and :mod:`bot.knowledge.texts`: the readers of each kind of file, with their checks;
* :mod:`bot.knowledge.translations`: the other languages (``knowledge/es/``), checked against the English texts;
* :mod:`bot.knowledge.files`: reading YAML and CSV with line numbers, and :class:`KnowledgeError`;
* :mod:`bot.knowledge.words`: HTS references (:func:`normalise_hts`), folded names, reflowed answers.
"""

from bot.knowledge.files import KnowledgeError
from bot.knowledge.load import RELOAD_CHECK_SECONDS, knowledge, load_knowledge, reset_knowledge
from bot.knowledge.model import Article, Center, HtsAnswer, HtsRule, Knowledge, Product
from bot.knowledge.tables import CENTER_CODE, CONFIDENCE
from bot.knowledge.texts import ARTICLE_ID, MIN_QUESTIONS
from bot.knowledge.words import CHAPTER_WORD, NUMBER_WORDS, normalise_hts, reflow

__all__ = [
    "ARTICLE_ID",
    "CENTER_CODE",
    "CHAPTER_WORD",
    "CONFIDENCE",
    "MIN_QUESTIONS",
    "NUMBER_WORDS",
    "RELOAD_CHECK_SECONDS",
    "Article",
    "Center",
    "HtsAnswer",
    "HtsRule",
    "Knowledge",
    "KnowledgeError",
    "Product",
    "knowledge",
    "load_knowledge",
    "normalise_hts",
    "reflow",
    "reset_knowledge",
]

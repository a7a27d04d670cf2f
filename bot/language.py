"""Which language a conversation is in (issue 16): English unless the user writes Spanish.

Each message's language is read from its words' frequencies in English and in Spanish (wordfreq, which the
spelling step already uses: nothing is downloaded): every word adds how much more common it is in Spanish than in
English (in Zipf units, a factor of ten each), and the conversation changes language only when the sum says so by a
clear margin (``MARGIN``): "que centro maneja el acero", "hola" or "gracias" are Spanish, "which center handles
acero" stays English, and "ok", "CEE007", "8471.30" or "partner accounts en CEE003" keep the language they came in. On
the 1,862 turns of the English conversation set, clean and with typos, no turn is taken for Spanish. lingua
(``lingua-language-detector``, English and Spanish models) was measured first and missed one Spanish turn in six:
short messages in Spanglish and trade jargon, which word frequencies read better.

The user may also choose a language (``/es``, ``/en``; :func:`chosen_by` for the words that choose one, "español",
"English"): Rasa reads a message starting with "/" as the intent it names, so ``es`` and ``en`` are intents, and the
slot ``language`` (:data:`SLOT`, ``bot/domain/language.yml``) keeps the choice in the tracker. From then on every
message is read in the chosen language whatever its words (:func:`of_message`; a message's metadata ``language``
still wins for that message), until the user chooses again.

The language of the message being answered is kept in a context variable (:func:`use`, :func:`set_current`,
:func:`current`), set by the action server for each action it runs and by the reply generator for each reply, and
read by the reply renderer (``bot/replies.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Optional

from wordfreq import zipf_frequency

from bot.knowledge import knowledge  # which does not import this module

ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)
PARSE_KEY = "language"  # the message's language in the parse data
REPLY_KEY = "language"  # a bot message's language, in its metadata (bot/nlg.py, the action server)
SLOT = "language"  # the language the user chose (the intents ``es`` and ``en``, sent as "/es" and "/en")
MARGIN = 2.0  # Zipf units: the message's words together a hundred times more common in one language
FLOOR = 1.0  # the Zipf frequency of a word a language does not have (wordfreq says 0)
_WORD = re.compile(r"[^\W\d_]+")
_COMMANDS = {"/es": SPANISH, "/en": ENGLISH}  # the choice itself (Rasa reads them as the intents es and en)
_current: ContextVar[str] = ContextVar("language", default=ENGLISH)


def spanish_lean(text: str, neutral: Collection[str] = ()) -> float:
    """How much more Spanish than English ``text``'s words are, in Zipf units (negative: more English); the words in
    ``neutral`` (lower case) do not count.
    """
    return sum(
        max(zipf_frequency(word, SPANISH), FLOOR) - max(zipf_frequency(word, ENGLISH), FLOOR)
        for word in _WORD.findall(text.lower())
        if word not in neutral
    )


def detect(text: str, previous: str = ENGLISH, neutral: Collection[str] = ()) -> str:
    """The language of ``text`` in a conversation that was in ``previous`` until now (see the module docstring);
    the words in ``neutral`` say nothing of it (English trade words Spanish speakers use as they are: "partner
    accounts en CEE003" is Spanish).
    """
    lean = spanish_lean(text, neutral)
    return SPANISH if lean >= MARGIN else ENGLISH if lean <= -MARGIN else previous


def _known(value: Any) -> Optional[str]:
    """``value`` if it is one of :data:`LANGUAGES`, else None."""
    return str(value) if value in LANGUAGES else None


def of_message(
    text: str, previous: str = ENGLISH, chosen: Any = None, named: Any = None, neutral: Collection[str] = ()
) -> str:
    """The language to read a message in: the one its metadata names (``named``, for this message only), else the one
    the user chose (``chosen``, the slot :data:`SLOT`: it sticks until changed), else the one its words show in a
    conversation that was in ``previous`` (:func:`detect`, the words in ``neutral`` not counted).
    """
    return _known(named) or _known(chosen) or detect(text, previous, neutral)


def of_conversation(parse_data_newest_first: Iterable[Any], chosen: Any = None) -> str:
    """The language to answer in: the one recorded in the newest message's parse data. A message that has none (a
    button's ``/intent`` payload, or the choice itself: both skip the NLU) is answered in the language the user
    chose (``chosen``), else in that of the newest message that has one; English when none has.
    """
    choice = _known(chosen)
    for parse_data in parse_data_newest_first:
        found = _known(parse_data.get(PARSE_KEY) if isinstance(parse_data, dict) else None)
        if found or choice:
            return found or str(choice)
    return choice or ENGLISH


def chosen_by(text: str) -> Optional[str]:
    """The language a message that chooses one chooses: "/es", "/en", or a short message that names one language with
    no other words than those ``knowledge/languages.yml`` allows ("español", "English", "answer in Spanish please",
    "en español por favor", whatever their case, accents and punctuation); None for any other message.
    """
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
    command = re.sub(r"[^\w/]", "", folded)  # "/es", "/EN!"
    if command in _COMMANDS:
        return _COMMANDS[command]
    # Every word counts, numbers too: "8471 in spanish" is a question, not a choice.
    return knowledge().language_choice.chosen_by(re.findall(r"[^\W_]+(?:'[^\W_]+)?", folded))


def as_choice(text: str) -> str:
    """``text``, or the choice command ("/es", "/en") when ``text`` chooses a language (:func:`chosen_by`): how
    the channels let "español" choose Spanish (Slack keeps "/es" for its own slash commands).
    """
    chosen = chosen_by(text)
    return f"/{chosen}" if chosen else text


def current() -> str:
    """The language of the message being answered."""
    return _current.get()


def set_current(language: str) -> None:
    """Answer in ``language`` from now on in this task (the action server sets it for each request)."""
    _current.set(language if language in LANGUAGES else ENGLISH)


@contextmanager
def use(language: str) -> Iterator[None]:
    """Answer in ``language`` within the block."""
    token = _current.set(language if language in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _current.reset(token)

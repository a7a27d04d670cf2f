"""The reading of answers: text in, a value out, or :class:`Invalid` with the reply key that asks again.

Pure functions: no Tracker, no dispatcher. Choices are read in :mod:`bot.requests.choices`, HTS profiles in
:mod:`bot.requests.hts_profile`, sites in
:mod:`bot.requests.places`, time zones and months in :mod:`bot.requests.times`.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from bot import replies
from bot.ior import IorFormatError, IorNumber, mask_text, parse_ior
from bot.requests.wording import ordinal
from bot.requests.words import said_alone, words
from bot.vocab import REF_PREFIX_PATTERN


class Invalid(ValueError):
    """An answer that must be asked again; ``response`` (with ``values``) says why."""

    def __init__(self, response: str, **values: Any) -> None:
        super().__init__(response)
        self.response, self.values = response, values


def fold(text: Any) -> str:
    """The text on one line, with single spaces (``None`` gives ``""``)."""
    return " ".join(str(text or "").split())


_YES = r"yes|y|yep|yeah|yup|sure|ok|okay|correct|right|that'?s (it|right|correct)|confirm"
_NO = r"no|n|nope|nah|not really|none|n/a"
_SMALL_TALK = re.compile(r"^\W*(hi|hello|hey|thanks|thank you|thx|bye|goodbye|ok bye|help|\?+)\W*$", re.I)
PAYLOAD = re.compile(r"^\s*/\w+")


def is_yes(text: str) -> bool:
    """The answer is a yes and nothing else: ``yes``, ``sure``, ``sí``, ``de acuerdo``."""
    return said_alone("affirm", _YES, text)


def is_no(text: str) -> bool:
    """The answer is a no and nothing else: ``no``, ``none``, ``ninguno``."""
    return said_alone("deny", _NO, text)


def is_filler(text: str) -> bool:
    """A yes/no word, a greeting or thanks, or a button payload: never a name or a topic."""
    return bool(is_yes(text) or is_no(text) or _SMALL_TALK.match(text) or PAYLOAD.match(text))


_IOR_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-\u2010\u2011\u2013][A-Za-z0-9]+)*")


def _looks_numbered(token: str) -> bool:
    """A word meant as a number: five digits or more, or three or more with a hyphen (``99-999``)."""
    digits = sum(c.isdigit() for c in token)
    return digits >= 5 or (digits >= 3 and bool(re.search(r"[-\u2010\u2011\u2013]", token)))


def parse_ior_numbers(text: str) -> list[IorNumber]:
    """Every IOR number in the text (one or several, any of the three formats; words around them are ignored).

    Raises:
        Invalid: no number, or a number in no known format (the message never repeats the number).
    """
    tokens = [t for t in _IOR_TOKEN.findall(text or "") if _looks_numbered(t)]
    if not tokens:
        raise Invalid("utter_invalid_ior_numbers", which=replies.text("utter_that_number"))
    found: list[IorNumber] = []
    for position, token in enumerate(tokens, 1):
        try:
            ior = parse_ior(re.sub(r"[\u2010\u2011\u2013]", "-", token))
        except IorFormatError:
            which = (
                replies.text("utter_that_number")
                if len(tokens) == 1
                else replies.text("utter_nth_ior_number", position=ordinal(position))
            )
            raise Invalid("utter_invalid_ior_numbers", which=which) from None
        if ior.key not in {i.key for i in found}:
            found.append(ior)
    return found


_UNSURE = r"\b(not sure|unsure|don'?t know|do not know|no idea|unknown|not certain)\b"


def is_unsure(text: str) -> bool:
    """The answer says the user does not know: ``not sure``, ``no idea``, ``no sé``."""
    return bool(re.search(rf"{_UNSURE}|{words('unsure')}", fold(text).lower()))


_LETTER = r"[^\W\d_]"  # a letter of any alphabet ("Núñez")
_NAME_PREFIX = re.compile(
    r"^(?:(?:my|our|the|his|her|their)\s+)?(?:(?:full\s+)?name\s*(?:is|:)|contact\s*(?:is|:)?|please contact|"
    r"it'?s|it is|i'?m|i am|this is|call me)\s+",
    re.I,
)
_COMPANY_PREFIX = re.compile(
    r"^(?:(?:the|our|my)\s+)?(?:company(?:'s)?(?:\s+name)?|business(?:\s+name)?|name)\s*(?:is|:)\s*|"
    r"^(?:it'?s|it is|we are|we're|this is)\s+",
    re.I,
)


def _without_prefix(text: str, english: re.Pattern[str], other: str) -> str:
    """The text folded, without the words said before a name (``english``, or list ``other`` of the other
    languages: ``my name is``, ``me llamo``) and without quotes or a full stop around it.
    """
    rest = english.sub("", fold(text))
    rest = re.sub(rf"^(?:{words(other)})(?:\s*:\s*|\s+)", "", rest, flags=re.I)
    return rest.strip(" \"'`.")


def parse_company(text: str) -> str:
    """The company's name (``our company name is Acme`` works), masked.

    Raises:
        Invalid: ``utter_invalid_company`` for a filler word or no name.
    """
    name = _without_prefix(text, _COMPANY_PREFIX, "company_prefix")
    if is_filler(name) or not 2 <= len(name) <= 200 or not re.search(_LETTER, name):
        raise Invalid("utter_invalid_company")
    return mask_text(name)


def parse_contact_name(text: str) -> str:
    """The contact's name (``my name is Jane Doe`` works).

    Raises:
        Invalid: ``utter_invalid_contact_name`` for a filler word, an email, digits or no name.
    """
    name = _without_prefix(text, _NAME_PREFIX, "name_prefix")
    if (
        is_filler(name)
        or "@" in name
        or re.search(r"\d", name)
        or not 2 <= len(name) <= 100
        or not re.search(_LETTER + "{2}", name)
    ):
        raise Invalid("utter_invalid_contact_name")
    return name


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def parse_email(text: str) -> str:
    """The email address in the answer (``my email is x@y.com`` works), with its domain in lower case."""
    match = _EMAIL.search(text or "")
    if not match:
        raise Invalid("utter_invalid_email")
    email = match.group(0).rstrip(".")
    local, domain = email.rsplit("@", 1)
    labels = domain.split(".")
    if (
        len(email) > 254
        or len(local) > 64
        or ".." in local
        or local.startswith(".")
        or local.endswith(".")
        or any(not label or label.startswith("-") or label.endswith("-") for label in labels)
        or not re.fullmatch(r"[A-Za-z]{2,}", labels[-1])
    ):
        raise Invalid("utter_invalid_email")
    return f"{local}@{domain.lower()}"


def parse_free_text(text: str, response: str, minimum: int = 3, maximum: int = 1000) -> str:
    """A sentence in the user's words, folded and masked.

    Raises:
        Invalid: ``response`` for a filler word, fewer than ``minimum`` letters or more than ``maximum`` characters.
    """
    words = fold(text)
    if is_filler(words) or len(re.findall(_LETTER, words)) < minimum or len(words) > maximum:
        raise Invalid(response)
    return mask_text(words)


# ASCII digits only: \d would take the digits of any script, which are no reference (tests/security/test_fuzz.py).
REF = re.compile(rf"\b({REF_PREFIX_PATTERN})\s*-?\s*(\d{{4}})\s*-?\s*(\d{{6}})\b", re.I | re.ASCII)


def find_ref(text: Optional[str]) -> Optional[str]:
    """A request reference in the text, normalised (``cr 2026 000123`` → ``CR-2026-000123``)."""
    match = REF.search(text or "")
    return f"{match.group(1).upper()}-{match.group(2)}-{match.group(3)}" if match else None

"""The bot's vocabulary: the kinds of request, the five figures (metrics) and the words that name them, and sizes.

Each is defined here once and read by the NLU patterns (:mod:`bot.nlp`), the spelling dictionary and the misspelling
look-up (:mod:`bot.spelling`, :mod:`bot.fuzzy`), the conversation context (:mod:`bot.actions.context`), the database
(:mod:`bot.db`) and the request forms (:mod:`bot.requests`). Only identifiers and the words or patterns that name
them are kept here: what a user is shown (``partner accounts``, ``Mid-sized``) is a reply in ``knowledge/replies/``,
e.g. a metric's label is the reply named by :func:`label_reply`. Fiscal periods are in :mod:`bot.fiscal`.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- the kinds of request ----------------------------------------------------------------------------------------------
CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT = "change_center", "outreach_call", "site_visit"
REQUEST_KINDS: tuple[str, ...] = (CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT)
# The first part of a request's reference (CR-2026-000123).
REF_PREFIXES: dict[str, str] = {CHANGE_CENTER: "CR", OUTREACH_CALL: "OC", SITE_VISIT: "SV"}
REF_PREFIX_PATTERN = "|".join(REF_PREFIXES.values())  # "CR|OC|SV", for the patterns that find a reference


def request_intent(kind: str) -> str:
    """The intent that starts a request of ``kind``: ``request_change_center``."""
    return f"request_{kind}"


REQUEST_INTENTS: tuple[str, ...] = tuple(request_intent(kind) for kind in REQUEST_KINDS)
# The slot that holds the kind of a confirmed request not stored yet (the database was unreachable): "try again" stores
# it (bot/actions/request_steps.py); while it is set, a request is waiting (bot/followups.py).
PENDING_SUBMIT = "pending_submit"
# Words that name one kind of request ("please start a visit request", "quiero una visita"), English then Spanish,
# to tell the kinds apart.
REQUEST_WORDS: dict[str, str] = {
    CHANGE_CENTER: r"\b(chang\w*|switch\w*|mov(e|ed|ing)|transfer\w*|reassign\w*|appeal\w*|"
    r"cambi\w*|mover\w*|mud\w*|reasign\w*|apela\w*)\b",
    OUTREACH_CALL: r"\b(call(s|ing)?|outreach|check-?ins?|llamad\w*|seguimiento)\b",
    SITE_VISIT: r"\b(visit\w*|on-?site|tour|en sitio|in situ|recorrido)\b",
}


# -- the figures -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """One of the figures kept for each Center and quarter, and the words that name it.

    Attributes:
        key: the metric's key: a column of the figures table, a slot value and part of its label's reply name.
        phrases: the entity-ruler phrases that name it (the ``metric`` entity).
        words: single words whose misspellings name it ("sttaef"); also domain words of the spelling dictionary.
        pattern: a regular expression that finds it in a message (checked in the order of :data:`MATCH_ORDER`).
        flow: a count of things done in a quarter, added up over a fiscal year; otherwise a count of accounts or
            people at a point in time, whose fiscal-year value is the latest quarter's.
    """

    key: str
    phrases: tuple[str, ...]
    words: tuple[str, ...]
    pattern: str
    flow: bool = False


_METRICS = (
    Metric(
        "importers",
        ("importers", "importers of record", "importer count", "importer counts"),
        ("importer", "importers", "importing"),
        r"importer",
    ),
    Metric(
        "partner_accounts",
        ("partner accounts", "partner account", "partner count", "partner counts"),
        ("partner", "partners", "partnership", "accounts"),
        r"partner",
    ),
    Metric(
        "entries",
        ("entries", "entry volume", "entry summaries", "entry summary volume", "entry count", "entry counts"),
        ("entries", "entry", "entres"),
        r"entr(y|ies)",
        flow=True,
    ),
    Metric(
        "post_entry_actions",
        (
            "post-entry actions",
            "post entry actions",
            "post-entry action",
            "post-entry volume",
            "post entry volume",
            "post-entry work",
            "post entry work",
            "post-entry",
            "post entry",
            "post-summary corrections",
        ),
        (),
        r"post[\s-]*(entry|summary)",
        flow=True,
    ),
    Metric(
        "staff",
        ("staff", "staffing", "employees", "personnel", "headcount", "officers", "people"),
        ("staff", "staffing", "staffed", "employees", "employee", "personnel", "headcount", "officers", "workers"),
        r"staff|employee|personnel|headcount|officer|people|workers|work there|works there",
    ),
)
METRICS: tuple[str, ...] = tuple(metric.key for metric in _METRICS)
BY_KEY: dict[str, Metric] = {metric.key: metric for metric in _METRICS}
FLOW_METRICS: tuple[str, ...] = tuple(metric.key for metric in _METRICS if metric.flow)
# The phrases of the ``metric`` entity, metric by metric.
METRIC_PHRASES: tuple[str, ...] = tuple(phrase for metric in _METRICS for phrase in metric.phrases)
# Every word whose misspelling names a figure, and the figure it names.
METRIC_WORDS: dict[str, str] = {word: metric.key for metric in _METRICS for word in metric.words}
# The order in which the patterns are tried: a name before the names it contains ("post entry" before "entry") and
# the one a phrase is about before the ones that qualify it ("importer partner accounts", "importer entries").
MATCH_ORDER: tuple[str, ...] = ("partner_accounts", "post_entry_actions", "importers", "entries", "staff")


def label_reply(metric: str) -> str:
    """The reply (``knowledge/replies/figures.yml``) that says what ``metric`` counts: ``utter_metric_staff``."""
    return f"utter_metric_{metric}"


# -- sizes -------------------------------------------------------------------------------------------------------------
# The size of an importer (in the database) and of the company asking for outreach calls.
SIZES: tuple[str, ...] = ("small", "mid", "large")
# The words that name each size in an answer (regular expressions on lower-case text).
SIZE_PATTERNS: dict[str, str] = {"small": r"\bsmall", "mid": r"\bmid|\bmedium", "large": r"\blarge|\bbig\b"}


# -- the answers of the request forms ----------------------------------------------------------------------------------
# The values stored for the choices of the request forms (the same whatever the language the user answers in), and
# the English words that name them (regular expressions on lower-case text; earlier values win where several are
# named). Other languages' words are in ``knowledge/<language>/words.yml`` (``answers``).
ROLES: tuple[str, ...] = ("importer", "broker")
ROLE_PATTERNS: dict[str, str] = {"importer": r"\bimporter|\bimport(ing|s)?\b|\bior\b", "broker": r"\bbroker"}
CADENCES: tuple[str, ...] = ("monthly", "quarterly")
CADENCE_PATTERNS: dict[str, str] = {  # quarterly first: "every three months"
    "quarterly": r"quarter|every (3|three) months|four times a year|4 times a year",
    "monthly": r"month",
}
REASONS: tuple[str, ...] = ("product_line", "business_practice", "other")
REASON_PATTERNS: dict[str, str] = {  # "other" only as the answer's first word
    "product_line": r"\bproduct",
    "business_practice": r"\bbusiness\b|\bpractice\b|\bindustry\b",
    "other": r"^\W*other\b",
}
TIME_ZONES: tuple[str, ...] = ("Eastern", "Central", "Mountain", "Pacific", "Alaska", "Hawaii")
SEASONS: tuple[str, ...] = ("spring", "summer", "fall", "winter")
# The answers of the request forms as named in "change my email" (a form's slot without its prefix: cc_email is
# email); "ior_number" also names the change of Center's ior_numbers.
FIELDS: tuple[str, ...] = (
    "ior_number",
    "current_center",
    "requested_center",
    "center",
    "reason",
    "hts_profile",
    "company",
    "contact_name",
    "email",
    "role",
    "size",
    "cadence",
    "time_zone",
    "site",
    "months",
    "topic",
)
# What each list of ``answers`` in ``knowledge/<language>/words.yml`` holds: words with no value (yes, no, not sure,
# any month, words said before a name or a company's name, percent, the "and" of a list of HTS chapters, the "to" of
# "March to May"), and words for each
# value of a choice (months by number).
ANSWER_WORDS: tuple[str, ...] = (
    "affirm",
    "deny",
    "unsure",
    "any",
    "name_prefix",
    "company_prefix",
    "percent",
    "and",
    "through",
)
ANSWER_VALUES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "size": SIZES,
    "cadence": CADENCES,
    "reason": REASONS,
    "time_zone": TIME_ZONES,
    "month": tuple(str(n) for n in range(1, 13)),
    "season": SEASONS,
    "field": FIELDS,
}

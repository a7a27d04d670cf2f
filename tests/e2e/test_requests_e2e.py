"""The guided requests over the real REST channel: one whole conversation per form, ending in a stored row; the status
question for that reference and its email; a repeated confirmation that stores nothing new; stopping a request."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from bot.language import spanish_lean
from tests.running import Bot, new_sender

SSN = "123-45-6789"


def rows(bot: Bot, kind: str, besides: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """The stored requests of a kind, as CBP staff export them, but those whose reference is in ``besides``.

    Other tests' stacks may share the database: a test passes the references stored before it began.
    """
    done = bot.db("export-requests", "--kind", kind, "-")
    assert done.returncode == 0, done.stderr
    return [row for row in csv.DictReader(io.StringIO(done.stdout)) if row["ref"] not in besides]


def refs(bot: Bot, kind: str) -> frozenset[str]:
    """The references of the stored requests of a kind."""
    return frozenset(row["ref"] for row in rows(bot, kind))


class Chat:
    """One user talking to the bot over REST."""

    def __init__(self, bot: Bot) -> None:
        self.bot, self.sender = bot, new_sender()
        self.transcript: list[str] = []

    def say(self, message: str) -> tuple[str, list[dict[str, Any]]]:
        replies = self.bot.send(message, self.sender)
        text = "\n".join(r.get("text", "") for r in replies)
        self.transcript += [f"> {message}", text]
        assert replies, f"no reply to {message!r}"
        return text, replies

    def text(self, message: str) -> str:
        return self.say(message)[0]

    def no_full_ssn(self) -> bool:
        # The user typed the number; the bot must never say it back in full. (The IOR question shows the format with
        # the example 123-45-6789, which happens to be the sample importer's number: that example is not an echo.)
        said = "\n".join(self.transcript[1::2]).replace(f"{SSN} (Social Security number", "")
        return SSN not in said and not re.search(r"(?<!\d)123456789(?!\d)", said)


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons", [])]


def test_change_of_center_request(bot: Bot) -> None:
    earlier = refs(bot, "change_center")
    chat = Chat(bot)
    assert "Let's prepare your change-of-Center request" in chat.text("I want to request a change of Center")
    answer = chat.text(f"12-3456789AB, {SSN}")
    assert "Is the **Machinery Center (CEE010)** your current Center?" in answer and "***-**-6789" in answer
    assert "Which Center do you want to move to?" in chat.text("/affirm")
    faq = chat.text("how long does a change of center take?")  # an FAQ in the middle, then back to the form
    assert "Which Center do you want to move to?" in faq and len(faq) > 120
    assert "must be a different one" in chat.text("Machinery")
    text, replies = chat.say("Electronics")
    assert "Why do you ask for the change?" in text and "Business practice" in buttons(replies)
    assert "top HTS chapters" in chat.text('/inform{"choice":"product_line"}')
    assert "no HTS chapter 77" in chat.text("77 50%")
    assert "company's name" in chat.text("85 70%, 84 20%")
    assert "Who should CBP contact" in chat.text("Acme Imports LLC")
    assert "email address" in chat.text("Jane Smith")
    assert "doesn't look like an email" in chat.text("jane at acme")
    summary, replies = chat.say("jane.smith@acme.com")
    assert "Here is your change-of-Center request" in summary and "12-3456789AB, ***-**-6789" in summary
    assert buttons(replies) == ["Confirm", "Change an answer", "Cancel"]
    assert rows(bot, "change_center", earlier) == []  # nothing is stored before the confirmation

    text, replies = chat.say("/affirm")
    ref = re.search(r"CR-\d{4}-\d{6}", text).group(0)
    assert "Office of Field Operations" in text and "not an official CBP form" in text
    download = next(r["custom"] for r in replies if r.get("custom"))
    assert download["filename"] == f"change-of-center-request-{ref}.txt" and "***-**-6789" in download["text"]
    assert SSN not in download["text"]

    again = chat.text("/affirm")  # a repeated confirmation (or a channel retry)
    assert f"already stored, with the reference **{ref}**" in again
    stored = rows(bot, "change_center", earlier)
    assert [r["ref"] for r in stored] == [ref]
    assert stored[0]["contact_email"] == "jane.smith@acme.com" and SSN not in stored[0]["details"]
    assert '"requested_center": "CEE007"' in stored[0]["details"]
    assert chat.no_full_ssn(), "\n".join(chat.transcript)

    reader = Chat(bot)  # a stored request is shown with its reference and the email given with it
    assert "email address that was given with it" in reader.text(f"What's the status of {ref}?")
    status = reader.text("jane.smith@acme.com")
    assert f"**{ref}** (change-of-Center request) is **submitted**" in status and "Submitted:" in status
    assert bot.db("set-status", ref, "under_review").returncode == 0
    assert "is **under review**" in Chat(bot).text(f"any update on {ref}? my email is Jane.Smith@acme.com")


def test_outreach_call_sign_up(bot: Bot) -> None:
    earlier = refs(bot, "outreach_call")
    chat = Chat(bot)
    assert "outreach calls" in chat.text("sign me up for outreach calls")
    assert "importer or a customs broker" in chat.text("Harbor Tools Group")
    assert "How big" in chat.text('/inform{"choice":"broker"}')
    assert "Which Center would you like calls with?" in chat.text('/inform{"choice":"small"}')
    assert "contact name" in chat.text("Base Metals")
    assert "email address" in chat.text("Tom Becker")
    assert "How often" in chat.text("tom@harbortools.com")
    assert "monthly" in chat.text("every week").lower()
    assert "time zone" in chat.text("Quarterly")
    summary = chat.text("America/Chicago")
    assert "Base Metals Center (CEE005)" in summary and "Quarterly, Central (America/Chicago) time" in summary
    text = chat.text("yes")
    ref = re.search(r"OC-\d{4}-\d{6}", text).group(0)
    assert "tom@harbortools.com" in text
    assert "already stored" in chat.text("yes")
    assert [r["ref"] for r in rows(bot, "outreach_call", earlier)] == [ref]
    assert "(outreach-call sign-up) is **submitted**" in Chat(bot).text(f"status of {ref} tom@harbortools.com")


def test_site_visit_request_with_a_changed_answer(bot: Bot) -> None:
    earlier = refs(bot, "site_visit")
    chat = Chat(bot)
    assert "on-site visit" in chat.text("I'd like to request an on-site visit")
    assert "importer of record" in chat.text("Gulf Energy Traders")  # a name the model takes for an FAQ
    assert "Should the **Petroleum, Natural Gas & Minerals Center (CEE006)** visit?" in chat.text("232704-00123")
    assert "city and state" in chat.text("yes")
    assert "Dayton, OH" in chat.text("Houston")  # no state: asked again
    assert "months" in chat.text("Houston, TX")
    assert "Who should the Center contact" in chat.text("March or April 2026")
    assert "email" in chat.text("Ana Ruiz")
    assert "cover" in chat.text("ana@gulfenergy.com")
    summary = chat.text("a walkthrough of our classification process")
    assert "Houston, TX" in summary and "March or April 2026" in summary and "232704-00123" in summary
    text, replies = chat.say("/change_answer")
    assert "Which answer would you like to change?" in text and "Preferred months" in buttons(replies)
    assert "Which months" in chat.text('/change_answer{"field":"sv_months"}')
    assert "June" in chat.text("June")
    text = chat.text("/affirm")
    ref = re.search(r"SV-\d{4}-\d{6}", text).group(0)
    assert "already stored" in chat.text("/affirm")
    stored = rows(bot, "site_visit", earlier)
    assert [r["ref"] for r in stored] == [ref] and '"months": ["June"]' in stored[0]["details"]
    unknown = Chat(bot).text("what's the status of SV-2026-999999 for ana@gulfenergy.com")
    assert "couldn't find a request with the reference **SV-2026-999999** and that email address" in unknown


def test_stopping_a_request_stores_nothing(bot: Bot) -> None:
    before = len(rows(bot, "change_center"))
    chat = Chat(bot)
    chat.text("start a center change for my company")
    chat.text("232704-00123")
    assert "Nothing was stored" in chat.text("cancel")
    assert len(rows(bot, "change_center")) == before
    assert "There's nothing to cancel" in chat.text("cancel")


def test_a_sign_up_in_spanish_stores_what_the_same_sign_up_in_english_does(bot: Bot) -> None:
    """Issue 16: a form started in Spanish stores the same fields as in English, so the staff export is unchanged."""
    answers = {
        "en": ["sign me up for outreach calls", "Sol Imports LLC", "importer", "small", "Machinery", "Ana Perez",
               "ana@solimports.com", "monthly", "central time"],
        "es": ["quiero inscribirme en las llamadas informativas", "Sol Imports LLC", "importador", "pequeña",
               "Machinery", "Ana Perez", "ana@solimports.com", "mensual", "hora del centro"],
    }  # fmt: skip
    stored = {}
    for lang, said in answers.items():
        earlier = refs(bot, "outreach_call")
        chat = Chat(bot)
        for message in said:
            chat.text(message)
        assert (spanish_lean(chat.transcript[-1]) > 0) == (lang == "es"), chat.transcript[-1]  # the summary's language
        yes = "yes" if lang == "en" else "sí"
        assert re.search(r"OC-\d{4}-\d{6}", chat.text(yes)), chat.transcript
        [row] = rows(bot, "outreach_call", earlier)
        stored[lang] = {key: row[key] for key in ("kind", "status", "contact_email", "details")}
    assert stored["es"] == stored["en"]

"""Conversations over the real REST channel, against the real servers."""

import urllib.request

from tests.running import Bot, new_sender


def test_where_is_the_machinery_center(bot: Bot) -> None:
    answer = bot.text("Where is the Machinery Center?")
    assert "Laredo" in answer and "Machinery Center (CEE010)" in answer


def test_a_center_named_by_city_or_code(bot: Bot) -> None:
    assert "Base Metals Center (CEE005)" in bot.text("what does CEE005 cover")
    assert "Electronics Center (CEE007)" in bot.text("which center is in Long Beach?")


def test_greeting_says_what_the_bot_does(bot: Bot) -> None:
    replies = bot.send("hello")
    assert "CEE Guide" in replies[0]["text"]
    assert any(b["title"] == "List the Centers" for b in replies[0].get("buttons", []))


def test_list_of_centers(bot: Bot) -> None:
    answer = bot.text("list all the centers")
    for name in ("Pharmaceuticals, Health & Chemicals", "Machinery", "Electronics", "Base Metals"):
        assert name in answer
    assert answer.count("CEE0") == 10


def test_goodbye(bot: Bot) -> None:
    assert "Goodbye" in bot.text("bye for now")


def test_gibberish_offers_topics_then_help(bot: Bot) -> None:
    sender = new_sender()
    first = bot.send("blorp zanzibar quux", sender)
    assert "Did you mean" in first[0]["text"]
    titles = [b["title"] for b in first[0]["buttons"]]
    assert 2 <= len(titles) <= 4 and titles[-1] == "Something else"
    # "Something else": the two-stage fallback asks to rephrase; outside it, the bot says what it can do.
    second = bot.text("/out_of_scope", sender)
    assert "say it another way" in second or "Say **help** for examples" in second
    assert "Laredo" in bot.text("Where is the Machinery Center?", sender)  # the conversation goes on


def test_too_long_message_gets_a_polite_answer(bot: Bot) -> None:
    answer = bot.text("steel " * 400)
    assert "too long" in answer and "1000" in answer


def test_odd_messages_get_an_answer(bot: Bot) -> None:
    for message in ("🙂🙂🙂", "?", "<script>alert(1)</script>", "   a   ", "DROP TABLE importers;"):
        replies = bot.send(message)
        assert replies and replies[0].get("text"), message


def test_http_api_is_off_without_a_token(bot: Bot) -> None:
    url = bot.rest_url.replace("/webhooks/rest/webhook", "/conversations/x/tracker")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status in (401, 403, 404, 405)

"""Center look-ups and live figures over the real REST channel, against the real servers and database."""

import time
from pathlib import Path

from tests.running import Bot, new_sender


def test_center_for_an_hts_number(bot: Bot) -> None:
    answer = bot.text("Which Center handles HTS 8471.30.0100?")
    assert "Electronics Center (CEE007)" in answer and "guidance" in answer and "primary product line" in answer


def test_center_for_a_product_in_words(bot: Bot) -> None:
    assert "Agriculture & Prepared Products Center (CEE002)" in bot.text("which center covers frozen shrimp?")
    assert "Base Metals Center (CEE005)" in bot.text("what center handles steel pipe")


def test_center_for_an_importer_given_in_the_question(bot: Bot) -> None:
    answer = bot.text("Which Center is importer 12-3456789AB assigned to?")
    assert "Machinery Center (CEE010)" in answer and "sample data" in answer
    assert "partner account" not in answer and "Sample Machinery Works" not in answer  # for CBP staff only


def test_the_bot_asks_for_the_number_and_checks_its_format(bot: Bot) -> None:
    sender = new_sender()
    assert "importer of record number" in bot.text("look up the center for my importer number", sender)
    again = bot.text("12-34", sender)
    assert "“12-34” isn't an importer of record number: it has 4 digits" in again and "12-3456789AB" in again
    answer = bot.text("232704-00123", sender)
    assert "Petroleum, Natural Gas & Minerals Center (CEE006)" in answer


def test_an_ssn_format_number_is_masked(bot: Bot) -> None:
    answer = bot.text("which center is 123-45-6789 assigned to")
    assert "***-**-6789" in answer and "123-45-6789" not in answer
    assert "Apparel, Footwear & Textiles Center (CEE004)" in answer


def test_unknown_importer_gets_guidance(bot: Bot) -> None:
    answer = bot.text("which center is 98-7654321ZZ assigned to")
    assert "couldn't find importer 98-7654321ZZ" in answer and "KI" in answer


def test_stop_in_the_middle_of_a_lookup(bot: Bot) -> None:
    sender = new_sender()
    bot.text("look up the center for my importer number", sender)
    assert "stopped" in bot.text("never mind", sender)


def test_a_figure(bot: Bot) -> None:
    answer = bot.text("How many entries did the Base Metals Center handle in Q2 FY2025?")
    assert "Base Metals Center (CEE005)" in answer and "entries" in answer and "FY2025 Q2" in answer
    assert "sample data" in answer


def test_a_ranking_has_a_table_and_a_chart(bot: Bot) -> None:
    replies = bot.send("Which Center has the most partner accounts?")
    assert "had the most partner accounts" in replies[0]["text"]
    custom = [r["custom"] for r in replies if "custom" in r]  # REST sends a message's text and its JSON apart
    assert [c["type"] for c in custom] == ["table", "chart"]
    assert len(custom[0]["rows"]) == 10 and custom[1]["src"].startswith("data:image/png;base64,")


def test_a_total_and_a_trend(bot: Bot) -> None:
    assert "Across the 10 Centers" in bot.text("how many importers do all the centers have in total")
    trend = bot.text("how have entries at the Electronics Center changed over time")
    assert "Quarter over quarter" in trend and "Electronics Center (CEE007)" in trend


def test_new_figures_show_in_the_next_answer_without_retraining(bot: Bot, tmp_path: Path) -> None:
    model = bot.stack.services[1]
    before = bot.text("How many entries did the Machinery Center handle last quarter?")
    assert "123,456 entries" not in before
    period = before.split(" in FY")[1].split(" ")[0:2]  # e.g. ['2026', 'Q4']
    fiscal_year, quarter = int(period[0]), int(period[1].lstrip("Q"))
    csv = tmp_path / "figures.csv"
    csv.write_text(
        "center_code,fiscal_year,quarter,importers,partner_accounts,entries,post_entry_actions,staff\n"
        f"CEE010,{fiscal_year},{quarter},5000,400,123456,789,150\n"
    )
    result = bot.db("import-figures", str(csv))
    assert result.returncode == 0 and "1 updated" in result.stdout, result.stdout + result.stderr
    after = bot.text("How many entries did the Machinery Center handle last quarter?")
    assert "123,456 entries" in after and "CBP data (figures.csv)" in after
    assert model.process is not None and model.process.poll() is None  # the same Rasa server, no retraining


def test_a_clear_answer_when_the_action_server_is_down(bot: Bot) -> None:
    actions = next(s for s in bot.stack.services if s.name == "actions")
    actions.stop()
    try:
        answer = bot.text("Where is the Machinery Center?")
        assert "isn't available right now" in answer and "cee-directory" in answer
    finally:
        actions.start(bot.stack.log_dir)
        deadline = time.monotonic() + 120
        while not actions.is_up() and time.monotonic() < deadline:
            time.sleep(0.5)
    assert actions.is_up()
    assert "Laredo" in bot.text("Where is the Machinery Center?")

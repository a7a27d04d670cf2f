"""Custom actions with real trackers and a real (SQLite) database seeded with the sample data."""

from pathlib import Path

import pytest

from bot.actions.centers import ActionCenterInfo, ActionListCenters
from bot.actions.fallback import ActionDefaultAskAffirmation
from bot.actions.figures import ActionFigure, ActionRanking, ActionTotal, ActionTrend, parse_period
from bot.actions.lookup import ActionCenterForImporter, ActionCenterForProduct, ValidateImporterLookupForm
from bot.db import importer, store
from bot.db.store import Period
from tests.conftest import entity, make_tracker, run_action


def texts(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


# -- Centers -----------------------------------------------------------------------------------------------------------
def test_list_centers() -> None:
    messages, _ = run_action(ActionListCenters(), make_tracker("list the centers", "list_centers"))
    assert texts(messages).count("CEE0") == 10
    assert messages[0]["custom"]["type"] == "table" and len(messages[0]["custom"]["rows"]) == 10


@pytest.mark.parametrize("value", ["Machinery", "Laredo", "CEE010", "mac"])
def test_center_info_by_any_name(value: str) -> None:
    messages, _ = run_action(
        ActionCenterInfo(), make_tracker(f"about {value}", "center_info", [entity("center", value)])
    )
    assert "Machinery Center (CEE010)" in texts(messages) and "Laredo, TX" in texts(messages)


def test_center_info_without_a_center_asks_which() -> None:
    messages, _ = run_action(ActionCenterInfo(), make_tracker("tell me about a center", "center_info"))
    assert "Which Center" in texts(messages) and len(messages[0]["buttons"]) == 10


# -- products ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("which center handles 8471.30.0100", [entity("hts_code", "8471.30.0100")], "Electronics Center (CEE007)"),
        ("center for chapter 3", [entity("hts_code", "chapter 3")], "Agriculture & Prepared Products Center (CEE002)"),
        ("who does heading 2005", [], "Agriculture & Prepared Products Center (CEE002)"),  # a year-like heading
        ("frozen shrimp?", [entity("product", "frozen shrimp")], "Agriculture & Prepared Products Center (CEE002)"),
        ("we import steel pipe", [entity("product", "steel pipe")], "Base Metals Center (CEE005)"),
        ("laptops", [entity("product", "laptops")], "Electronics Center (CEE007)"),
        ("brake pads", [entity("product", "brake pads")], "Automotive & Aerospace Center (CEE003)"),
        (
            "which center handles footwear",
            [entity("center", "Footwear")],
            "Apparel, Footwear & Textiles Center (CEE004)",
        ),
    ],
)
def test_center_for_product(text: str, entities: list, expected: str) -> None:
    messages, _ = run_action(ActionCenterForProduct(), make_tracker(text, "center_for_product", entities))
    answer = texts(messages)
    assert expected in answer
    assert "primary product line" in answer


def test_product_guidance_versus_published_scope() -> None:
    inferred, _ = run_action(
        ActionCenterForProduct(), make_tracker("x", "center_for_product", [entity("hts_code", "8479")])
    )
    published, _ = run_action(
        ActionCenterForProduct(), make_tracker("x", "center_for_product", [entity("hts_code", "3004")])
    )
    assert "guidance" in texts(inferred) and "not a CBP ruling" in texts(inferred)
    assert "published scope" in texts(published)


def test_product_unpublished_and_special_chapters() -> None:
    tanks, _ = run_action(
        ActionCenterForProduct(), make_tracker("x", "center_for_product", [entity("hts_code", "7310")])
    )
    assert "has not published" in texts(tanks) and "cee-directory" in texts(tanks)
    special, _ = run_action(
        ActionCenterForProduct(), make_tracker("x", "center_for_product", [entity("hts_code", "9802.00")])
    )
    assert "underlying goods" in texts(special)


def test_product_unknown_asks_for_words_or_a_number() -> None:
    messages, _ = run_action(
        ActionCenterForProduct(), make_tracker("which center handles my stuff", "center_for_product")
    )
    assert "HTS number" in texts(messages)
    bad, _ = run_action(
        ActionCenterForProduct(), make_tracker("x", "center_for_product", [entity("hts_code", "7701.10")])
    )
    assert "couldn't find HTS 7701.10" in texts(bad)


# -- importers ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["12-3456789AB", "123456789ab", "232704-00123", "123-45-6789", "123456789"])
def test_ior_validation_accepts_every_format(value: str) -> None:
    result = _validate(value)
    assert result["ior_number"] is not None


@pytest.mark.parametrize("value", ["12-34", "my number", "CR-2026-000123", "1234567890123"])
def test_ior_validation_asks_again_with_an_example(value: str) -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateImporterLookupForm().validate_ior_number(value, dispatcher, make_tracker(value, "x"), {})
    )
    assert result == {"ior_number": None}
    assert "12-3456789AB" in texts(dispatcher.messages)


def _validate(value: str) -> dict:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    return asyncio.run(
        ValidateImporterLookupForm().validate_ior_number(value, CollectingDispatcher(), make_tracker(value, "x"), {})
    )


STAFF = [{"event": "user", "text": "x", "input_channel": "cmdline"}]  # rasa shell: CBP staff


@pytest.mark.parametrize(
    "number, center, partner",
    [
        ("12-3456789AB", "Machinery Center (CEE010)", "is a partner account"),
        ("232704-00123", "Petroleum, Natural Gas & Minerals Center (CEE006)", "is not a partner account"),
        ("123-45-6789", "Apparel, Footwear & Textiles Center (CEE004)", "is not a partner account"),
    ],
)
@pytest.mark.parametrize("staff", [True, False])
def test_center_for_importer(sample_db_url: str, number: str, center: str, partner: str, staff: bool) -> None:
    key = _validate(number)["ior_number"]
    tracker = make_tracker(number, "center_for_importer", slots={"ior_number": key}, events=STAFF if staff else ())
    messages, events = run_action(ActionCenterForImporter(), tracker)
    answer = texts(messages)
    assert center in answer and "sample data" in answer
    assert (partner in answer and "Sample " in answer) if staff else ("partner account" not in answer)
    assert staff or ("Sample " not in answer and "only with CBP staff" in answer)  # no name for anonymous users
    assert events[0] == {"event": "slot", "timestamp": None, "name": "ior_number", "value": None}
    slots = {e["name"]: e["value"] for e in events}
    assert slots["ctx_center"] == center[-7:-1] and slots["ctx_topic"] == "importer"  # "where is it?" follows
    shown = "***-**-6789" if number == "123-45-6789" else number
    assert slots["ctx_importer"].startswith(f"{shown} (") if staff else slots["ctx_importer"] == shown
    assert (slots["ctx_partner"] is not None) == staff
    assert "123-45-6789" not in str(events) and "123456789" not in str(events)  # never a full SSN-format number


def test_an_ssn_is_never_echoed(sample_db_url: str) -> None:
    messages, _ = run_action(
        ActionCenterForImporter(), make_tracker("x", "center_for_importer", slots={"ior_number": "123456789"})
    )
    assert "***-**-6789" in texts(messages)
    assert "123-45-6789" not in texts(messages) and "123456789" not in texts(messages)


def test_unknown_importer_gets_guidance(sample_db_url: str) -> None:
    messages, _ = run_action(
        ActionCenterForImporter(), make_tracker("x", "center_for_importer", slots={"ior_number": "999999999ZZ"})
    )
    assert "couldn't find importer 99-9999999ZZ" in texts(messages)
    assert "KI" in texts(messages) and "cee-directory" in texts(messages)


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody:x@127.0.0.1:9/none?connect_timeout=2")


def test_importer_lookup_with_the_database_down(database_down: None) -> None:
    messages, _ = run_action(
        ActionCenterForImporter(), make_tracker("x", "center_for_importer", slots={"ior_number": "123456789AB"})
    )
    assert "unavailable right now" in texts(messages) and "cee-directory" in texts(messages)


# -- figures -----------------------------------------------------------------------------------------------------------
def test_parse_period() -> None:
    latest = Period(2026, 4)
    assert parse_period(None, latest) == (None, None)
    assert parse_period("FY2025", latest) == (2025, None)
    assert parse_period("fy 25", latest) == (2025, None)
    assert parse_period("Q3 FY2025", latest) == (2025, 3)
    assert parse_period("FY2026 Q1", latest) == (2026, 1)
    assert parse_period("third quarter of fiscal year 2025", latest) == (2025, 3)
    assert parse_period("Q2", latest) == (None, 2)
    assert parse_period("last quarter", latest) == (2026, 4)
    assert parse_period("previous quarter", latest) == (2026, 3)
    assert parse_period("this year", latest) == (2026, None)


def _figure_tracker(text: str, intent: str, center: str = "", metric: str = "", period: str = "") -> object:
    entities = [entity(k, v) for k, v in (("center", center), ("metric", metric), ("period", period)) if v]
    return make_tracker(text, intent, entities)


def test_figure_names_center_metric_period_and_source(sample_db_url: str) -> None:
    record = store.figure("CEE005", "entries", 2025, 2)
    messages, _ = run_action(
        ActionFigure(),
        _figure_tracker("entries at base metals in Q2 FY2025", "ask_figure", "Base Metals", "entries", "Q2 FY2025"),
    )
    answer = texts(messages)
    assert "Base Metals Center (CEE005)" in answer and "entries" in answer
    assert f"{record.value:,}" in answer and "FY2025 Q2 (Jan–Mar 2025)" in answer and "sample data" in answer


def test_figure_latest_by_default(sample_db_url: str) -> None:
    latest = store.latest_period()
    record = store.figure("CEE010", "staff")
    messages, _ = run_action(ActionFigure(), _figure_tracker("staff at laredo", "ask_figure", "Laredo", "staff"))
    assert f"{record.value:,} CBP staff" in texts(messages) and f"FY{latest.fiscal_year} Q{latest.quarter}" in texts(
        messages
    )


def test_figure_without_a_metric_offers_buttons(sample_db_url: str) -> None:
    messages, _ = run_action(ActionFigure(), _figure_tracker("figures for machinery", "ask_figure", "Machinery"))
    assert len(messages[0]["buttons"]) == 5 and "Machinery" in messages[0]["buttons"][0]["payload"]


def test_figure_for_a_period_with_no_data(sample_db_url: str) -> None:
    messages, _ = run_action(
        ActionFigure(),
        _figure_tracker("entries at machinery in FY2019", "ask_figure", "Machinery", "entries", "FY2019"),
    )
    assert "no Center figures for FY2019" in texts(messages)


@pytest.mark.parametrize(
    "words, first", [("Which Center has the most entries", 0), ("which center has the fewest entries", -1)]
)
def test_ranking(sample_db_url: str, words: str, first: int) -> None:
    records = store.ranking("entries")
    messages, _ = run_action(ActionRanking(), _figure_tracker(words, "ask_ranking", metric="entries"))
    expected = records[first]
    assert f"CEE{expected.center_code[-3:]}" in messages[0]["text"].split("\n")[0]
    assert messages[0]["custom"]["type"] == "table" and len(messages[0]["custom"]["rows"]) == 10
    assert messages[1]["custom"]["type"] == "chart" and messages[1]["custom"]["src"].startswith(
        "data:image/png;base64,"
    )


@pytest.mark.parametrize(
    "words, asks",
    [
        ("entries handled by the center last quarter?", True),
        ("how many entries does my center process", True),
        ("entries by center", False),
        ("entries for every CEE", False),
    ],
)
def test_a_figure_for_one_unnamed_center_asks_which_and_one_per_center_ranks(
    sample_db_url: str, words: str, asks: bool
) -> None:
    messages, _ = run_action(ActionRanking(), _figure_tracker(words, "ask_ranking", metric="entries"))
    assert ("Which Center would you like the entries of?" in texts(messages)) is asks
    assert any(m.get("custom", {}).get("type") == "table" for m in messages) is not asks


def test_total(sample_db_url: str) -> None:
    total = store.totals("partner_accounts")
    messages, _ = run_action(
        ActionTotal(), _figure_tracker("total partner accounts", "ask_total", metric="partner accounts")
    )
    assert f"{total.value:,} partner accounts" in texts(messages) and "sample data" in texts(messages)


def test_trend(sample_db_url: str) -> None:
    series = store.series("CEE007", "entries", 8)
    messages, _ = run_action(
        ActionTrend(), _figure_tracker("entries at electronics over time", "ask_trend", "Electronics", "entries")
    )
    answer = texts(messages)
    assert "Quarter over quarter" in answer and "Year over year" in answer
    assert f"{series[-1].value:,}" in answer and len(messages[0]["custom"]["rows"]) == len(series)


def test_a_figure_question_over_time_or_added_up_gets_the_trend_or_the_total(sample_db_url: str) -> None:
    over_time = _figure_tracker(
        "staff numbers at the electronics center over time", "ask_figure", "Electronics", "staff"
    )
    assert "Quarter over quarter" in texts(run_action(ActionFigure(), over_time)[0])
    total = store.totals("partner_accounts")
    every = _figure_tracker("overall partner accounts for all the centers", "ask_figure", metric="partner accounts")
    assert f"{total.value:,} partner accounts" in texts(run_action(ActionFigure(), every)[0])
    added = _figure_tracker("sum of partner accounts across all centres", "ask_ranking", metric="partner accounts")
    assert f"{total.value:,} partner accounts" in texts(run_action(ActionRanking(), added)[0])


def test_new_figures_change_the_next_answer(sample_db_url: str, tmp_path: Path) -> None:
    latest = store.latest_period()
    csv = tmp_path / "figures.csv"
    csv.write_text(
        "center_code,fiscal_year,quarter,importers,partner_accounts,entries,post_entry_actions,staff\n"
        f"CEE010,{latest.fiscal_year},{latest.quarter},4321,100,98765,55,77\n"
    )
    importer.import_figures(csv)
    messages, _ = run_action(
        ActionFigure(), _figure_tracker("entries at machinery", "ask_figure", "Machinery", "entries")
    )
    assert "98,765 entries" in texts(messages) and "CBP data (figures.csv)" in texts(messages)


def test_figures_with_the_database_down(database_down: None) -> None:
    for action, intent in (
        (ActionFigure(), "ask_figure"),
        (ActionRanking(), "ask_ranking"),
        (ActionTotal(), "ask_total"),
        (ActionTrend(), "ask_trend"),
    ):
        messages, _ = run_action(action, _figure_tracker("entries", intent, "Machinery", "entries"))
        assert "unavailable right now" in texts(messages), intent


# -- fallback ----------------------------------------------------------------------------------------------------------
def test_fallback_offers_the_likeliest_topics() -> None:
    tracker = make_tracker("hmm change?", "nlu_fallback")
    tracker.latest_message.update(
        {
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.4},
                {"name": "faq", "confidence": 0.35},
                {"name": "request_change_center", "confidence": 0.2},
            ],
            "response_selector": {
                "faq": {
                    "ranking": [
                        {"intent_response_key": "faq/change_how", "confidence": 0.8},
                        {"intent_response_key": "faq/change_form", "confidence": 0.1},
                    ]
                }
            },
        }
    )
    messages, _ = run_action(ActionDefaultAskAffirmation(), tracker)
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[0] == "How to change your Center" or "change" in titles[0].lower()
    assert "Request a change of Center" in titles and titles[-1] == "Something else"
    assert len(titles) <= 4


def test_fallback_with_nothing_to_go_on_offers_the_main_topics() -> None:
    tracker = make_tracker("blorp", "inform")
    tracker.latest_message["intent_ranking"] = [{"name": "inform", "confidence": 0.9}]
    messages, _ = run_action(ActionDefaultAskAffirmation(), tracker)
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert len(titles) == 3 and titles[-1] == "Something else"
    assert "The Center for a product" in titles


@pytest.mark.parametrize("number", ["230517-40021", "12-3456789AB", "123456789AB"])
def test_an_importer_number_comes_back_in_its_own_format(sample_db_url: str, number: str) -> None:
    slot = _validate(number)["ior_number"]
    messages, _ = run_action(
        ActionCenterForImporter(), make_tracker(number, "center_for_importer", slots={"ior_number": slot})
    )
    shown = "230517-40021" if number.startswith("2305") else "12-3456789AB"
    assert f"importer {shown.lower()}" in texts(messages).lower()


@pytest.mark.parametrize(
    "typed, why", [("12345", "it has 5 digits"), ("ABC-123", "it has 3 digits"), ("12-3456789ABC", "not in the places")]
)
def test_a_wrong_importer_number_is_named_with_the_three_formats(typed: str, why: str) -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateImporterLookupForm().validate_ior_number(typed, dispatcher, make_tracker(typed, "x"), {}))
    text = texts(dispatcher.messages)
    assert f"“{typed}” isn't an importer of record number" in text and why in text
    assert "NN-NNNNNNNXX" in text and "NNN-NN-NNNN" in text and "YYDDPP-NNNNN" in text

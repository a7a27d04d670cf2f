"""Bar charts for the web chat (bot.actions.charts): a small PNG and a text alternative with every value."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from bot.actions.charts import bar_chart

CENTERS = [
    "Consumer Products & Mass Merchandising",
    "Electronics",
    "Apparel, Footwear & Textiles",
    "Agriculture & Prepared Products",
    "Machinery",
    "Automotive & Aerospace",
    "Industrial & Manufacturing Materials",
    "Pharmaceuticals, Health & Chemicals",
    "Base Metals",
    "Petroleum, Natural Gas & Minerals",
]
VALUES = [2429869, 1535289, 1449777, 1241056, 906805, 762646, 715789, 595093, 475732, 111694]


def png_of(chart: dict) -> bytes:
    prefix = "data:image/png;base64,"
    assert chart["src"].startswith(prefix)
    return base64.b64decode(chart["src"][len(prefix) :])


def test_ten_centers() -> None:
    chart = bar_chart("Entries by Center, FY2026 Q4", CENTERS, VALUES, "entries")
    assert chart["type"] == "chart"
    png = png_of(chart)
    assert len(png) < 60_000
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (640, 360)
    alt = chart["alt"]
    assert alt.startswith("Bar chart: Entries by Center, FY2026 Q4.")
    for name, value in zip(CENTERS, VALUES):
        assert f"{name}: {value:,} entries" in alt


def test_decimals_negatives_and_percentages() -> None:
    chart = bar_chart("Change in staff", ["Q1 FY2025", "Q2 FY2025", "Q3 FY2025"], [-3.5, 0, 10.25], "%")
    assert chart["alt"] == "Bar chart: Change in staff. Q1 FY2025: -3.5%; Q2 FY2025: 0%; Q3 FY2025: 10.25%."
    assert Image.open(io.BytesIO(png_of(chart))).size == (640, 360)


def test_one_bar_and_all_zero() -> None:
    assert "Machinery: 0 importers" in bar_chart("Importers", ["Machinery"], [0], "importers")["alt"]


@pytest.mark.parametrize(
    "labels,values",
    [([], []), (["a", "b"], [1.0]), (["a"], [float("nan")]), (["a"], [float("inf")])],
)
def test_bad_input(labels: list, values: list) -> None:
    with pytest.raises(ValueError):
        bar_chart("x", labels, values, "entries")

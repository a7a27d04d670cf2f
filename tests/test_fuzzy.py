"""Misspelt Center names and figure words (bot/fuzzy.py)."""

from __future__ import annotations

from typing import Optional

import pytest

from bot.fuzzy import centers_in, metric_in, product_in
from bot.knowledge import knowledge


@pytest.mark.parametrize(
    "text, metric",
    [
        ("how many sttaef at the new york cneter", "staff"),
        ("Buffalo center stffa?", "staff"),
        ("how many cbp emplloyis work there", "staff"),
        ("which center has the most partr accnts", "partner_accounts"),
        ("oops i meant partner acaoutns", "partner_accounts"),
        ("which center proccesses the most entores", "entries"),
        ("post eury actions at CEE007", "post_entry_actions"),
        ("which center has the leaut post etry actions", "post_entry_actions"),
        ("impoters at laredo", "importers"),
        # ordinary words are meant as themselves
        ("which center for my stuff", None),
        ("how long does the entire process take", None),
        ("send it by post office", None),
        ("stuffed toys", None),
    ],
)
def test_misspelt_figure_words(text: str, metric: Optional[str]) -> None:
    assert metric_in(text) == metric


@pytest.mark.parametrize(
    "text, codes",
    [
        ("how many entires did Base Meals handle", ["CEE005"]),
        ("compare it wiht base metas", ["CEE005"]),
        ("the Mami center", ["CEE002"]),
        ("lardo", ["CEE010"]),
        ("detriot center", ["CEE003"]),
        ("electonics vs auotmotive", ["CEE007", "CEE003"]),
        # ordinary words and products are not Centers
        ("we import metal screws", []),
        ("which center handles frozen shrimp", []),
        ("see you later", []),
        ("lo mismo con el personal", []),  # "mismo" (same) is too common a Spanish word to be Miami
        ("the center", []),
    ],
)
def test_misspelt_center_names(text: str, codes: list[str]) -> None:
    assert [c.code for c in centers_in(text)] == codes


@pytest.mark.parametrize(
    "typed, corrected, product",
    [
        ("frozen shrip", "frozen ship", "frozen shrimp"),
        ("which Center coverrs cude oil imports?", "which Center covers code oil imports?", "crude oil"),
        ("diesel ennes", "diesel ennes", "diesel engines"),  # longer than "diesel", found exactly
        ("vitais which centre", "vitais which center", "vitamins"),
        ("frozen shrimp", "frozen shrimp", "frozen shrimp"),
        # misspelt question words are not products
        ("whiah center handles my product", "which center handles my product", None),
        ("which CEE cnvers this product", "which CEE covers this product", None),
        ("which center for my stuff", "which center for my stuff", None),
        # nor common Spanish words ("cubre", covers, is not "cobre", copper)
        ("que cubre el centro de maquinaria", "que cubre el centro de maquinaria", None),
    ],
)
def test_misspelt_products(typed: str, corrected: str, product: Optional[str]) -> None:
    found = product_in([typed, corrected], knowledge().find_product(corrected))
    assert (found[0] if found else None) == product

"""The reader of places (bot/requests/places.py): a site's city and state."""

import pytest

from bot.knowledge import knowledge
from bot.requests.answers import Invalid
from bot.requests.places import parse_site


@pytest.mark.parametrize(
    "text, site",
    [
        ("Dayton, OH", {"city": "Dayton", "state": "OH"}),
        ("Dayton, Ohio", {"city": "Dayton", "state": "OH"}),
        ("our plant in Reno NV 89501", {"city": "Reno", "state": "NV"}),
        ("el paso, texas", {"city": "El Paso", "state": "TX"}),
        ("Washington, D.C.", {"city": "Washington", "state": "DC"}),
    ],
)
def test_site(text: str, site: dict[str, str]) -> None:
    assert parse_site(text) == site


@pytest.mark.parametrize("text", ["Dayton", "Ohio", "123 Main St, OH", "Paris, France"])
def test_bad_site(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_site(text)
    assert caught.value.response == "utter_invalid_site" in knowledge().responses

"""The reading of answers about places: a site's city and U.S. state. Time zones and months are read in
:mod:`bot.requests.times`.

Pure functions, like :mod:`bot.requests.answers`: text in, a value out, or :class:`~bot.requests.answers.Invalid`.
"""

from __future__ import annotations

import re

from bot.requests.answers import Invalid, fold

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
_STATE_BY_NAME = {name.lower(): code for code, name in US_STATES.items()}
_STATE_BY_NAME.update({"washington dc": "DC", "washington d.c.": "DC", "virgin islands": "VI", "d.c.": "DC"})


def parse_site(text: str) -> dict[str, str]:
    """``Dayton, OH`` / ``Dayton, Ohio`` / ``our plant in Reno NV 89501`` → ``{"city": "Dayton", "state": "OH"}``."""
    folded = re.sub(r"\s*\b\d{5}(?:-\d{4})?\s*$", "", fold(text)).strip(" .")
    state, city_part = None, ""
    for name in sorted(_STATE_BY_NAME, key=len, reverse=True):
        match = re.search(rf"(?:^|[\s,]){re.escape(name)}(?:\s+state)?$", folded, re.I)
        if match:
            state, city_part = _STATE_BY_NAME[name], folded[: match.start()]
            break
    if state is None:
        match = re.search(r"(?:^|[\s,])([A-Za-z]\.?[A-Za-z]\.?)$", folded)
        code = match.group(1).replace(".", "").upper() if match else None
        if match and code in US_STATES:
            state, city_part = code, folded[: match.start()]
    city = re.split(r"\b(?:in|at|near)\s+", city_part.strip(" ,"), flags=re.I)[-1]
    city = city.split(",")[-1].strip(" ,.")
    if state is None or not city or re.search(r"\d", city) or len(city) > 60 or not re.search(r"[A-Za-z]{2}", city):
        raise Invalid("utter_invalid_site")
    return {"city": city.title() if city.islower() else city, "state": state}

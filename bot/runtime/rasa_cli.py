"""Rasa's command line with CEE Guide's safety nets: ``python -m bot.runtime.rasa_cli run ...`` (``rasa``'s arguments).

Before handing over to Rasa's own command line, it installs :mod:`bot.patches`, which

* masks Social Security-format numbers in every log line of the process;
* answers a message over ``MAX_MESSAGE_CHARS`` with a polite reply instead of passing it to the model;
* answers with a clear message when the action server cannot be reached (Rasa alone would stay silent);
* removes per-message overhead that does not change any answer (measured by ``make bench``).
"""

from __future__ import annotations

import logging
import sys

from bot.settings import load_settings

logger = logging.getLogger(__name__)


def main() -> None:
    """Install :mod:`bot.patches`, then run Rasa's command line with this process's arguments."""
    from bot.patches import install

    install(load_settings())
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

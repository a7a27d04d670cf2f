"""Rasa's command line with CEE Guide's safety nets: ``python -m bot.runtime.rasa_cli run ...`` (``rasa``'s arguments).

Before handing over to Rasa's own command line, it installs :mod:`bot.patches`, which

* masks Social Security-format numbers in every log line of the process;
* answers a message over ``MAX_MESSAGE_CHARS`` with a polite reply instead of passing it to the model;
* answers with a clear message when the action server cannot be reached (Rasa alone would stay silent);
* removes per-message overhead that does not change any answer (measured by ``make bench``);
* for ``run``: adds the HTTP API's token and JWT secret from the environment (``RASA_API_TOKEN``, ``RASA_JWT_SECRET``)
  to the arguments inside the process, so that they never appear on the command line, which ``ps`` shows to every
  user of the machine;
* for ``run``: adds the ``/ready`` route (:mod:`bot.runtime.readiness`).
"""

from __future__ import annotations

import logging
import sys

from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)


def secret_arguments(settings: Settings, argv: list[str]) -> list[str]:
    """Rasa's arguments for the API token and JWT secret in ``settings`` that ``argv`` does not give already."""
    added: list[str] = []
    for option, value in (("--auth-token", settings.rasa_api_token), ("--jwt-secret", settings.rasa_jwt_secret)):
        if value and option not in argv:
            added += [option, value]
    return added


def main() -> None:
    """Install :mod:`bot.patches`, then run Rasa's command line with this process's arguments (plus the secrets)."""
    from bot.patches import install

    settings = load_settings()
    install(settings)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    if sys.argv[1:2] == ["run"]:
        from bot.runtime import readiness

        readiness.install()
        sys.argv += secret_arguments(settings, sys.argv)  # this process's copy only: /proc/<pid>/cmdline is unchanged
    rasa_main()


if __name__ == "__main__":
    main()

"""Custom actions, served by ``rasa run actions --actions bot.actions``.

One module per user goal; rasa_sdk imports every module of this package and registers its actions.
"""

from bot.ior import install_log_masking

install_log_masking()

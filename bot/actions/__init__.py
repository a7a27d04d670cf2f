"""Custom actions, served by ``rasa run actions --actions bot.actions``.

One module per user goal; rasa_sdk imports every module of this package and registers its actions. They are imported
here as well, so that every answering function is registered with the context (``bot/actions/context.py``) whichever
action module is imported first.
"""

from bot.ior import install_log_masking

install_log_masking()

from bot.actions import centers, context, figures, lookup  # noqa: E402,F401  (registers the topics' answers)

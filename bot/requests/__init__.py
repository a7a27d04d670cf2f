"""Guided requests without Rasa: the reading of answers (``answers``, ``places``) and the words shown (``wording``).

Nothing here imports :mod:`bot.actions`; the actions in ``bot/actions/request_*.py`` use these modules.
"""

"""The CEE Guide database.

:mod:`bot.db.store` is its one public surface (``from bot.db import store``; ``store.figure(...)``): every record,
error and function callers use, gathered from the modules that own them (engine and sessions, records, queries,
upserts and seeding, requests; the map is in its docstring). The tables are in :mod:`bot.db.models`, the staff CLI
in ``python -m bot.db`` (:mod:`bot.db.__main__`, with the CSV handling in :mod:`bot.db.importer`).
"""

"""The staff report (issue 15): what users ask, what the bot misses, per-Center demand, requests, answer times.

* :mod:`bot.insights.sql`, :mod:`bot.insights.events`: the tracker store read with SQL aggregation (SQLite or
  PostgreSQL);
* :mod:`bot.insights.database`: requests and feedback, through :mod:`bot.db.store`;
* :mod:`bot.insights.similar`: unanswered questions grouped by similarity; :mod:`bot.insights.timing`: answer times;
* :mod:`bot.insights.tables`, :mod:`bot.insights.charts`, :mod:`bot.insights.html`: the tables (and CSV), chart
  images, and the page;
* :mod:`bot.insights.report`: builds a period's report; :mod:`bot.insights.files` writes it to a folder;
  ``python -m bot.insights`` (:mod:`bot.insights.__main__`) is the command; :mod:`bot.channels.staff` the staff page;
* :mod:`bot.insights.generate` (with :mod:`bot.insights.scenarios`): seeded conversations for the benchmark
  (:mod:`bot.insights.bench`) and tests.
"""

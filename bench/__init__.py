"""Performance benchmark of CEE Guide against a stock Rasa 3.6 starter bot: ``make bench`` (``python -m bench``).

Modules: :mod:`bench.bots` (the two bots and how they start), :mod:`bench.load` (simulated users), :mod:`bench.procs`
(processes, ports, memory), :mod:`bench.training` (training times), :mod:`bench.report` (ratios, targets, reports).
The benchmark is never part of ``make test``: timings belong here, not in tests.
"""

"""Deployments of CEE Guide beyond one machine process: ``deploy/scale_out.py`` (two Rasa servers behind nginx).

``scale_out.py`` runs the steps; ``state.py`` is its record, ``stores.py`` (PostgreSQL, Redis), ``servers.py`` (the
action, Rasa and page servers) and ``nginx.py`` start the parts, ``parts.py`` checks and stops them; ``cli.py`` is the
command line of ``scale-out.sh``.
"""

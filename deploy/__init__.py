"""Deployments of CEE Guide beyond one machine process: ``deploy/scale_out.py`` (two Rasa servers behind nginx)."""

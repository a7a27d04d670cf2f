"""CEE Guide: a Rasa assistant for CBP's Centers of Excellence and Expertise."""

__version__ = "0.1.0"

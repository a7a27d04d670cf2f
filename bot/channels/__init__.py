"""Rasa input channels with CEE Guide's defaults: socket.io for the web page (allowed origins, server-issued session
ids), REST for integrations, and Slack for brokers, all with the size and rate limits of :mod:`bot.channels.limits`.

They are named by class path in the credentials (``bot.channels.socketio.SocketIOInput`` and
``bot.channels.rest.RestInput`` in ``credentials.yml``; ``bot.channels.slack.SlackInput`` is added by
:func:`bot.runtime.endpoints.credentials_file` when the Slack secrets are set).
"""

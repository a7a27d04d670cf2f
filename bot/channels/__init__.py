"""Rasa input channels with CEE Guide's defaults: socket.io limited to allowed origins, and Slack for brokers.

They are named by class path in the credentials (``bot.channels.socketio.SocketIOInput`` in ``credentials.yml``;
``bot.channels.slack.SlackInput`` is added by :func:`bot.runtime.endpoints.credentials_file` when the Slack secrets
are set).
"""

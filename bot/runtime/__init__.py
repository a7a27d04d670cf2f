"""What runs CEE Guide's server processes, shared by ``bot/serve.py`` (one machine) and ``deploy/`` (scale-out).

* :mod:`bot.runtime.rasa_cli`: ``python -m bot.runtime.rasa_cli run ...``, Rasa's command line with :mod:`bot.patches`
  (and the HTTP API's secrets from the environment, never on the command line).
* :mod:`bot.runtime.readiness`: the Rasa server's ``/ready``, 200 once its model has answered a message.
* :mod:`bot.runtime.action_server`: ``python -m bot.runtime.action_server``, the action server, private (loopback, and
  401 without ``ACTION_SERVER_TOKEN``).
* :mod:`bot.runtime.web_server`: ``python -m bot.runtime.web_server``, the chat page's files only, with security
  headers.
* :mod:`bot.runtime.commands`: the command lines and the environment of the Rasa server and the action server.
* :mod:`bot.runtime.endpoints`: the run-time ``endpoints.yml`` (tracker and lock stores) and ``credentials.yml``.
* :mod:`bot.runtime.processes`: start, stop and watch processes (free ports, process groups, log tails).
* :mod:`bot.runtime.service`: one server process and the wait until servers answer.
* :mod:`bot.runtime.postgres`: a PostgreSQL server from Debian's packages (scale-out and the tests).
"""

"""The chat page's server: ``python -m bot.runtime.web_server --port 8080 --host 127.0.0.1`` (aiohttp).

It serves the demo page and the widget's files, the Center figures page (``/figures`` and its charts,
:mod:`bot.runtime.figures_page`), and nothing else of ``web/`` (no ``node_modules/``, no
``package.json``, no directory listing: any other path is 404), with security headers on every response:

* ``Content-Security-Policy``: scripts, styles and fonts from this server only (no inline script); connections to this
  server and to the Rasa server (``RASA_PUBLIC_URL``, by default ``BIND_HOST`` and ``RASA_PORT``; HTTP and WebSocket,
  for socket.io); images from here or ``data:`` URLs (charts); ``frame-ancestors`` from ``FRAME_ANCESTORS`` (the
  Centers webpages allowed to embed the page, default ``'self'``);
* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.

The page's widget tag gets ``data-retention-days`` from ``RETENTION_DAYS``: the widget drops its local copy of a
conversation after the period the server keeps it (:func:`page_body`).

``deploy/nginx.conf.template`` sends the same headers (:func:`security_headers` is the one definition; the scale-out
deployment fills them into the template).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

from bot.runtime.action_server import is_loopback
from bot.settings import ROOT, Settings, load_settings

WEB_DIR = ROOT / "web"
# URL path -> file under web/: the page, its stylesheet, the widget and the vendored socket.io client it loads.
PAGE_FILES = {
    "/": "index.html",
    "/index.html": "index.html",
    "/site.css": "site.css",
    "/widget/cee-chat.js": "widget/cee-chat.js",
    "/widget/cee-chat.css": "widget/cee-chat.css",
    "/vendor/socket.io.min.js": "vendor/socket.io.min.js",
    "/figures.css": "figures.css",  # the figures page's style and script (its HTML is made by figures_page)
    "/figures.js": "figures.js",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


def rasa_origins(settings: Settings) -> list[str]:
    """The Rasa server's origins as browsers reach it, HTTP and WebSocket (for the CSP's ``connect-src``)."""
    if settings.rasa_public_url:
        parsed = urlparse(settings.rasa_public_url)
        origins = [f"{parsed.scheme}://{parsed.netloc}"]
    elif settings.host in ("0.0.0.0", "::", ""):  # any address of this machine: the widget uses the page's host
        origins = [f"http://*:{settings.rasa_port}"]
    elif is_loopback(settings.host):  # the page may be opened as localhost or 127.0.0.1
        origins = [f"http://{name}:{settings.rasa_port}" for name in ("127.0.0.1", "localhost")]
    else:
        origins = [f"http://{settings.host}:{settings.rasa_port}"]
    websockets = [origin.replace("https://", "wss://").replace("http://", "ws://") for origin in origins]
    return origins + websockets


def content_security_policy(settings: Settings) -> str:
    """The page's Content-Security-Policy."""
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", *rasa_origins(settings)],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": list(settings.frame_ancestors),
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers sent with every response of the chat page (also by nginx in the scale-out deployment)."""
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def page_file(path: str, web_dir: Path = WEB_DIR) -> Optional[Path]:
    """The file served at URL ``path``; None for any other path (or a page file that is missing)."""
    name = PAGE_FILES.get(path)
    if name is None or not (web_dir / name).is_file():
        return None
    return web_dir / name


RETENTION_ATTRIBUTE = re.compile(rb'data-retention-days="[^"]*"')


def page_body(found: Path, settings: Settings) -> bytes:
    """A page file's bytes; in an HTML page, the widget's ``data-retention-days`` is set to ``RETENTION_DAYS``."""
    body = found.read_bytes()
    if found.suffix == ".html":
        body = RETENTION_ATTRIBUTE.sub(f'data-retention-days="{settings.retention_days}"'.encode(), body)
    return body


def create_app(settings: Settings, web_dir: Path = WEB_DIR) -> object:
    """The aiohttp application: GET and HEAD of the page files and the figures page, 404 for anything else, headers on
    every response.
    """
    from aiohttp import web

    from bot.runtime import figures_page

    headers = security_headers(settings)

    @web.middleware
    async def add_headers(request: web.Request, handler: object) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)  # type: ignore[operator]
        except web.HTTPException as error:
            response = error
        response.headers.update(headers)
        return response

    async def serve(request: web.Request) -> web.StreamResponse:
        found = page_file(request.path, web_dir)
        if found is None:
            raise web.HTTPNotFound()
        content_type = CONTENT_TYPES.get(found.suffix, "application/octet-stream")
        return web.Response(
            body=page_body(found, settings), headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
        )

    app = web.Application(middlewares=[add_headers])
    figures_page.add_routes(app)
    app.router.add_get("/{path:.*}", serve)  # and HEAD; any other method gets 405
    return app


def main(argv: Optional[list[str]] = None) -> int:
    """Serve the chat page until stopped."""
    from aiohttp import web

    parser = argparse.ArgumentParser(prog="python -m bot.runtime.web_server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=None, help="port (default WEB_PORT)")
    parser.add_argument("--host", default=None, help="address (default BIND_HOST)")
    parser.add_argument("--rasa-port", type=int, default=None, help="the Rasa server's port (default RASA_PORT)")
    args = parser.parse_args(argv)
    settings = load_settings()
    settings = replace(settings, host=args.host or settings.host, rasa_port=args.rasa_port or settings.rasa_port)
    web.run_app(
        create_app(settings),  # type: ignore[arg-type]
        host=settings.host,
        port=args.port or settings.web_port,
        access_log=None,
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

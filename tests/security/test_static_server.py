"""The chat page's server (issue 14, item 6): the widget's files only, no listing, security headers; nginx the same.

Against the shared ``bot`` stack's page server, a page server alone with other embedders allowed, and nginx with
the scale-out configuration (skipped when nginx is not installed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.runtime.processes import free_ports, listening, wait_until
from bot.settings import ROOT
from tests.running import Bot

PAGE_LOADS = ("/", "/site.css", "/widget/cee-chat.js", "/widget/cee-chat.css", "/vendor/socket.io.min.js")
NOT_SERVED = (
    "/package.json",
    "/package-lock.json",
    "/node_modules/",
    "/node_modules/socket.io-client/package.json",
    "/vendor.sh",
    "/README.md",
    "/widget/",
    "/vendor/",
    "/vendor/socket.io.min.js.map",
    "/web/index.html",
    "/../bot/settings.py",
    "/%2e%2e/.env",
)


@contextmanager
def page_server(**env: str) -> Iterator[str]:
    """A page server of its own (``python -m bot.runtime.web_server``) with ``env`` set; yields its base URL."""
    port, rasa_port = free_ports(2)
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.web_server", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, "RASA_PORT": str(rasa_port), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: listening(port), timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def directives(headers: dict[str, str]) -> dict[str, list[str]]:
    """The Content-Security-Policy's directives."""
    policy = headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_security_headers(headers: dict[str, str], rasa_origin: str, embedders: list[str]) -> None:
    csp = directives(headers)
    assert csp["default-src"] == ["'none'"] and csp["script-src"] == ["'self'"], csp
    assert not any("unsafe" in value for values in csp.values() for value in values), csp
    assert rasa_origin in csp["connect-src"] and rasa_origin.replace("http", "ws", 1) in csp["connect-src"], csp
    assert csp["frame-ancestors"] == embedders, csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"


def assert_serves_the_page_only(base: str, rasa_origin: str, embedders: list[str]) -> None:
    for path in PAGE_LOADS:
        status, headers, body = fetch(base + path)
        assert status == 200 and body, path
        assert_security_headers(headers, rasa_origin, embedders)
    for path in NOT_SERVED:
        status, headers, body = fetch(base + path)
        assert status == 404 or (status == 400 and path.startswith(("/..", "/%2e"))), (path, status)  # nginx: above /
        assert b"node_modules" not in body and b"<a href" not in body
        assert_security_headers(headers, rasa_origin, embedders)


def assert_no_inline_script(page: str) -> None:
    """The page runs no inline script (the CSP would block it) and loads only files the server serves."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.DOTALL | re.IGNORECASE)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page, re.IGNORECASE)  # no inline event handlers
    assert "javascript:" not in page.lower()
    loaded = set(re.findall(r'(?:src|href)="(/[^"]*)"', page))
    assert loaded <= {*PAGE_LOADS, "/figures"}, loaded  # and the link to the figures page (page server only)


def test_page_server_serves_the_widget_only_with_security_headers(bot: Bot) -> None:
    settings = bot.stack.settings
    base = f"http://127.0.0.1:{settings.web_port}"
    assert_serves_the_page_only(base, f"http://127.0.0.1:{settings.rasa_port}", ["'self'"])
    assert_no_inline_script(fetch(base + "/")[2].decode())
    headers = fetch(base + "/")[1]
    assert headers["Content-Type"].startswith("text/html")
    assert fetch(base + "/widget/cee-chat.js")[1]["Content-Type"].startswith("text/javascript")
    assert fetch(base + "/", "POST")[0] == 405


def test_page_server_lets_the_configured_centers_pages_embed_it() -> None:
    embedders = ["'self'", "https://www.cbp.gov", "https://*.cbp.gov"]
    with page_server(FRAME_ANCESTORS=",".join(embedders), RASA_PUBLIC_URL="https://chat.example.gov/") as base:
        assert_serves_the_page_only(base, "https://chat.example.gov", embedders)


def test_nginx_sends_the_same_headers_and_serves_the_page_only(tmp_path: Path) -> None:
    from deploy import nginx, scale_out
    from deploy.state import DEFAULT_PORTS, Deployment

    if nginx.nginx_bin() is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    names = list(DEFAULT_PORTS)
    dep = Deployment(str(tmp_path / "state"), dict(zip(names, free_ports(len(names)))))
    dep.dir.mkdir(parents=True)
    try:
        nginx.start_nginx(dep)  # the Rasa servers are not needed for the page
        assert wait_until(lambda: listening(dep.ports["nginx"]), timeout=30)
        assert_serves_the_page_only(dep.url, dep.url, ["'self'"])
        page = fetch(dep.url + "/")[2]
        assert f'data-server="{dep.url}"'.encode() in page  # nginx's copy of the page talks to nginx
    finally:
        dep.save()
        scale_out.stop(dep.dir)

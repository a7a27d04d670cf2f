"""The scale-out deployment (deploy/scale_out.py), started once for the tests in this folder and removed after them.

The tests run in ``make test``; they are skipped, with the reason, when PostgreSQL, Redis or nginx is not installed
(``make system-deps`` installs them as root). Everything listens on free loopback ports and lives in a temporary
folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.train import MODEL_PATH
from deploy import scale_out
from deploy.state import Deployment, free_ports


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scale: needs PostgreSQL, Redis and nginx from Debian's packages")


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Two Rasa servers behind nginx, with PostgreSQL, Redis and the action server."""
    missing = scale_out.missing_packages()
    if missing:
        pytest.skip(
            f"scale-out needs the Debian packages {', '.join(missing)} "
            "(install them as root: bash scripts/system-deps.sh)"
        )
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    state: Path = tmp_path_factory.mktemp("scale-out")
    try:
        yield scale_out.start(state, free_ports(), timeout=400)
    finally:
        scale_out.stop(state, clean=True)

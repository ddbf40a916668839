"""Shared fixtures: the real app, built through the factory on a fresh data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from tvportal.app import create_app
from tvportal.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings of a portal with its own empty data dir (demo content loads on start)."""
    return load_settings({"data_dir": str(tmp_path / "data")}, environ={})


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of this test session (tests/postgres.py), started the first time a test needs it."""
    from tests import postgres

    server = postgres.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'tvportal.sqlite3'}"
    return request.getfixturevalue("pg_server").new_database()


@pytest.fixture
def pg_url(pg_server) -> str:
    """An empty database on the session's PostgreSQL server (tests that are about PostgreSQL only)."""
    return pg_server.new_database()


@pytest.fixture
async def client(aiohttp_client, settings):
    """An HTTP client talking to the real app."""
    return await aiohttp_client(create_app(settings))


@pytest.fixture(scope="session")
def live_portal(tmp_path_factory):
    """A real ``tvportal serve`` process for browser tests (one per test session)."""
    from tests.browser import portal

    with portal(tmp_path_factory.mktemp("live")) as base:
        yield base


@pytest.fixture
def browser_page(tmp_path):
    """A fresh headless Chromium page at 1280x720 (Playwright driving the system Chromium)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as p:
        context = launch(p, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        yield page
        context.close()

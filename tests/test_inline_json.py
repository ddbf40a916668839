"""Content that looks like markup never breaks a page's inline JSON (issue 11, finding 9): the speech data
``var TVSPEECH=`` stays defined on a guide, its topic page and search, checked in Chromium."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiohttp import web

from content import store
from tests.browser import portal
from tvportal.app import create_app
from tvportal.editor import versions
from tvportal.http.inline_json import script_json
from tvportal.keys import DB, PUBLISHED
from tvportal.settings import load_settings

pytestmark = pytest.mark.browser
NASTY = "养老认证<!--<script>\u2028</script>\u2029&amp;"


def test_script_json_round_trips_and_hides_markup():
    """Nothing that ends or confuses a <script> element is left; JSON reads back the same strings."""
    text = script_json({"t": NASTY})
    assert not any(c in text for c in "<>&\u2028\u2029")
    assert json.loads(text) == {"t": NASTY}


async def _publish_nasty_guide(data_dir) -> str:
    """Give guide h1 a name full of markup, as an editor's publish would; the id of one of its topics."""
    settings = load_settings({"data_dir": str(data_dir), "tts_warmup": False}, environ={})
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    app = runner.app
    try:
        old = app[PUBLISHED].snapshot.guide_by_id["h1"]
        new = dataclasses.replace(old, name=NASTY, short_name=NASTY)

        def publish(conn) -> None:
            versions.lock(conn)
            store.put(conn, "guide", new)

        await app[DB].write(publish)
        await app[PUBLISHED].republish(app[DB])
        snapshot = app[PUBLISHED].snapshot
        return snapshot.guide_by_id["h1"].categories[0]
    finally:
        await runner.cleanup()


def test_speech_data_survives_markup_in_content(tmp_path, browser_page):
    """Guide, topic list and search show the name and define TVSPEECH and TVNAV."""
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
        category = pool.submit(asyncio.run, _publish_nasty_guide(tmp_path / "data")).result()
    with portal(tmp_path / "data") as base:
        for path in ("/guides/h1", f"/guides/c/{category}", "/search?q=yanglao"):
            browser_page.goto(base + path)
            defined = browser_page.evaluate("[typeof TVSPEECH, typeof TVNAV]")
            assert defined == ["object", "object"], path
        browser_page.goto(base + "/guides/h1")
        assert "<!--<script>" in browser_page.evaluate("JSON.stringify(TVSPEECH)")

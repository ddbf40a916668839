"""The review workflow in the real headless Chromium, as three people do it: an editor drafts a change, a
reviewer returns it with a comment on a field, the editor fixes it, the reviewer approves, a publisher
schedules it a few seconds ahead and the TV shows it after that time; and a guide whose 计划取消日期 has
passed is gone from the TV's list, search and page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser import portal, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
FIRST = "浏览器审核流程里的初稿名称"
FIXED = "按审核意见改好的名称"


def add_users(data) -> None:
    """ed, rev and pub through the CLI, options after the subcommand as docs/editor.md writes them."""
    for name, role in (("ed", "editor"), ("rev", "reviewer"), ("pub", "publisher")):
        subprocess.run([sys.executable, "-m", "tvportal", "user", "add", name, "--role", role, "--password-stdin",
                        "--data-dir", str(data)], input=(PASSWORD + "\n").encode(), check=True, capture_output=True,
                       env=dict(os.environ))


def tv_text(base: str, path: str) -> tuple[int, str]:
    """A TV page as a set-top box gets it: (status, text)."""
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def sign_in_as(page, base: str, name: str) -> None:
    """Sign out whoever is signed in, then sign in as ``name`` and open b1's edit page."""
    page.goto(base + "/editor/guide/b1")
    if page.locator("form.who button").count():
        page.click("form.who button")
        page.goto(base + "/editor/guide/b1")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/editor/guide/b1")


def state(page) -> str:
    """The workflow state on the edit page."""
    return page.locator("#workflow-state").inner_text().strip()


def test_draft_return_fix_approve_schedule(browser_page, tmp_path):
    """The whole round by three people; the TV shows the change only after the scheduled Beijing time."""
    from tvportal.clock import city_now

    data = tmp_path / "portal"
    data.mkdir()
    add_users(data)
    with portal(data, ("TVPORTAL_SCHEDULER_SECONDS", "1"), ("TVPORTAL_TTS_ENABLED", "false")) as base:
        page = browser_page
        page.set_viewport_size({"width": 1600, "height": 1000})
        sign_in_as(page, base, "ed")
        page.fill("#f-name", FIRST)
        page.click("button[name=_action][value=save] >> nth=0")
        wait_for(page, "document.getElementById('wf-note')")
        assert state(page) == "草稿"
        page.fill("#wf-note", "名称改得让老人一看就懂")
        page.click("#wf-submit")
        wait_for(page, "document.getElementById('workflow-state').textContent.indexOf('待审核') >= 0")

        sign_in_as(page, base, "rev")
        page.goto(base + "/editor/inbox")
        assert page.locator("#inbox-count").inner_text() == "1"
        page.click("#shelf-review a[href='/editor/guide/b1']")
        page.wait_for_url("**/editor/guide/b1")
        page.select_option("#wf-field-1", "name")
        page.fill("#wf-comment-1", "名称还是太长，老人看不完")
        page.click("#wf-return")
        wait_for(page, "document.getElementById('workflow-state').textContent.indexOf('已退回') >= 0")

        sign_in_as(page, base, "ed")
        assert "名称还是太长，老人看不完" in page.locator("#workflow").inner_text()
        assert page.locator("#workflow a[href='#f-name']").count() == 1  # the comment leads to its field
        page.goto(base + "/editor/inbox")
        assert page.locator("#shelf-returned a[href='/editor/guide/b1']").count() == 1
        page.goto(base + "/editor/guide/b1")
        page.fill("#f-name", FIXED)
        page.click("button[name=_action][value=save] >> nth=0")
        wait_for(page, "document.getElementById('wf-note')")
        page.fill("#wf-note", "按意见改短了")
        page.click("#wf-submit")
        wait_for(page, "document.getElementById('workflow-state').textContent.indexOf('待审核') >= 0")

        sign_in_as(page, base, "rev")
        page.click("#wf-approve")
        wait_for(page, "document.getElementById('workflow-state').textContent.indexOf('已通过') >= 0")

        sign_in_as(page, base, "pub")
        when = city_now().replace(microsecond=0, tzinfo=None) + dt.timedelta(seconds=8)
        page.fill("#wf-when", when.isoformat(timespec="seconds"))
        page.click("#wf-schedule")
        wait_for(page, "document.getElementById('workflow-state').textContent.indexOf('定时发布') >= 0")
        assert when.strftime("%Y-%m-%d %H:%M:%S") in page.locator("#workflow").inner_text()
        assert FIXED not in tv_text(base, "/guides/b1")[1]  # not before its time
        deadline = time.monotonic() + 40
        while FIXED not in tv_text(base, "/guides/b1")[1]:
            assert time.monotonic() < deadline, "the scheduled publication did not reach the TV"
            time.sleep(0.5)
        assert city_now().replace(tzinfo=None) >= when
        page.goto(base + "/guides/b1")
        wait_for(page, f"document.body.innerText.indexOf('{FIXED[:6]}') >= 0")
        page.goto(base + "/editor/guide/b1")
        assert state(page) == "已发布"
        page.goto(base + "/editor/audit?item=b1")
        log = page.locator("table.audit").inner_text()
        for words in ("提交审核", "退回（附意见）", "审核通过第", "定于", "按定时发布为第"):
            assert words in log, words


def test_an_expired_guide_is_gone_from_the_tv(browser_page, tmp_path):
    """A guide published with a 计划取消日期 of yesterday (as an old import left it) is taken off at start:
    its category list, the search and its page no longer have it; its neighbour stays."""
    from content import store
    from tvportal.clock import city_now
    from tvportal.database import open_database, prepare
    from tvportal.editor import versions
    from tvportal.settings import load_settings

    data = tmp_path / "portal"
    settings = load_settings({"data_dir": str(data)}, environ={})
    db = open_database(settings)
    yesterday = (city_now().date() - dt.timedelta(days=1)).isoformat()
    try:
        prepare(db, settings)

        def expired(conn) -> str:
            """i3 published with a 计划取消日期 of yesterday; its name."""
            versions.lock(conn)
            guide = store.KINDS["guide"].from_dict(store.load_plain(conn, "guide", "i3"))
            store.put(conn, "guide", dataclasses.replace(guide, effective_to=yesterday))
            return guide.name

        name = db.write_sync(expired)
        assert db.read_sync(store.load_plain, "guide", "i3")["effective_to"] == yesterday
    finally:
        db.close()
    with portal(data, ("TVPORTAL_SCHEDULER_SECONDS", "1"), ("TVPORTAL_TTS_ENABLED", "false")) as base:
        page = browser_page
        deadline = time.monotonic() + 30
        while tv_text(base, "/guides/i3")[0] != 404:
            assert time.monotonic() < deadline, "the expired guide stayed on the TV"
            time.sleep(0.3)
        page.goto(base + "/guides/c/huji")
        wait_for(page, "document.readyState == 'complete'")
        assert page.locator("a[href='/guides/i3']").count() == 0
        assert page.locator("a[href='/guides/i2']").count() == 1
        page.goto(base + "/search?q=" + urllib.parse.quote(name[:5]))
        wait_for(page, "document.readyState == 'complete'")
        assert page.locator("a[href='/guides/i3']").count() == 0
        response = page.goto(base + "/guides/i3")
        assert response.status == 404

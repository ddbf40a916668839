"""The editor's import check and error summary in the real headless Chromium (issue 13).

An editor with the publisher role imports a file that meets an unpublished draft: the check lists it as
a conflict, 确认导入 without a choice is refused in Chinese, 保留草稿 keeps the draft, and the unchanged
records get no version.  A save with three mistakes shows all three at once, each a working link.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tests.browser import portal, wait_for
from tests.storage_support import transaction
from tvportal.settings import load_settings
from tvportal.storage.tables import editor_versions

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
H1_NAME = "城乡居民基本养老保险待遇领取资格认证"
DRAFT_NAME = "浏览器里保存的草稿名称"
FILE_NAME = "文件里改过的认证名称"


@pytest.fixture
def data_dir(tmp_path):
    """A data folder with the publisher ``pub``."""
    data = tmp_path / "portal"
    data.mkdir()
    subprocess.run([sys.executable, "-m", "tvportal", "user", "--data-dir", str(data), "add", "pub", "--role",
                    "publisher", "--password-stdin"], input=(PASSWORD + "\n").encode(), check=True,
                   capture_output=True)
    return data


def sign_in(page, base: str, path: str) -> None:
    """Open an editor page, signing in on the way."""
    page.goto(base + path)
    page.fill("#name", "pub")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**" + path)


def versions_in(data) -> int:
    """How many versions the editor has recorded."""
    with transaction(load_settings({"data_dir": str(data)}, environ={})) as conn:
        return conn.execute(select(func.count()).select_from(editor_versions)).scalar_one()


def test_import_meets_a_draft_and_asks(browser_page, data_dir, tmp_path):
    """Conflict listed; no choice refused in Chinese; 保留草稿 keeps the draft; unchanged records no version."""
    page = browser_page
    page.set_viewport_size({"width": 1600, "height": 1000})
    with portal(data_dir) as base:
        sign_in(page, base, "/editor/guide/h1")
        exported = page.request.get(base + "/editor/export?format=xml").body()
        page.fill("#f-name", DRAFT_NAME)
        page.click(".toolbar:not(.bottom) button[value=save]")
        wait_for(page, "document.querySelector('.notice.ok') !== null")
        upload = tmp_path / "内容.xml"
        upload.write_bytes(exported.replace(H1_NAME.encode(), FILE_NAME.encode(), 1))
        before = versions_in(data_dir)

        page.goto(base + "/editor/import")
        page.set_input_files("#file", str(upload))
        page.click("button.primary")
        wait_for(page, "document.getElementById('import-form') !== null")
        assert page.inner_text("#st-conflict") == "与未发布的草稿冲突（1）"
        assert page.inner_text("#st-changed") == "有改动（0）"
        unchanged = int(re.search(r"（(\d+)）", page.inner_text("#st-unchanged")).group(1))
        assert unchanged > 40
        assert versions_in(data_dir) == before  # the check changed nothing

        page.click("button[value=confirm]")
        wait_for(page, "document.getElementById('import-error') !== null")
        assert "没有导入任何内容" in page.inner_text("#import-error")
        assert "请在两项中选一项" in page.inner_text("#c-guide-h1")
        assert versions_in(data_dir) == before

        page.check("input[name='choice.guide/h1'][value=keep]")
        page.click("button[value=confirm]")
        wait_for(page, "document.querySelector('.outcome-conflict') !== null")
        assert "保留了未发布的草稿" in page.inner_text(".outcome-conflict")
        assert f"没有改动 {unchanged} 条" in page.inner_text(".notice.ok")
        assert versions_in(data_dir) == before  # the kept draft and the unchanged records: no version

        page.goto(base + "/editor/guide/h1")
        assert page.input_value("#f-name") == DRAFT_NAME
        tv = page.request.get(base + "/guides/h1").text()
        assert H1_NAME in tv and FILE_NAME not in tv


def test_three_mistakes_are_shown_at_once_and_linked(browser_page, data_dir):
    """A save with three mistakes lists all three at the top; each link shows and focuses its field."""
    page = browser_page
    page.set_viewport_size({"width": 1600, "height": 1000})
    with portal(data_dir) as base:
        sign_in(page, base, "/editor/guide/b1")
        page.fill("#f-name", "")
        page.fill("#f-short_name", "一二三四五六七八九十一二三")
        page.click("a[href='#sec-4']")  # the 办结时限 are in section D, shown one section at a time
        wait_for(page, "document.getElementById('f-time_limit-promised_days').offsetParent !== null")
        assert not page.is_visible("#f-name")
        page.fill("#f-time_limit-promised_days", "三天")
        page.click(".toolbar:not(.bottom) button[value=save]")
        wait_for(page, "document.getElementById('error-summary') !== null")
        links = page.locator("#error-summary li a")
        assert links.count() == 3
        assert page.inner_text("#error-summary h2") == "没有保存：有 3 处需要改正"
        hrefs = [links.nth(i).get_attribute("href") for i in range(3)]
        assert hrefs == ["#f-name", "#f-short_name", "#f-time_limit-promised_days"]
        assert "（" not in page.inner_text("#error-summary").replace("“", "")  # no （summary）-style names
        # the form opens at the first section with a mistake; the third is in section D, shown by its link
        assert page.is_visible("#f-name-error") and page.is_visible("#f-short_name-error")
        assert not page.is_visible("#f-time_limit-promised_days-error")
        page.click("#error-summary a[href='#f-time_limit-promised_days']")
        wait_for(page, "document.getElementById('f-time_limit-promised_days').offsetParent !== null")
        assert page.is_visible("#f-time_limit-promised_days-error")
        assert page.input_value("#f-time_limit-promised_days") == "三天"
        assert "应为整数" in page.inner_text("#f-time_limit-promised_days-error")
        page.click("#error-summary a[href='#f-name']")
        wait_for(page, "document.getElementById('f-name').offsetParent !== null")
        assert page.is_visible("#f-name-error") and page.input_value("#f-short_name") == "一二三四五六七八九十一二三"

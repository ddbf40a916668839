"""Bad input: TV-style 404 and 400 pages with key hints, never a stack trace."""

from __future__ import annotations

import io

import pytest
from aiohttp import web
from lxml import html

from tvportal.keys import PUBLISHED


def assert_tv_error_page(text: str, title: str) -> html.HtmlElement:
    """The body is a full TV page: a Chinese title, a Home button, the key hints, no traceback."""
    doc = html.fromstring(text)
    assert doc.findtext(".//h1") == title
    assert doc.get_element_by_id("e-home").get("href") == "/"
    assert doc.find_class("hints")
    assert "Traceback" not in text and "File \"" not in text
    return doc


@pytest.mark.parametrize("url", ["/guides/nope", "/halls/LA-99", "/policies/p999", "/guides/c/nope",
                                 "/halls/area/999999", "/services/other/h1", "/no/such/page",
                                 "/guides/c/yanglao?page=99"])
async def test_unknown_ids_give_a_tv_404(client, url):
    """An unknown guide, hall, policy, topic or page number is a 404 TV page."""
    resp = await client.get(url)
    assert resp.status == 404
    assert_tv_error_page(await resp.text(), "找不到这一页")


@pytest.mark.parametrize("url,title", [("/guides/h1?page=abc", "没有这一页"), ("/guides/h1?page=0", "没有这一页"),
                                       ("/policies?page=-1", "没有这一页"),
                                       ("/search?q=" + "养" * 31, "这些搜索文字用不了"),
                                       ("/search?q=%01x", "这些搜索文字用不了")])
async def test_malformed_parameters_give_a_tv_400(client, url, title):
    """Malformed query parameters are a 400 TV page that says what is wrong."""
    resp = await client.get(url)
    assert resp.status == 400
    assert_tv_error_page(await resp.text(), title)


async def test_bad_settings_form_is_a_400_and_changes_nothing(client):
    """A settings form with an unknown field leaves the device's preferences as they were."""
    await client.post("/settings", data={"field": "text", "value": "1"})
    resp = await client.post("/settings", data={"field": "colour", "value": "pink"})
    assert resp.status == 400
    assert_tv_error_page(await resp.text(), "请求有误")
    doc = html.fromstring(await (await client.get("/")).text())
    assert "lt" in doc.get("class").split()


async def test_wrong_method_is_a_tv_page(client):
    """POST to a page that only shows is a 405 TV page."""
    resp = await client.post("/guides")
    assert resp.status == 405
    assert_tv_error_page(await resp.text(), "这里不能这样操作")


async def test_too_large_a_form_says_so(client):
    """A 3 MB form is refused with a page saying it was too large and nothing was kept (not "try later")."""
    body = io.BytesIO(b"field=text&value=" + b"1" * 3_000_000)
    resp = await client.post("/settings", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 413
    page = await resp.text()
    assert_tv_error_page(page, "发送的内容太多")
    assert "稍后再试" not in page and "没有丢" not in page


async def test_unexpected_exception_is_a_friendly_500(client, caplog):
    """A bug in a view shows 出了点问题 on the TV; the traceback goes to the log only."""
    class Broken:
        """A snapshot whose every lookup fails."""

        def __getattr__(self, name):
            """Fail like a bug would."""
            raise RuntimeError("boom")

    client.server.app[PUBLISHED].swap(Broken())
    resp = await client.get("/guides")
    assert resp.status == 500
    text = await resp.text()
    assert_tv_error_page(text, "出了点问题")
    assert "boom" not in text
    assert "boom" in caplog.text


async def test_error_pages_in_english(client):
    """Error pages follow the device's language."""
    await client.post("/settings", data={"field": "lang", "value": "en"})
    resp = await client.get("/guides/nope")
    assert_tv_error_page(await resp.text(), "This page does not exist")


def test_bad_page_is_an_http_400():
    """The page parser's error is an HTTP 400 (so the middleware renders the 400 page)."""
    from tvportal.pagination import BadPageNumber

    assert issubclass(BadPageNumber, web.HTTPBadRequest)

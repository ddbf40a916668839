"""Every TV page renders for the demo content, with where-you-are and the key-hint bar."""

from __future__ import annotations

import re

import pytest
from lxml import html

from content.demo_loader import load_demo


def tv_urls() -> list[str]:
    """Every TV page of the demo content (first pages; later pages are followed in the test)."""
    demo = load_demo("lu_an")
    urls = ["/", "/guides", "/booking", "/services/handling", "/services/query", "/policies", "/halls", "/search",
            "/search?q=养老", "/settings", "/help"]
    urls += [f"/guides/c/{c.id}" for c in demo["category"]]
    urls += [f"/guides/{g.id}" for g in demo["guide"]]
    urls += [f"/services/handling/{g.id}" for g in demo["guide"] if g.kind == "handling"]
    urls += [f"/services/query/{g.id}" for g in demo["guide"] if g.kind == "query"]
    urls += [f"/policies/{p.id}" for p in demo["policy"]]
    urls += [f"/halls/{h.id}" for h in demo["hall"]]
    urls += [f"/halls/area/{code}" for code, _name in demo["city"]["counties"]]
    urls += ["/guides/h1/more", "/area", "/area/341524"]  # 更多信息 and 选择您所在的县区 (views/area.py)
    return urls


async def fetch_all_pages(client, url: str) -> list[tuple[str, html.HtmlElement]]:
    """The page at ``url`` and every following page reached with 下一页."""
    pages = []
    while url:
        resp = await client.get(url)
        assert resp.status == 200, url
        doc = html.fromstring(await resp.text())
        pages.append((url, doc))
        nxt = doc.get_element_by_id("pg-next", None)
        url = nxt.get("href") if nxt is not None else None
        assert len(pages) < 30, "endless paging"
    return pages


@pytest.mark.parametrize("url", tv_urls())
async def test_page_renders_with_location_and_hints(client, url):
    """Each page has a title, 当前位置, a key-hint bar and a focus map naming real elements."""
    for page_url, doc in await fetch_all_pages(client, url):
        assert doc.findtext(".//h1").strip(), page_url
        crumbs = doc.find_class("crumbs")[0].text_content()
        assert crumbs.startswith("当前位置："), page_url
        hints = {li.get("data-action"): li.text_content() for li in doc.find_class("hints")[0].iter("li")}
        assert hints["ok"].startswith("OK "), page_url  # the OK key's chip, then what it does
        script = next(s.text for s in doc.iter("script") if s.text and "TVNAV" in s.text)
        ids = re.findall(r'"([\w-]+)":\{"[udlrgnh]"', script)
        assert ids, page_url
        for item_id in ids:
            assert doc.get_element_by_id(item_id, None) is not None, (page_url, item_id)


async def test_home_has_the_eight_tiles_numbered(client):
    """Home offers the seven services plus 我的 (with the settings inside), numbered 1-8, with 办事指南 focused first;
    this TV has no speech model, so the voice tile gives way to 帮助 (tests/test_operator_branding.py has one)."""
    doc = html.fromstring(await (await client.get("/")).text())
    tiles = doc.find_class("tile")
    labels = [t.find_class("t")[0].text for t in tiles]
    assert labels == ["办事指南", "预约办理", "我要办", "便民查询", "政策资讯", "附近大厅", "帮助", "我的"]
    assert [t.find_class("num")[0].text for t in tiles] == [str(i) for i in range(1, 9)]
    assert '"start":"t-guides"' in next(s.text for s in doc.iter("script") if s.text)


async def test_guide_pages_hold_every_element(client):
    """A guide's screens and its 更多信息 show its materials, legal basis and phone numbers somewhere."""
    pages = await fetch_all_pages(client, "/guides/h6") + await fetch_all_pages(client, "/guides/h6/more")
    text = " ".join(doc.text_content() for _url, doc in pages)
    for needle in ("要带的材料", "设定依据", "人社部发〔2014〕23号", "办理流程", "基本信息"):
        assert needle in text


async def test_english_locale_switch_is_remembered(client):
    """Switching the language on the settings page changes the next pages and sticks to the device."""
    resp = await client.post("/settings", data={"field": "lang", "value": "en"}, allow_redirects=False)
    assert resp.status == 303
    assert "tvprefs" in resp.cookies
    doc = html.fromstring(await (await client.get("/")).text())
    assert doc.get("lang") == "en"
    assert "Service guides" in doc.text_content()
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d+", doc.text_content())


async def test_large_text_and_contrast_modes(client):
    """Large text and high contrast are switched by the device and shown as classes on the page."""
    await client.post("/settings", data={"field": "text", "value": "1"})
    await client.post("/settings", data={"field": "contrast", "value": "1"})
    doc = html.fromstring(await (await client.get("/guides/c/yanglao")).text())
    assert {"lt", "hc"} <= set(doc.get("class").split())
    rows = [e for e in doc.find_class("row")]
    assert 0 < len(rows) <= 3


async def test_chinese_date_in_header(client):
    """The header shows the date as an elder reads it, e.g. 11月24日 星期二."""
    doc = html.fromstring(await (await client.get("/")).text())
    assert re.fullmatch(r"\d{1,2}月\d{1,2}日 星期[一二三四五六日]", doc.find_class("date")[0].text)


async def test_healthz(client):
    """/healthz answers 200 with JSON naming the content it serves."""
    resp = await client.get("/healthz")
    assert resp.status == 200
    data = await resp.json()
    assert data["status"] == "ok" and data["content"]["guides"] >= 13

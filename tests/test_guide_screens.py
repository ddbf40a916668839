"""A guide in at most 4 screens (6 in large text): the five facts, the nearest hall, what the TV can do,
更多信息, the spoken text of each screen, 更新日期 and policy dates with the year (issue 10, parts 5-6)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from lxml import html

from content.demo_loader import load_demo
from tests.platform_helpers import FlowClient, embedded_code
from tests.test_pages import fetch_all_pages
from tvportal.keys import PUBLISHED

GUIDES = [g.id for g in load_demo("lu_an")["guide"]]


def nav_of(doc) -> dict:
    """The page's focus map (window.TVNAV)."""
    script = next(s.text for s in doc.iter("script") if s.text and "TVNAV" in s.text)
    return json.loads(script.split("=", 1)[1].rstrip(";\n "))


def facts_of(doc) -> dict[str, str]:
    """Screen 1's facts, label -> value."""
    return {tr.find("th").text_content(): tr.find("td").text_content() for tr in doc.find_class("facts")[0].iter("tr")}


async def large_text(client) -> None:
    """Switch this client's device to large text."""
    assert (await client.post("/settings", data={"field": "text", "value": "1"}, allow_redirects=False)).status == 303


@pytest.mark.parametrize("large", [False, True])
async def test_every_demo_guide_fits_its_screens(client, large):
    """≤ 4 screens in normal text, ≤ 6 in large; the 更多信息 page holds the national elements."""
    if large:
        await large_text(client)
    for gid in GUIDES:
        pages = await fetch_all_pages(client, f"/guides/{gid}")
        assert len(pages) <= (6 if large else 4), (gid, len(pages))
        first = pages[0][1]
        assert list(facts_of(first)) == ["办什么", "谁能办", "带什么", "去哪里办", "多久办好"], gid
        assert first.get_element_by_id("more").get("href") == f"/guides/{gid}/more"
        more = " ".join(doc.text_content() for _url, doc in await fetch_all_pages(client, f"/guides/{gid}/more"))
        assert "基本信息" in more and "服务对象" in more, gid
        shown = " ".join(doc.text_content() for _url, doc in pages)
        assert "实施编码" not in shown, gid  # behind 更多信息, never a screen of the guide


async def test_first_screen_says_what_where_and_offers_the_tv_service(client):
    doc = html.fromstring(await (await client.get("/guides/h1")).text())
    facts = facts_of(doc)
    assert "认证" in facts["办什么"] and "居民身份证" in facts["带什么"] and "不收费" in facts["多久办好"]
    assert facts["去哪里办"].startswith("金寨县政务服务中心")  # the guide's first hall: nobody said where they live
    assert doc.get_element_by_id("tv-do").get("href") == "/apply/h1"
    assert "更新日期：2026年10月20日" in doc.text_content()
    for gid, href in (("q1", "/lookup/q1"), ("b1", "/booking/halls")):
        page = html.fromstring(await (await client.get(f"/guides/{gid}")).text())
        assert page.get_element_by_id("tv-do").get("href") == href
    assert html.fromstring(await (await client.get("/guides/i1")).text()).get_element_by_id("tv-do", None) is None


async def test_page_keys_replace_the_history_entry_so_back_leaves_the_guide(client):
    doc = html.fromstring(await (await client.get("/guides/h1")).text())
    nav = nav_of(doc)
    assert nav["keys"]["page_down"] == {"href": "/guides/h1?page=2", "rp": 1}
    assert nav["items"]["pg-next"]["rp"] == 1 and "rp" not in nav["items"]["more"]
    assert "back" not in nav  # Back is the browser's: the list or search the guide was opened from


async def test_the_chosen_area_names_the_nearest_hall(client):
    first = html.fromstring(await (await client.get("/guides/h1")).text())
    chooser = first.get_element_by_id("area").get("href")
    assert chooser == "/area?next=%2Fguides%2Fh1"
    counties = html.fromstring(await (await client.get(chooser)).text())
    assert nav_of(counties)["items"]["a-341524"]["rp"] == 1 and nav_of(counties)["br"] == 1
    towns = html.fromstring(await (await client.get(counties.get_element_by_id("a-341524").get("href"))).text())
    pick = next(a for a in towns.find_class("tile") if "天堂寨镇" in a.text_content()).get("href")
    resp = await client.get(pick, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/guides/h1"
    facts = facts_of(html.fromstring(await (await client.get("/guides/h1")).text()))
    assert facts["去哪里办"].startswith("金寨县天堂寨镇便民服务中心（离金寨县天堂寨镇最近）")
    # the same town has no hall for i2: the county's own hall is nearest
    facts = facts_of(html.fromstring(await (await client.get("/guides/i2")).text()))
    assert facts["去哪里办"].startswith("金寨县政务服务中心")
    # 裕安区: two town halls serve h1 there, none for i2 (its halls are the county seats): the nearest by distance
    await client.get("/area/set/341503?next=/")
    assert facts_of(html.fromstring(await (await client.get("/guides/h1")).text()))["去哪里办"].startswith("裕安区")
    # (by the demo coordinates the county hall of 霍山县 is nearest to 裕安区's first town hall, 独山镇)
    assert facts_of(html.fromstring(await (await client.get("/guides/i2")).text()))["去哪里办"].startswith("霍山县政务")
    await client.get("/area/set/none?next=/")
    assert facts_of(html.fromstring(await (await client.get("/guides/h1")).text()))["去哪里办"].startswith("金寨县政务")


async def test_bad_area_choices_are_refused(client):
    for url in ("/area/set/999999?next=/", "/area/set/341524?town=不存在镇&next=/", "/area/123456"):
        assert (await client.get(url, allow_redirects=False)).status == 404, url
    resp = await client.get("/area/set/341524?next=//evil.example/", allow_redirects=False)
    assert resp.headers["Location"] == "/settings"


async def test_the_signed_in_persons_county_names_the_hall(client, settings):
    tv = FlowClient(client, lambda number, purpose: embedded_code(settings, number, purpose))
    await tv.get("/guides/h1")  # cached for the anonymous viewer first: the signed-in one must not get it
    await tv.sign_in("341525194011182025")  # 李桂兰, 霍山县
    resp = await client.get("/guides/h1")
    facts = facts_of(html.fromstring(await resp.text()))
    assert facts["去哪里办"].startswith("霍山县政务服务中心（离霍山县最近）")
    assert "no-store" in resp.headers["Cache-Control"]
    await client.get("/area/set/341524?next=/")  # a county chosen on this TV wins
    facts = facts_of(html.fromstring(await (await client.get("/guides/h1")).text()))
    assert facts["去哪里办"].startswith("金寨县政务服务中心（离金寨县最近）")


async def test_spoken_text_of_each_screen_and_the_editors_tts_text(client):
    from tvportal.views.guides import guide_screen

    app = client.server.app
    snapshot = app[PUBLISHED].snapshot
    guide = snapshot.guide_by_id["h1"]

    def screen(page: int, record=guide):
        """The guide's screen ``page`` as the view builds it."""
        from aiohttp.test_utils import make_mocked_request

        from tvportal.keys import PREFS
        from tvportal.prefs import Prefs

        request = make_mocked_request("GET", f"/guides/h1?page={page}", app=app)
        request[PREFS] = Prefs()
        return guide_screen(request, record, base="/guides/h1")

    one, two = screen(1), screen(2)
    assert one.spoken[0].startswith("办什么：领养老金的老人") and any(s.startswith("去哪里办：") for s in one.spoken)
    assert one.spoken[-1] == "更新日期：2026年10月20日"
    assert two.spoken[0] == "要带的材料" and two.spoken != one.spoken
    said = replace(guide, tts_text="养老资格认证，每年一次，可以在电视上申请上门认证。")
    assert screen(1, said).spoken[0] == said.tts_text and screen(2, said).spoken == two.spoken


async def test_policy_dates_carry_the_year(client):
    doc = html.fromstring(await (await client.get("/policies")).text())
    assert re.search(r"20\d\d年\d+月\d+日", doc.text_content())
    policy = load_demo("lu_an")["policy"][0]
    page = html.fromstring(await (await client.get(f"/policies/{policy.id}")).text())
    assert f"{policy.date[:4]}年" in page.text_content()

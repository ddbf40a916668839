"""SD boxes in large text: flow screens whose text would leave the buttons too little room show less text per
screen (the QR sign-in drops its third step, which its first button says; an application's progress shows
fewer steps a page), never buttons squeezed until their labels are cut. The same screens at HD keep it all.
The browser check of the same screens is tests/test_screen_sizes.py (geometry in Chromium)."""

from __future__ import annotations

import re

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, submit_first_answers

# a button's box as the template places it (epg_templates/macros.html place)
BUTTON = re.compile(r'<(?:a|button) id="(\w+)" class="f fb[^"]*"[^>]*style="left:[\d.]+px;top:([\d.]+)px;'
                    r'width:[\d.]+px;height:([\d.]+)px')
# SD large text is 30 px: a button row must hold one line of it (1.3 line height) and its border
MIN_ROW = 30 * 1.3 + 8


async def _tv(client, settings, size: str) -> FlowClient:
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.get(f"/?size={size}")
    resp = await client.post("/settings", data={"field": "text", "value": "1"})
    assert resp.status in (200, 303)
    return tv


def _buttons(page: str) -> dict[str, float]:
    found = {bid: float(h) for bid, _top, h in BUTTON.findall(page)}
    assert found, page[:3000]
    return found


def _steps(page: str) -> list[str]:
    return re.findall(r'<p class="fl"[^>]*><span class="k">([^<]+?)：</span>', page)


async def test_qr_sign_in_at_sd_in_large_text_keeps_its_buttons_readable(client, settings):
    tv = await _tv(client, settings, "sd")
    page = await tv.get("/id/qr")
    assert {"sd", "lt"} <= set(re.search(r'<html[^>]*class="([^"]*)"', page).group(1).split())
    heights = _buttons(page)
    assert set(heights) == {"done", "idnum"} and min(heights.values()) >= MIN_ROW, heights
    assert _steps(page) == ["1", "2"]
    assert "我已在手机上确认" in page  # what the third step said is on the first button


async def test_qr_sign_in_at_hd_in_large_text_shows_three_steps(client, settings):
    tv = await _tv(client, settings, "hd")
    page = await tv.get("/id/qr")
    assert _steps(page) == ["1", "2", "3"] and "然后在电视上按确定键" in page


H3_STEPS = ["提交申请", "乡镇受理初审", "村（社区）公示7天", "县残联审核", "县民政局审定", "办结"]


async def _pages(tv: FlowClient, number: str) -> tuple[list[str], list[bool]]:
    """Every page of an application's progress: the steps in the order shown, and which pages say the
    promised date; each page's buttons hold a line of their text."""
    first = await tv.get(f"/apply/a/{number}")
    found = re.search(r"共 ?(\d+) ?页", first)
    seen, promised = [], []
    for n in range(1, (int(found.group(1)) if found else 1) + 1):
        page = await tv.get(f"/apply/a/{number}?page={n}")
        heights = _buttons(page)
        assert min(heights.values()) >= MIN_ROW, (n, heights)
        labels = _steps(page)
        promised.append("承诺办结日期" in labels)
        seen += [s for s in labels if s not in ("承诺办结日期", "申请人")]
    return seen, promised


async def test_progress_at_sd_in_large_text_pages_every_step_once_with_room(client, settings):
    """残疾人补贴 (h3) has 6 steps and a promised date: at SD in large text every step is on exactly one
    page, in order, the date on the last, and the buttons keep their room. Finished by the hall, it offers
    three buttons (评价 first, two rows), and its six dated steps go fewer to a page."""
    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    url, _receipt = await submit_first_answers(tv, "h3")
    number = re.search(r"/apply/a/(BJ\w+)", url).group(1)
    seen, promised = await _pages(tv, number)
    assert seen == H3_STEPS and promised[-1] and not any(promised[:-1]), (seen, promised)

    import json

    from sqlalchemy import update

    from tests.storage_support import transaction
    from tvportal.storage.tables import platform_applications as apps

    dated = [{"name": name, "date": f"2026-11-{10 + i:02d} 10:00", "note": ""} for i, name in enumerate(H3_STEPS)]
    with transaction(settings) as conn:
        conn.execute(update(apps).where(apps.c.number == number).values(status="finished",
                                                                          steps=json.dumps(dated, ensure_ascii=False)))
    page = await tv.get(f"/apply/a/{number}")
    assert set(_buttons(page)) == {"rate", "mine", "home"}
    seen, promised = await _pages(tv, number)
    assert seen == H3_STEPS and not any(promised), (seen, promised)


async def test_finished_application_at_sd_in_large_text(client, settings):
    """A finished application offers three buttons (评价 first): they take two rows, and still hold a line."""
    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    url, _receipt = await submit_first_answers(tv, "h5")
    page = await tv.get(url.split("?")[0])
    heights = _buttons(page)
    assert set(heights) == {"rate", "mine", "home"} and min(heights.values()) >= MIN_ROW, heights


async def test_me_at_sd_in_large_text_keeps_its_buttons_readable(client, settings):
    """我的 signed in (eight choices in two columns): who is signed in stays, the buttons hold a line."""
    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    page = await tv.get("/me")
    heights = _buttons(page)
    assert len(heights) >= 7 and min(heights.values()) >= MIN_ROW, heights
    assert "已登录" in page and "陈建国" in page


async def test_no_flow_screen_at_sd_in_large_text_is_cramped(client, settings, caplog):
    """Every flow screen a signed-in elder meets, at SD in large text: none leaves its buttons less than a
    line (the portal says so in its log when one does, tvportal/flows/ui.py show)."""
    import logging

    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    urls = ["/id", "/id/qr", "/id/enter/id", "/me", "/booking", "/booking/halls", "/booking/h/LA-01",
            "/booking/h/LA-01/soon", "/booking/mine", "/apply", "/apply/h3", "/apply/h3/q/0", "/apply/h3/q/1",
            "/apply/h3/q/2", "/apply/mine", "/lookup", "/lookup/q1", "/lookup/q1/result", "/lookup/q4/result",
            "/settings", "/voice", "/family?next=/me", "/id/family"]
    day = re.search(r"/booking/h/LA-01/(\d{4}-\d\d-\d\d)", await tv.get("/booking/h/LA-01")).group(1)
    slots = await tv.get(f"/booking/h/LA-01/{day}")
    urls += [f"/booking/h/LA-01/{day}", re.search(r'href="(/booking/s/[^"]+)"', slots).group(1)]
    mine = await tv.get("/apply/mine")
    app = re.search(r'href="(/apply/a/BJ\w+)"', mine).group(1)
    urls += [app, "/rate/application/" + app.rsplit("/", 1)[1]]
    with caplog.at_level(logging.WARNING, logger="tvportal.flows.ui"):
        for url in urls:
            resp = await client.get(url)
            assert resp.status < 500, url
    assert [r.getMessage() for r in caplog.records if "leaves its buttons" in r.getMessage()] == []


async def test_the_question_number_stays_visible_at_sd(client, settings):
    """第1题，共3题 is top right (where pages show 第1页), not at the end of a 当前位置 that SD cuts."""
    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    page = await tv.get("/apply/h3/q/1")
    assert re.search(r'<p class="pageno">第2题，共3题</p>', page), page[:3000]
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', page, re.S).group(0)
    assert "第2题" not in crumbs


async def test_the_question_number_is_said_after_the_title(client, settings):
    """The speech script says 第2题，共3题 right after the service's name."""
    tv = await _tv(client, settings, "sd")
    await tv.sign_in(PEOPLE["chen"])
    page = await tv.get("/apply/h3/q/1")
    said = re.findall(r'\["([^"]+)","[0-9a-f]{32}"\]', page.split("TVSPEECH", 1)[1].split('"title"', 1)[0])
    assert said[:2] == ["残疾人补贴", "第二题，共三题"], said  # numbers as words (voice/speakable.py)

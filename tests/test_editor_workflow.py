"""The review workflow through the real HTTP app: 草稿 → 待审核 → 已退回 / 已通过 → 已发布, the inbox, the rules
(nobody reviews their own change; editing an approved draft makes it a draft again; 审核状态/审核人 come from
the workflow) and every step in the audit log in Chinese."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.editor_support import csrf_of, form_of, make_users, replace, revision_of, sign_in, t
from tvportal.app import create_app
from tvportal.clock import city_now

NEW_NAME = "审核流程里改过名的预约办理事项"
FIXED_NAME = "审核员退回后改好的预约办理事项"
PATH = "/editor/guide/b1"


@pytest.fixture
async def app(settings):
    """The real app over a database with ed (editor), rev (reviewer), pub (publisher) and adm (admin)."""
    make_users(settings)
    return create_app(settings)


@pytest.fixture
async def people(aiohttp_client, app):
    """Browsers of ed, rev and pub on one running app."""
    ed = await aiohttp_client(app)
    assert (await sign_in(ed, "ed")).status == 303
    found = {"ed": ed}
    for name in ("rev", "pub", "adm"):
        other = await aiohttp_client(ed.server)
        assert (await sign_in(other, name)).status == 303
        found[name] = other
    return found


async def page_of(client, path=PATH) -> str:
    """A page's text (asserting it loaded)."""
    response = await client.get(path)
    text = await response.text()
    assert response.status == 200, text[:300]
    return text


async def save_name(client, name: str) -> None:
    """Save the edit form of b1 with a new 事项名称."""
    text = await page_of(client)
    response = await client.post(PATH, data=[*replace(form_of(text), name=name), ("_action", "save")],
                                 allow_redirects=False)
    assert response.status == 303


async def step(client, where: str, **fields) -> str:
    """Post a workflow form of b1 (``where``: submit, review, schedule) with the page's token and revision; the
    page after the redirect."""
    text = await page_of(client)
    data = {"_csrf": csrf_of(text), "_revision": str(revision_of(text)), **fields}
    response = await client.post(f"{PATH}/{where}", data=data)
    assert response.status == 200
    return await response.text()


def state_of(text: str) -> str:
    """The workflow state the edit page shows."""
    return re.search(r'id="workflow-state">([^<]+)<', text).group(1)


async def tv(client) -> str:
    """The TV page of b1."""
    return await (await client.get("/guides/b1")).text()


async def draft_data(app) -> dict:
    """The stored draft of b1."""
    from tvportal.keys import DB
    from tvportal.editor import versions

    return (await app[DB].read(versions.working, "guide", "b1")).data


async def test_the_whole_round(people, app):
    """Edit, submit with a note, return with a comment on a field, fix, submit, approve, publish; each person's
    inbox shows what awaits them, the TV changes only at the end, and the audit log tells it in Chinese."""
    ed, rev, pub = people["ed"], people["rev"], people["pub"]
    await save_name(ed, NEW_NAME)
    assert state_of(await page_of(ed)) == t("Draft")
    refused = await step(pub, "schedule", action="now")  # not reviewed yet: a publisher cannot put it out
    assert t("This draft has not been approved by a reviewer yet, so it cannot be published. "
             "Submit it for review first.") in refused
    assert NEW_NAME not in await tv(ed)
    assert t("Please say in a few words what you changed and why (the change note).") in await step(
        ed, "submit", note=" ")
    text = await step(ed, "submit", note="名称改成老人能看懂的说法")
    assert state_of(text) == t("Awaiting review")
    inbox = await page_of(rev, "/editor/inbox")
    assert "名称改成老人能看懂的说法" in inbox and 'href="/editor/guide/b1"' in inbox
    assert re.search(r'id="inbox-count">1<', inbox)
    assert 'href="/editor/guide/b1"' not in (await page_of(pub, "/editor/inbox")).split('id="shelf-publish"')[1]
    text = await step(rev, "review", decision="return", comment="整体再读一遍",
                      field_1="name", comment_1="名称太长，老人看不完")
    assert state_of(text) == t("Returned")
    ed_page = await page_of(ed)
    assert state_of(ed_page) == t("Returned")
    notes = ed_page.split('id="workflow"')[1].split("</section>")[0]
    assert "名称太长，老人看不完" in notes and "整体再读一遍" in notes and 'href="#f-name"' in notes
    assert 'href="/editor/guide/b1"' in (await page_of(ed, "/editor/inbox")).split('id="shelf-returned"')[1]
    await save_name(ed, FIXED_NAME)
    assert state_of(await page_of(ed)) == t("Returned")  # still to be resubmitted
    await step(ed, "submit", note="按审核意见改短了名称")
    text = await step(rev, "review", decision="approve")
    assert state_of(text) == t("Approved")
    data = await draft_data(app)
    assert (data["review_state"], data["reviewed_by"], data["reviewed_at"]) == (
        "已审核", "rev", city_now().date().isoformat())
    assert "名称太长" not in (await page_of(ed)).split('id="workflow"')[1].split("</section>")[0]  # dealt with
    assert 'href="/editor/guide/b1"' in (await page_of(pub, "/editor/inbox")).split('id="shelf-publish"')[1]
    assert FIXED_NAME not in await tv(ed)
    text = await step(pub, "schedule", action="now")
    assert state_of(text) == t("Published")
    assert FIXED_NAME in await tv(ed)
    log = await page_of(pub, "/editor/audit?item=b1")
    for action in ("Submitted for review", "Returned with comments", "Approved", "Published", "Saved draft"):
        assert t(action) in log, action
    assert "名称太长，老人看不完" in log and "按审核意见改短了名称" in log


async def test_nobody_reviews_their_own_change(people):
    """A publisher (who may review) cannot approve or return a change they submitted."""
    pub, rev = people["pub"], people["rev"]
    await save_name(pub, NEW_NAME)
    await step(pub, "submit", note="自己改的")
    page = await page_of(pub)
    assert 'id="wf-approve"' not in page
    assert t("You made or submitted this change, so someone else must review it.") in page
    text = await step(pub, "review", decision="approve")
    assert t("You made or submitted this change, so someone else must review it.") in text
    assert state_of(text) == t("Awaiting review")
    assert 'href="/editor/guide/b1"' not in (await page_of(pub, "/editor/inbox")).split('id="shelf-review"')[1]
    assert state_of(await step(rev, "review", decision="approve")) == t("Approved")


async def test_own_review_allowed_when_the_setting_is_off(aiohttp_client, settings):
    """review_by_other off (a one-person office): the same person may approve."""
    settings = settings.replace(review_by_other=False)
    make_users(settings)
    pub = await aiohttp_client(create_app(settings))
    assert (await sign_in(pub, "pub")).status == 303
    await save_name(pub, NEW_NAME)
    await step(pub, "submit", note="一个人的办公室")
    assert state_of(await step(pub, "review", decision="approve")) == t("Approved")


async def test_editing_an_approved_draft_makes_it_a_draft_again(people):
    """What was approved is no longer what would be published: back to 草稿, and publishing is refused."""
    ed, rev, pub = people["ed"], people["rev"], people["pub"]
    await save_name(ed, NEW_NAME)
    await step(ed, "submit", note="改名")
    await step(rev, "review", decision="approve")
    await save_name(ed, FIXED_NAME)
    assert state_of(await page_of(pub)) == t("Draft")
    text = await step(pub, "schedule", action="now")
    assert t("This draft has not been approved by a reviewer yet, so it cannot be published. "
             "Submit it for review first.") in text
    assert FIXED_NAME not in await tv(ed) and NEW_NAME not in await tv(ed)
    assert t("Back to draft") in await page_of(pub, "/editor/audit?item=b1")


async def test_review_fields_are_not_typed(people, app):
    """审核状态/审核人/审核日期 are not inputs; posting them changes nothing (the stored values stay)."""
    ed = people["ed"]
    text = await page_of(ed)
    names = {name for name, _value in form_of(text)}
    assert not {"review_state", "reviewed_by", "reviewed_at"} & names
    before = await draft_data(app)
    data = [*replace(form_of(text), name=NEW_NAME), ("review_state", "已审核"), ("reviewed_by", "冒充的人"),
            ("reviewed_at", "2030-01-01"), ("_action", "save")]
    assert (await ed.post(PATH, data=data, allow_redirects=False)).status == 303
    after = await draft_data(app)
    assert after["name"] == NEW_NAME and after["reviewed_by"] == before["reviewed_by"] != "冒充的人"
    assert after["reviewed_at"] == before["reviewed_at"] and after["review_state"] == "草稿"


async def test_an_editor_cannot_review_or_publish(people):
    """The buttons need their roles: an editor's review or publication is refused with 403."""
    ed = people["ed"]
    await save_name(ed, NEW_NAME)
    text = await page_of(ed)
    for action, fields in (("review", {"decision": "approve"}), ("schedule", {"action": "now"})):
        response = await ed.post(f"{PATH}/{action}", data={"_csrf": csrf_of(text), "_revision": "1", **fields})
        assert response.status == 403


async def test_field_notes_reach_the_form(people):
    """The edit view hands the reviewer's open comments on fields to the form as ``field_notes``."""
    from tvportal.editor import views_items

    ed, rev = people["ed"], people["rev"]
    await save_name(ed, NEW_NAME)
    await step(ed, "submit", note="改名")
    await step(rev, "review", decision="return", field_1="summary", comment_1="简版说明要更短")
    seen = {}
    real = views_items.page

    def spy(request, template, context=None, status=200):
        """Keep the edit page's context."""
        seen.update(context or {})
        return real(request, template, context, status)

    views_items.page = spy
    try:
        await page_of(ed)
    finally:
        views_items.page = real
    (note,) = seen["field_notes"]["summary"]
    assert note["author"] == "rev" and note["text"] == "简版说明要更短" and note["when"]


async def test_stale_guides_are_listed(aiohttp_client, settings):
    """Guides whose 审核日期 is older than review_stale_months are listed, oldest first."""
    settings = settings.replace(review_stale_months=6)
    make_users(settings)
    ed = await aiohttp_client(create_app(settings))
    assert (await sign_in(ed, "ed")).status == 303
    text = await page_of(ed, "/editor/stale")
    listed = re.findall(r'href="/editor/guide/([a-z0-9]+)"', text)
    today = city_now().date()
    import datetime as dt
    from tvportal.editor.inbox import months_before

    since = months_before(today, 6).isoformat()
    guides = json.loads(Path("content/demo/lu_an/guides.json").read_text(encoding="utf-8"))["guides"]
    expected = sorted((g.get("reviewed_at") or "", g["id"]) for g in guides if (g.get("reviewed_at") or "") < since)
    assert listed == [i for _day, i in expected] and listed
    assert dt.date.fromisoformat(expected[0][0] or "2000-01-01") < today


def test_months_before():
    """A month earlier keeps the day, or takes the month's last day."""
    import datetime as dt
    from tvportal.editor.inbox import months_before

    assert months_before(dt.date(2026, 12, 2), 12) == dt.date(2025, 12, 2)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 2) == dt.date(2025, 11, 15)


async def test_publishing_a_past_end_date_takes_the_guide_off_the_tv(people):
    """The editor sets 计划取消日期 to a day that has passed on a published guide; once reviewed, 立即发布 takes
    it off the TV (its page, list and search) at once, keeps the text as a draft and says so."""
    ed, rev, pub = people["ed"], people["rev"], people["pub"]
    assert (await ed.get("/guides/b1")).status == 200
    yesterday = (city_now().date() - __import__("datetime").timedelta(days=1)).isoformat()
    text = await page_of(ed)
    response = await ed.post(PATH, data=[*replace(form_of(text), effective_to=yesterday), ("_action", "save")],
                             allow_redirects=False)
    assert response.status == 303
    await step(ed, "submit", note="这项服务停办了")
    await step(rev, "review", decision="approve")
    text = await step(pub, "schedule", action="now")
    assert t("Its planned end date ({date}) has come, so it was taken off the TV, its search and speech; the "
             "text stays as a draft.", date=yesterday) in text
    assert (await pub.get("/guides/b1")).status == 404
    assert "/guides/b1" not in await (await pub.get("/services/booking")).text()
    assert (await draft_data(pub.server.app))["effective_to"] == yesterday
    audit = await page_of(pub, "/editor/audit?item=b1")
    assert t("Planned end date {date} has come: taken off the TV, its search entries and speech", date=yesterday) in audit

"""Editing, preview, publishing, conflicts, rollback and the audit log, through the real HTTP app."""

from __future__ import annotations

import json

import pytest

from tests.editor_support import csrf_of, form_of, make_users, replace, revision_of, sign_in, t
from tvportal.app import create_app

NEW_NAME = "测试改名的预约办理事项"


@pytest.fixture
async def app_and_settings(settings):
    """The real app over a database with the accounts ed, pub and adm; publishing without the review step
    (these tests are about publishing itself; the review before it: tests/test_editor_workflow.py)."""
    settings = settings.replace(review_required=False)
    make_users(settings)
    return create_app(settings), settings


@pytest.fixture
async def ed(aiohttp_client, app_and_settings):
    """A client signed in as the editor ``ed``."""
    client = await aiohttp_client(app_and_settings[0])
    assert (await sign_in(client, "ed")).status == 303
    return client


async def second_client(aiohttp_client, client, name):
    """Another browser on the same running app, signed in as ``name``."""
    other = await aiohttp_client(client.server)
    assert (await sign_in(other, name)).status == 303
    return other


async def edit_form(client, path="/editor/guide/b1"):
    """The edit page's text and its form fields."""
    page = await client.get(path)
    text = await page.text()
    assert page.status == 200, text[:500]
    return text, form_of(text)


async def save(client, fields, path="/editor/guide/b1", action="save", **extra):
    """Post the edit form (not following the redirect)."""
    data = [*fields, ("_action", action), *extra.items()]
    return await client.post(path, data=data, allow_redirects=False)


async def tv_text(client, path="/guides/b1"):
    """A TV page as a set-top box gets it."""
    response = await client.get(path)
    assert response.status == 200
    return await response.text()


async def test_edit_form_has_every_field(ed):
    """The form is generated from the model: nested rows, repeatable materials with row buttons, the TV fields."""
    text, fields = await edit_form(ed)
    names = {name for name, _value in fields}
    assert {"name", "summary", "time_limit.promised_days", "fee.text", "materials.0.name", "materials.0._row",
            "tv_service"} <= names
    assert 'value="add:materials"' in text and 'value="remove:materials.0"' in text
    assert "C 申请材料" in text


async def test_save_draft_does_not_change_the_tv(ed):
    """Saving keeps a draft: the TV still shows the published text until someone publishes."""
    before = await tv_text(ed)
    _text, fields = await edit_form(ed)
    response = await save(ed, replace(fields, name=NEW_NAME))
    assert response.status == 303
    text, fields = await edit_form(ed)
    assert dict(fields)["name"] == NEW_NAME and revision_of(text) == 1
    assert t("Draft saved (revision {n}).", n=1) in text
    after = await tv_text(ed)
    assert NEW_NAME not in after and after == before


async def test_invalid_input_is_kept_with_a_chinese_message(ed):
    """A count of "abc" is refused with the model's Chinese message and comes back exactly as typed."""
    _text, fields = await edit_form(ed)
    response = await save(ed, replace(fields, time_limit__promised_days="abc", name=NEW_NAME))
    text = await response.text()
    assert response.status == 422
    assert "承诺办结时限" in text and "应为整数" in text
    assert dict(form_of(text))["time_limit.promised_days"] == "abc"
    assert dict(form_of(text))["name"] == NEW_NAME
    assert revision_of((await edit_form(ed))[0]) == 0  # nothing saved


async def test_row_buttons_add_and_remove_materials_without_javascript(ed):
    """The add and remove buttons are plain submit buttons; the form comes back changed, unsaved."""
    _text, fields = await edit_form(ed)
    rows = sum(1 for name, _v in fields if name.startswith("materials.") and name.endswith("._row"))
    added = await save(ed, fields, action="save", _op="add:materials")
    text = await added.text()
    assert added.status == 200
    fields2 = form_of(text)
    assert sum(1 for n, _v in fields2 if n.startswith("materials.") and n.endswith("._row")) == rows + 1
    assert "autofocus" in text and t("Not saved yet: press “Save draft” to keep these changes.") in text
    removed = await save(ed, fields2, _op="remove:materials.0")
    fields3 = form_of(await removed.text())
    assert sum(1 for n, _v in fields3 if n.startswith("materials.") and n.endswith("._row")) == rows
    assert dict(fields3)["materials.0.name"] == dict(fields)["materials.1.name"]


async def test_preview_renders_the_draft_with_the_tv_template(ed):
    """The preview is the TV's own guide page, made from the form, while the TV keeps the published text."""
    text, fields = await edit_form(ed)
    data = replace(fields, name=NEW_NAME)
    response = await ed.post("/editor/preview/guide/b1", data=data)
    html = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "private, no-store"
    assert NEW_NAME in html and 'id="canvas"' in html and "/static/tv." in html
    assert NEW_NAME not in await tv_text(ed)


@pytest.mark.parametrize("kind,item,tv_path", [("hall", "LA-01", "/halls/LA-01"), ("policy", "p1", "/policies/p1")])
async def test_preview_of_halls_and_policies(ed, kind, item, tv_path):
    """Halls and policy articles preview with the TV's own page code too."""
    _text, fields = await edit_form(ed, f"/editor/{kind}/{item}")
    field = "name" if kind == "hall" else "title"
    draft = "预览草稿" + dict(fields)[field]
    response = await ed.post(f"/editor/preview/{kind}/{item}", data=replace(fields, **{field: draft}))
    html = await response.text()
    assert response.status == 200 and draft in html and 'id="canvas"' in html
    assert draft not in await tv_text(ed, tv_path)


async def test_preview_json_has_pages_and_plain_language_warnings(ed):
    """The JSON preview gives the screen count and warns about jargon and long sentences."""
    _text, fields = await edit_form(ed)
    summary = "行政相对人携带材料到窗口受理以后当场办结并且可以立即领取到全部的办理结果和相关证明材料"
    response = await ed.post("/editor/preview/guide/b1?format=json&page=2", data=replace(fields, summary=summary))
    body = json.loads(await response.text())
    assert body["error"] == "" and body["pages"] > 1 and body["page"] == 2
    summary_check = next(c for c in body["checks"] if c["label"] == "简版说明")
    messages = " ".join(summary_check["warnings"])
    assert "行政相对人" in messages and "办结" in messages
    assert str(len(summary)) in messages  # the over-long sentence is named with its length


async def test_preview_of_an_invalid_form_says_why(ed):
    """A form that breaks a rule previews as the rule's message, not as an error page."""
    _text, fields = await edit_form(ed)
    response = await ed.post("/editor/preview/guide/b1?format=json", data=replace(fields, fee__text="无"))
    body = json.loads(await response.text())
    assert "不收费" in body["error"]


async def test_editor_cannot_publish(ed):
    """Publishing needs the publisher role: the editor gets 403 and the TV does not change."""
    text, fields = await edit_form(ed)
    await save(ed, replace(fields, name=NEW_NAME))
    text, _fields = await edit_form(ed)
    response = await ed.post("/editor/guide/b1/publish", data={"_csrf": csrf_of(text), "_revision": "1"})
    assert response.status == 403
    assert NEW_NAME not in await tv_text(ed)


async def test_publish_shows_on_the_tv_at_once(ed, aiohttp_client):
    """A publisher publishes the draft; the TV page (even a cached one) shows the new text right away."""
    await tv_text(ed)  # now in the page cache
    _text, fields = await edit_form(ed)
    await save(ed, replace(fields, name=NEW_NAME))
    pub = await second_client(aiohttp_client, ed, "pub")
    text, _fields = await edit_form(pub)
    response = await pub.post("/editor/guide/b1/publish", data={"_csrf": csrf_of(text), "_revision": "1"},
                              allow_redirects=False)
    assert response.status == 303
    assert NEW_NAME in await tv_text(ed)
    text, _fields = await edit_form(pub)
    assert t("Published as version {n}; the TV shows it now.", n=2) in text


async def test_save_and_publish_in_one_step(ed, aiohttp_client):
    """The publisher's “Save and publish” saves the form and publishes it."""
    pub = await second_client(aiohttp_client, ed, "pub")
    _text, fields = await edit_form(pub)
    response = await save(pub, replace(fields, name=NEW_NAME), action="publish", _note="改名")
    assert response.status == 303
    assert NEW_NAME in await tv_text(pub)
    history = await (await pub.get("/editor/guide/b1/history")).text()
    assert "改名" in history and "<ins>" in history


async def test_conflict_keeps_both_versions(ed, aiohttp_client):
    """Two editors load the same revision; the second save gets a conflict page with both texts, losing nothing."""
    other = await second_client(aiohttp_client, ed, "pub")
    _text, mine = await edit_form(ed)
    _text, theirs = await edit_form(other)
    assert (await save(other, replace(theirs, name="他们改的名称"))).status == 303
    response = await save(ed, replace(mine, name="我改的名称"))
    text = await response.text()
    assert response.status == 409
    assert "<del>他们</del>改的名称" in text and "<ins>我</ins>改的名称" in text  # both versions, side by side
    assert t("Someone else saved this item while you were editing") in text
    fields = dict(form_of(text))
    assert fields["name"] == "我改的名称" and fields["_revision"] == "1"  # saving again means: mine wins
    current = dict((await edit_form(ed))[1])
    assert current["name"] == "他们改的名称"  # the stale save changed nothing
    again = await save(ed, form_of(text))
    assert again.status == 303
    assert dict((await edit_form(ed))[1])["name"] == "我改的名称"


async def test_rollback_publishes_an_old_version_again(ed, aiohttp_client):
    """Rolling back to version 1 creates version 3 equal to it, and the TV shows the old name again."""
    pub = await second_client(aiohttp_client, ed, "pub")
    original = dict((await edit_form(pub))[1])["name"]
    _text, fields = await edit_form(pub)
    await save(pub, replace(fields, name=NEW_NAME), action="publish")
    assert NEW_NAME in await tv_text(pub)
    confirm = await pub.get("/editor/guide/b1/rollback?number=1")
    text = await confirm.text()
    assert confirm.status == 200 and '<th scope="row">事项名称</th>' in text and "<del>" in text and "<ins>" in text
    response = await pub.post("/editor/guide/b1/rollback", allow_redirects=False, data={
        "_csrf": csrf_of(text), "_revision": str(revision_of(text)), "number": "1"})
    assert response.status == 303
    tv = await tv_text(pub)
    assert NEW_NAME not in tv and original[:10] in tv
    history = await (await pub.get("/editor/guide/b1/history?a=1&b=3")).text()
    assert t("No differences.") in history
    assert 'name="b" value="3"' in history and 'name="b" value="4"' not in history


async def test_rollback_keeps_an_unpublished_draft_in_the_audit_log(ed, aiohttp_client):
    """A rollback over unsaved-to-TV work keeps that work where it can be copied back."""
    pub = await second_client(aiohttp_client, ed, "pub")
    _text, fields = await edit_form(pub)
    await save(pub, replace(fields, name=NEW_NAME), action="publish")
    _text, fields = await edit_form(ed)
    await save(ed, replace(fields, name="还没发布的草稿名称"))
    text = await (await pub.get("/editor/guide/b1/rollback?number=1")).text()
    await pub.post("/editor/guide/b1/rollback", data={"_csrf": csrf_of(text), "_revision": str(revision_of(text)),
                                                      "number": "1"})
    audit = await (await pub.get("/editor/audit?item=b1")).text()
    link = audit.index('href="/editor/audit/')
    kept_url = audit[link + 6:audit.index('"', link + 6)]
    kept = await (await pub.get(kept_url)).text()
    assert "还没发布的草稿名称" in kept


async def test_audit_log_says_who_what_when_and_from_where(ed, aiohttp_client):
    """Sign-in, save and publish are logged with the user and the address."""
    pub = await second_client(aiohttp_client, ed, "pub")
    _text, fields = await edit_form(ed)
    await save(ed, replace(fields, name=NEW_NAME))
    text, _fields = await edit_form(pub)
    await pub.post("/editor/guide/b1/publish", data={"_csrf": csrf_of(text), "_revision": "1"})
    audit = await (await ed.get("/editor/audit")).text()
    for action in ("Signed in", "Saved draft", "Published"):
        assert t(action) in audit
    assert "127.0.0.1" in audit and "<td>ed</td>" in audit and "<td>pub</td>" in audit
    assert t("Published as version {n}", n=2) in audit and t("draft revision {n}", n=1) in audit
    assert "version 2" not in audit and "revision 1" not in audit  # no English in the log


async def test_csrf_missing_or_wrong_token_changes_nothing(ed):
    """A save without the token, or with a wrong one, is refused with 403 and saves nothing."""
    _text, fields = await edit_form(ed)
    changed = [(k, v) for k, v in replace(fields, name=NEW_NAME) if k != "_csrf"]
    for token in (None, "forged-token"):
        data = changed + ([("_csrf", token)] if token else [])
        response = await ed.post("/editor/guide/b1", data=data + [("_action", "save")], allow_redirects=False)
        text = await response.text()
        assert response.status == 403
        assert t("The form had expired or did not come from this editor, so nothing was saved. "
                 "Copy what you typed below, reload the page and try again.") in text
        assert NEW_NAME in text  # what was typed is shown so it is not lost
    assert dict((await edit_form(ed))[1])["name"] != NEW_NAME
    assert revision_of((await edit_form(ed))[0]) == 0


async def test_new_guide_is_published_to_the_tv(ed, aiohttp_client):
    """A new guide starts as a draft from a blank form and reaches the TV when published."""
    pub = await second_client(aiohttp_client, ed, "pub")
    _text, base = await edit_form(pub)
    fields = replace(base, id="t9", name="新建的测试事项", short_name="新测试", implementation_code="")
    fields = [(k, v) for k, v in fields if k != "_revision"]
    response = await pub.post("/editor/guide/new", data=fields + [("_action", "save")], allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/editor/guide/t9"
    assert (await pub.get("/guides/t9")).status == 404
    text, _fields = await edit_form(pub, "/editor/guide/t9")
    await pub.post("/editor/guide/t9/publish", data={"_csrf": csrf_of(text), "_revision": str(revision_of(text))})
    assert "新建的测试事项" in await tv_text(pub, "/guides/t9")
    duplicate = await pub.post("/editor/guide/new", data=fields + [("_action", "save")])
    assert duplicate.status == 409


async def test_lists_filter_and_search(ed):
    """The lists search names and filter by status and by fields of the model."""
    text = await (await ed.get("/editor/guide?q=高龄")).text()
    assert "h2" in text and "b1" not in text.split("<tbody>")[1]
    _text, fields = await edit_form(ed)
    await save(ed, replace(fields, name=NEW_NAME))
    changed = await (await ed.get("/editor/guide?status=changed")).text()
    assert NEW_NAME in changed and "h2" not in changed.split("<tbody>")[1]
    halls = await (await ed.get("/editor/hall?level=市")).text()
    assert "LA-01" in halls
    policies = await (await ed.get("/editor/policy")).text()
    assert "p1" in policies


async def test_publishing_a_broken_reference_is_refused(ed, aiohttp_client):
    """A guide pointing to a hall that does not exist is not published; the message names the hall."""
    pub = await second_client(aiohttp_client, ed, "pub")
    _text, fields = await edit_form(pub)
    response = await save(pub, replace(fields, name=NEW_NAME, hall_ids="LA-01\nNO-SUCH-HALL"), action="publish")
    assert response.status == 303
    text, _fields = await edit_form(pub)
    assert "NO-SUCH-HALL" in text and "不存在" in text
    assert NEW_NAME not in await tv_text(pub)

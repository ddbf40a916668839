"""Import in the editor: a check first (new, changed, unchanged, conflict), nothing changed until 确认导入,
a choice for every conflict with an unpublished draft, no version for unchanged records; export."""

from __future__ import annotations

import re

import aiohttp
import pytest
from sqlalchemy import func, select, update

from tests.editor_support import csrf_of, form_of, replace, sign_in, signed_in_client, t
from tests.storage_support import transaction
from tvportal.app import create_app
from tvportal.storage.tables import editor_audit, editor_imports, editor_versions

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE content [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<tvportal-content schema-version="2"><guide><id>&x;</id></guide></tvportal-content>"""
H1_NAME = "城乡居民基本养老保险待遇领取资格认证"
FILE_NAME = "导入改过的认证名称"
DRAFT_NAME = "编辑改过还没发布的名称"
TOKEN_RE = re.compile(r'action="/editor/import/([A-Za-z0-9_-]+)"')


@pytest.fixture
async def pub(aiohttp_client, settings):
    """A client signed in as the publisher ``pub``."""
    return await signed_in_client(aiohttp_client, settings, "pub")


async def upload(client, data: bytes, name: str = "content.xml"):
    """Post a file to the import form as a browser does (the check page follows)."""
    token = csrf_of(await (await client.get("/editor/import")).text())
    form = aiohttp.FormData()
    form.add_field("_csrf", token)
    form.add_field("file", data, filename=name, content_type="application/xml")
    return await client.post("/editor/import", data=form)


async def confirm(client, check_text: str, **choices: str):
    """Press 确认导入 on a check page with the given choices (``guide__h1="keep"``)."""
    token = TOKEN_RE.search(check_text).group(1)
    data = [("_csrf", csrf_of(check_text)), ("_action", "confirm")]
    data += [(f"choice.{k.replace('__', '/')}", v) for k, v in choices.items()]
    return await client.post(f"/editor/import/{token}", data=data)


def visible(page: str) -> str:
    """The words a reader sees in the page's main part (no tags, no addresses)."""
    return re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])


def version_count(settings) -> int:
    """How many versions the editor has recorded in all."""
    with transaction(settings) as conn:
        return conn.execute(select(func.count()).select_from(editor_versions)).scalar_one()


async def exported(client) -> bytes:
    """The published content as XML."""
    response = await client.get("/editor/export?format=xml")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    return await response.read()


async def save_draft_of_h1(aiohttp_client, pub, name: str) -> None:
    """The editor ``ed`` saves (does not publish) a draft of guide h1 with another name."""
    ed = await aiohttp_client(pub.server)
    assert (await sign_in(ed, "ed")).status == 303
    fields = form_of(await (await ed.get("/editor/guide/h1")).text())
    response = await ed.post("/editor/guide/h1", data=[*replace(fields, name=name), ("_action", "save")],
                             allow_redirects=False)
    assert response.status == 303


async def test_check_changes_nothing_and_confirm_imports_only_what_changed(pub, settings):
    """The check lists one changed guide and the rest unchanged; confirming versions only that guide."""
    xml = await exported(pub)
    assert H1_NAME.encode() in xml
    before = version_count(settings)
    check = await upload(pub, xml.replace(H1_NAME.encode(), FILE_NAME.encode(), 1))
    text = await check.text()
    assert check.status == 200 and str(check.url.path).startswith("/editor/import/")
    assert t("Changed records") + "（1）" in text and t("New records") + "（0）" in text
    assert FILE_NAME not in await (await pub.get("/guides/h1")).text()  # the check changed nothing
    assert version_count(settings) == before
    done = await confirm(pub, text)
    result = await done.text()
    assert done.status == 200
    assert FILE_NAME in await (await pub.get("/guides/h1")).text()
    assert t("Updated and published as version {n}.", n=2) in result
    assert t("The same as on the TV: nothing changed, no new version.") in result
    assert version_count(settings) == before + 2  # h1's baseline and its new version, nothing for the others
    assert re.search(r"version|revision|import|bundle", visible(result)) is None
    audit = await (await pub.get("/editor/audit")).text()
    assert "content.xml" in audit and t("version {n}", n=2) in audit
    assert re.search(r"version|revision|import|bundle", visible(audit)) is None


async def test_reimporting_the_export_makes_no_version(pub, settings):
    """A file equal to what the TV shows is all unchanged: no versions, and the result says so."""
    before = version_count(settings)
    text = await (await upload(pub, await exported(pub))).text()
    assert t("Changed records") + "（0）" in text and t("Conflicts with an unpublished draft") + "（0）" in text
    count = len(re.findall(r"<tr><td>", text.split('id="st-unchanged"', 1)[1]))
    result = await (await confirm(pub, text)).text()
    assert version_count(settings) == before
    assert count > 40 and f'role="status">{t("{n} unchanged", n=count)}</p>' in result


async def test_conflict_needs_a_choice_and_keep_keeps_the_draft(aiohttp_client, pub, settings):
    """A file meeting an unpublished draft lists a conflict; no choice is refused in Chinese; 保留草稿 keeps it."""
    xml = await exported(pub)
    await save_draft_of_h1(aiohttp_client, pub, DRAFT_NAME)
    check = await upload(pub, xml.replace(H1_NAME.encode(), FILE_NAME.encode(), 1))
    text = await check.text()
    assert t("Conflicts with an unpublished draft") + "（1）" in text and 'name="choice.guide/h1"' in text
    words = re.sub(r"<[^>]+>", "", text)
    assert DRAFT_NAME in words and FILE_NAME in words  # the difference of draft and file is shown
    refused = await confirm(pub, text)
    body = await refused.text()
    assert refused.status == 422
    assert t("Nothing was imported: choose what to do with the record marked below.", n=1) in body
    assert t("Choose one of the two.") in body
    assert H1_NAME in await (await pub.get("/guides/h1")).text()
    before = version_count(settings)
    done = await confirm(pub, body, guide__h1="keep")
    result = await done.text()
    assert done.status == 200 and t("Kept the unpublished draft; the file's text for it was not used.") in result
    assert version_count(settings) == before  # nothing else changed in the file
    tv = await (await pub.get("/guides/h1")).text()
    assert H1_NAME in tv and FILE_NAME not in tv
    draft = dict(form_of(await (await pub.get("/editor/guide/h1")).text()))
    assert draft["name"] == DRAFT_NAME


async def test_replace_publishes_the_file_and_keeps_the_draft_in_the_log(aiohttp_client, pub, settings):
    """用文件替换草稿: the TV shows the file's text and the replaced draft can be read in the audit log."""
    xml = await exported(pub)
    await save_draft_of_h1(aiohttp_client, pub, DRAFT_NAME)
    text = await (await upload(pub, xml.replace(H1_NAME.encode(), FILE_NAME.encode(), 1))).text()
    result = await (await confirm(pub, text, guide__h1="replace")).text()
    assert t("Replaced the draft with the file's text and published it as version {n}; the draft is kept in "
             "the audit log.", n=2) in result
    assert FILE_NAME in await (await pub.get("/guides/h1")).text()
    with transaction(settings) as conn:
        seq = conn.execute(select(editor_audit.c.seq).where(editor_audit.c.kept_data.is_not(None))).scalar_one()
    assert DRAFT_NAME in await (await pub.get(f"/editor/audit/{seq}")).text()


async def test_pending_import_survives_another_instance_and_expires(aiohttp_client, pub, settings):
    """The check is kept in the database: a second portal process confirms it; an expired one is refused."""
    text = await (await upload(pub, (await exported(pub)).replace(H1_NAME.encode(), FILE_NAME.encode(), 1))).text()
    token = TOKEN_RE.search(text).group(1)
    other = await aiohttp_client(create_app(settings))
    assert (await sign_in(other, "pub")).status == 303
    second = await other.get(f"/editor/import/{token}")
    assert second.status == 200 and t("Changed records") + "（1）" in await second.text()
    with transaction(settings) as conn:
        conn.execute(update(editor_imports).values(expires_at="2000-01-01T00:00:00Z"))
    gone = await other.post(f"/editor/import/{token}", data={"_csrf": csrf_of(await second.text()),
                                                             "_action": "confirm"})
    assert gone.status == 410 and FILE_NAME not in await (await pub.get("/guides/h1")).text()
    another = await upload(pub, b"<tvportal-content/>")  # the next upload clears expired checks
    assert another.status == 422
    await upload(pub, await exported(pub))
    with transaction(settings) as conn:
        tokens = conn.execute(select(editor_imports.c.token)).scalars().all()
    assert token not in tokens and len(tokens) == 1


async def test_cancel_forgets_the_file(pub, settings):
    """放弃导入 changes nothing and the check cannot be confirmed afterwards."""
    text = await (await upload(pub, await exported(pub))).text()
    token = TOKEN_RE.search(text).group(1)
    cancelled = await pub.post(f"/editor/import/{token}", data={"_csrf": csrf_of(text), "_action": "cancel"})
    assert t("Import cancelled; nothing was changed.") in await cancelled.text()
    assert (await pub.get(f"/editor/import/{token}")).status == 404


async def test_hostile_file_changes_nothing(pub):
    """An XXE file is refused with a report and nothing is imported."""
    before = await (await pub.get("/editor/export?format=json")).read()
    response = await upload(pub, XXE)
    assert response.status == 422
    assert "notice error" in await response.text()
    assert await (await pub.get("/editor/export?format=json")).read() == before


async def test_editor_may_export_but_not_import(aiohttp_client, pub):
    """The editor role downloads the content but cannot upload."""
    ed = await aiohttp_client(pub.server)
    assert (await sign_in(ed, "ed")).status == 303
    assert (await ed.get("/editor/export?format=json")).status == 200
    response = await upload(ed, b"<content/>")
    assert response.status == 403

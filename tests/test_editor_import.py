"""Import and export in the editor: a dry run changes nothing, a bad file changes nothing, a good one publishes."""

from __future__ import annotations

import aiohttp
import pytest

from tests.editor_support import csrf_of, make_users, sign_in
from tvportal.app import create_app

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE content [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<tvportal-content schema-version="2"><guide><id>&x;</id></guide></tvportal-content>"""


@pytest.fixture
async def pub(aiohttp_client, settings):
    """A client signed in as the publisher ``pub``."""
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    assert (await sign_in(client, "pub")).status == 303
    return client


async def upload(client, data: bytes, dry_run: bool, name: str = "content.xml"):
    """Post a file to the import form as a browser does."""
    token = csrf_of(await (await client.get("/editor/import")).text())
    form = aiohttp.FormData()
    form.add_field("_csrf", token)
    if dry_run:
        form.add_field("dry_run", "1")
    form.add_field("file", data, filename=name, content_type="application/xml")
    return await client.post("/editor/import", data=form)


async def test_export_then_import_a_change(pub):
    """Export XML, change one guide's name, dry-run (nothing changes), then import: the TV shows it, versioned."""
    export = await pub.get("/editor/export?format=xml")
    assert export.status == 200 and "attachment" in export.headers["Content-Disposition"]
    xml = await export.read()
    assert b"<tvportal-content" in xml and "城乡居民基本养老保险待遇领取资格认证".encode() in xml
    changed = xml.replace("城乡居民基本养老保险待遇领取资格认证".encode(), "导入改过的认证名称".encode(), 1)
    dry = await upload(pub, changed, dry_run=True)
    assert dry.status == 200 and "导入改过的认证名称" not in await (await pub.get("/guides/h1")).text()
    done = await upload(pub, changed, dry_run=False)
    assert done.status == 200
    assert "导入改过的认证名称" in await (await pub.get("/guides/h1")).text()
    history = await (await pub.get("/editor/guide/h1/history")).text()
    assert 'name="b" value="2"' in history  # version 1 = before, version 2 = the import
    audit = await (await pub.get("/editor/audit")).text()
    assert "content.xml" in audit


async def test_hostile_file_changes_nothing(pub):
    """An XXE file is refused with a report and nothing is imported."""
    before = await (await pub.get("/editor/export?format=json")).read()
    response = await upload(pub, XXE, dry_run=False)
    assert response.status == 422
    assert "notice error" in await response.text()
    assert await (await pub.get("/editor/export?format=json")).read() == before


async def test_editor_may_export_but_not_import(aiohttp_client, pub):
    """The editor role downloads the content but cannot upload."""
    ed = await aiohttp_client(pub.server)
    assert (await sign_in(ed, "ed")).status == 303
    assert (await ed.get("/editor/export?format=json")).status == 200
    response = await upload(ed, b"<content/>", dry_run=True)
    assert response.status == 403

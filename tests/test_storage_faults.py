"""Storage faults (issue 11, finding 2): a damaged database or a read-only data dir stops ``tvportal serve``
at once with one Chinese line naming the file; a full disk during an SMS sign-in or a publish gives a
Chinese page (507), rolls the write back and keeps serving."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.editor_support import csrf_of, make_users, replace, sign_in
from tests.test_editor_content import NEW_NAME, edit_form, save
from tests.platform_helpers import PEOPLE, FlowClient, embedded_code
from tvportal.app import create_app
from tvportal.database import open_database, prepare
from tvportal.settings import load_settings
from tvportal.keys import DB
from tvportal.storage.tables import editor_versions, platform_sms_codes, tv_sms_sends

ROOT = Path(__file__).resolve().parent.parent


def serve(data_dir: Path, *wrap: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``tvportal serve`` on a port of this helper's range; it must end by itself."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TVPORTAL_TTS_ENABLED="false")
    cmd = [sys.executable, "-m", "tvportal", "serve", "--port", "18340", "--data-dir", str(data_dir)]
    return subprocess.run([*wrap, *cmd], capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def _one_chinese_line(result: subprocess.CompletedProcess, *words: str) -> str:
    """The last stderr line: Chinese, naming the words; no traceback."""
    assert result.returncode == 2, result.stderr[-800:]
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("tvportal: ") and all(w in line for w in words), line
    assert any("\u4e00" <= c <= "\u9fff" for c in line), line
    return line


@pytest.mark.parametrize("damage", ["random", "middle"])
def test_damaged_database_stops_serve_with_one_line(tmp_path, damage):
    """Random bytes, or a real database with its middle overwritten: exit 2 within seconds, file named."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "tvportal.sqlite3"
    if damage == "random":
        db.write_bytes(os.urandom(100_000))
    else:
        portal_db = open_database(load_settings({"data_dir": str(data)}, environ={}))
        prepare(portal_db, load_settings({"data_dir": str(data)}, environ={}))  # every table, demo content
        portal_db.close()
        size = db.stat().st_size
        with open(db, "r+b") as fh:
            fh.seek(size // 3)
            fh.write(os.urandom(size // 3))
    started = time.monotonic()
    line = _one_chinese_line(serve(data), str(db))
    assert time.monotonic() - started < 30 and "备份" in line


def test_read_only_data_dir_stops_serve_with_one_line(tmp_path):
    """A data dir on a read-only file system (a mount namespace of this test): one line naming it."""
    if not shutil.which("unshare"):
        raise AssertionError("unshare (util-linux) is needed for this test")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    script = f"mount -t tmpfs -o ro tmpfs {mnt} && exec \"$@\""
    _one_chinese_line(serve(mnt / "data", "unshare", "-rm", "sh", "-c", script, "sh"), str(mnt / "data"))


class FullDisk:
    """While ``on``, every write to the app's database fails as SQLite does on a full disk."""

    def __init__(self, app) -> None:
        """Hook the app's engine below SQLAlchemy, where the driver's error is raised."""
        self.on, self.tried = True, 0
        event.listen(app[DB].engine, "do_execute", self._execute)

    def _execute(self, cursor, statement, parameters, context):
        if self.on and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            self.tried += 1
            raise sqlite3.OperationalError("database or disk is full")
        return False  # SQLAlchemy executes the statement itself


async def count(app, table) -> int:
    """Rows of a table."""
    return await app[DB].read(lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one())


async def test_full_disk_during_sms_sign_in_is_a_chinese_page(aiohttp_client, settings):
    """The TV asks for its SMS code on a full disk: 507 with the Chinese page, no code half-sent; once
    there is space again the same TV signs in."""
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda id_number, purpose: embedded_code(settings, id_number, purpose))
    await tv.enter("id", PEOPLE["wang"])
    before = await count(client.app, platform_sms_codes), await count(client.app, tv_sms_sends)
    disk = FullDisk(client.app)
    resp = await client.post("/id/enter/id", data={"k": "ok"}, allow_redirects=False)
    text = await resp.text()
    assert disk.tried and resp.status == 507 and "存储" in text, (resp.status, text[:300])
    assert "Traceback" not in text
    disk.on = False
    assert (await count(client.app, platform_sms_codes), await count(client.app, tv_sms_sends)) == before
    await tv.sign_in(PEOPLE["wang"])


async def test_full_disk_during_a_publish_is_an_editor_message(aiohttp_client, settings):
    """A publish on a full disk: the editor's 507 page in Chinese, no new version, the TV unchanged."""
    settings = settings.replace(review_required=False)  # straight to the publish that meets the full disk
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    assert (await sign_in(client, "pub")).status == 303
    _page, fields = await edit_form(client)
    await save(client, replace(fields, name=NEW_NAME))  # a draft to publish
    page = await (await client.get("/editor/guide/b1")).text()
    versions_before = await count(client.app, editor_versions)
    tv_before = await (await client.get("/guides/b1")).text()
    disk = FullDisk(client.app)
    resp = await client.post("/editor/guide/b1/publish", data={"_csrf": csrf_of(page), "_revision": "1"},
                             allow_redirects=False)
    text = await resp.text()
    assert disk.tried and resp.status == 507 and "存储" in text, (resp.status, text[:300])
    disk.on = False
    assert await count(client.app, editor_versions) == versions_before
    assert await (await client.get("/guides/b1")).text() == tv_before


async def test_full_disk_while_saving_an_edit_shows_what_was_typed(aiohttp_client, settings):
    """An edit saved on a full disk: nothing is saved, and the page shows the typed text back to copy."""
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    assert (await sign_in(client, "pub")).status == 303
    _page, fields = await edit_form(client)
    disk = FullDisk(client.app)
    resp = await save(client, replace(fields, name=NEW_NAME))
    text = await resp.text()
    assert disk.tried and resp.status == 507 and "存储" in text and NEW_NAME in text, (resp.status, re.sub(r"<[^>]+>", " ", text)[-900:])
    disk.on = False
    assert NEW_NAME not in await (await client.get("/editor/guide/b1")).text()

"""The storage layer on SQLite and PostgreSQL: migrations, adopting an old SQLite file, several instances
starting at once, the booking capacity race, flow state across instances, and kill -9 mid-write."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select

from content import store
from content.demo_loader import load_demo
from content.tables import content, metadata as content_metadata
from tvportal.platform import demo_data
from tests.storage_support import add_people, migrated, platform_db, transaction
from tvportal.app import create_app
from tvportal.database import open_database, prepare
from tvportal.platform import services
from tvportal.platform.embedded import EmbeddedPlatform
from tvportal.platform.models import Conflict
from tvportal.settings import SettingsError, load_settings
from tvportal.storage import Database, migrate
from tvportal.storage.tables import editor_audit, metadata as portal_metadata, platform_people

ROOT = Path(__file__).resolve().parents[1]
DEMO_COUNT = sum(len(v) for k, v in load_demo("lu_an").items() if k != "city")


def portal_settings(tmp_path: Path, db_url: str, **more):
    """Settings of a portal on ``db_url`` (its own data dir for everything else)."""
    return load_settings({"data_dir": str(tmp_path / "data"), "database_url": db_url, **more}, environ={})


def count(db: Database, table) -> int:
    """Rows in a table."""
    return db.read_sync(lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_head_revision_is_alembics():
    """The head read from the scripts without importing Alembic is the one Alembic finds; the serving
    process imports Alembic only when a migration is due."""
    from alembic.script import ScriptDirectory

    assert migrate.head_revision() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    code = "import sys, tvportal.app; print('alembic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_migrations_from_empty_match_the_tables(db_url):
    """An empty database goes to the newest revision; the result is exactly what tables.py declares."""
    db = Database(db_url)
    assert db.read_sync(migrate.current_revision) is None
    migrate.upgrade(db)
    migrate.upgrade(db)  # a second run has nothing to do
    assert db.read_sync(migrate.current_revision) == migrate.head_revision()
    differences = db.read_sync(lambda conn: compare_metadata(MigrationContext.configure(conn),
                                                             [content_metadata, portal_metadata]))
    assert differences == []
    db.close()


# the tables an older release made with CREATE TABLE IF NOT EXISTS, verbatim
OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE content (kind TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')), PRIMARY KEY (kind, id));
CREATE TABLE editor_audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    user TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', kept_data TEXT);
"""


def test_an_old_sqlite_file_is_adopted_with_its_content(tmp_path):
    """A tvportal.sqlite3 made before migrations: its tables and rows stay, the missing ones are made,
    and the demo is not loaded over the operator's content."""
    path = tmp_path / "data" / "tvportal.sqlite3"
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    demo = load_demo("lu_an")
    guide = demo["guide"][0]
    old.execute("INSERT INTO meta VALUES ('city', ?), ('schema_version', '2')", (json.dumps(demo["city"]),))
    old.execute("INSERT INTO content(kind, id, position, data) VALUES ('guide', ?, 0, ?)",
                (guide.id, json.dumps({**store.to_plain(guide), "name": "运营方改过的名字"}, ensure_ascii=False)))
    old.execute("INSERT INTO editor_audit(user, address, action) VALUES ('adm', '10.0.0.1', 'signin')")
    old.commit()
    old.close()
    settings = load_settings({"data_dir": str(tmp_path / "data")}, environ={})
    db = open_database(settings)
    prepare(db, settings)
    assert db.read_sync(migrate.current_revision) == migrate.head_revision()
    assert [g.name for g in db.read_sync(store.load_all, "guide")] == ["运营方改过的名字"]
    assert count(db, editor_audit) == 1 and count(db, platform_people) == len(demo_data.PEOPLE)
    assert set(portal_metadata.tables) <= set(db.read_sync(lambda conn: inspect(conn).get_table_names()))
    db.close()


def _free_ports(n: int) -> list[int]:
    """``n`` free ports of this suite's range (18100-18149)."""
    found = []
    for port in range(18100, 18150):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == n:
            return found
    raise RuntimeError("no free ports in 18100-18149")


def test_four_instances_start_at_once_on_an_empty_database(tmp_path, db_url):
    """Four ``tvportal serve`` on one empty database, started together: all answer, the demo is there once."""
    ports = _free_ports(4)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TVPORTAL_DATABASE_URL=db_url, TVPORTAL_TTS_ENABLED="false",
               TVPORTAL_DATA_DIR=str(tmp_path / "data"))
    procs = []
    for port in ports:
        log = open(tmp_path / f"serve-{port}.log", "wb")
        procs.append(subprocess.Popen([sys.executable, "-m", "tvportal", "serve", "--port", str(port)], env=env,
                                      stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path))
        log.close()
    try:
        deadline = time.monotonic() + 90
        up: set[int] = set()
        while len(up) < 4:
            for port, proc in zip(ports, procs):
                assert proc.poll() is None, (tmp_path / f"serve-{port}.log").read_text(errors="replace")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                        if resp.status == 200 and json.load(resp)["content"]["guides"] == len(load_demo("lu_an")["guide"]):
                            up.add(port)
                except OSError:
                    pass
            assert time.monotonic() < deadline, f"only {sorted(up)} came up"
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
    logs = "".join((tmp_path / f"serve-{port}.log").read_text(errors="replace") for port in ports)
    assert "Error" not in logs and logs.count("loading demo content") == 1
    db = Database(db_url)
    assert count(db, content) == DEMO_COUNT and count(db, platform_people) == len(demo_data.PEOPLE)
    db.close()


async def test_fifty_concurrent_bookings_for_three_places(db_url):
    """50 people book the last 3 places at once, 25 transactions at a time: exactly 3 get one."""
    db = platform_db(db_url)
    db.close()
    db = Database(db_url, pool_size=25)
    platform = EmbeddedPlatform(db)
    people = add_people(db, 52)
    day = services.working_days(services.now().date())[0]
    slot = f"LA-01.b1.{day:%Y%m%d}.0900"
    for pid in people[50:]:
        await platform.create_booking(pid, pid, slot, f"pre-{pid}")

    async def one(pid: str):
        """One citizen's try."""
        try:
            return await platform.create_booking(pid, pid, slot, f"k-{pid}")
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(one(pid) for pid in people[:50]))
    assert sum(not isinstance(r, Exception) for r in results) == 3
    assert all(r.code == "slot_full" for r in results if isinstance(r, Exception))
    assert (await platform.slots("LA-01", "b1", day.isoformat()))[0].remaining == 0
    db.close()


async def test_half_typed_digits_go_on_at_another_instance(aiohttp_client, tmp_path, db_url):
    """ID digits typed on instance A are there on instance B (and after A is gone); finishing on B works."""
    settings = portal_settings(tmp_path, db_url)
    a = await aiohttp_client(create_app(settings))
    await a.get("/id/enter/id")
    for digit in "3415":
        assert (await a.post("/id/enter/id", data={"k": digit}, allow_redirects=False)).status == 303
    # the same browser: its device cookie and its browser-session cookie (typed entries belong to that)
    cookies = {c.key: c.value for c in a.session.cookie_jar}
    assert {"tvdev", "tvtab"} <= cookies.keys(), cookies.keys()
    await a.close()
    b = await aiohttp_client(create_app(settings), cookies=cookies)
    for digit in "24":
        assert (await b.post("/id/enter/id", data={"k": digit}, allow_redirects=False)).status == 303
    page = await (await b.get("/id/enter/id")).text()
    assert 'id="pv" value="341524"' in page  # the keypad's entry (drawn in its digit cells)
    other = await aiohttp_client(create_app(settings))  # another box sees nothing of it
    assert 'id="pv" value=""' in await (await other.get("/id/enter/id")).text()


async def test_old_flow_state_is_forgotten(aiohttp_client, tmp_path, db_url):
    """A flow left longer than flow_state_hours is not offered again and is pruned."""
    from tvportal.flows import state as flow_state

    settings = portal_settings(tmp_path, db_url, flow_state_hours=1)
    client = await aiohttp_client(create_app(settings))
    await client.get("/id/enter/id")
    await client.post("/id/enter/id", data={"k": "3"}, allow_redirects=False)
    db = migrated(db_url)
    assert db.write_sync(flow_state.prune, time.time() - 3600) == 0
    assert db.write_sync(flow_state.prune, time.time() + 1) == 1
    assert 'id="pv" value=""' in await (await client.get("/id/enter/id")).text()
    db.close()


WRITER = """
import sys, time
from sqlalchemy import insert
from tvportal.storage import Database
from tvportal.storage.tables import editor_audit
db = Database(sys.argv[1])
for i in range(100000):
    db.write_sync(lambda conn: conn.execute(insert(editor_audit).values(user="w", address="a", action=f"w{i}",
                                                                      detail="x" * 2000)))
    print(i, flush=True)  # only after the commit returned
"""


def test_kill_9_mid_write_loses_no_committed_write(tmp_path, db_url):
    """A process writing as fast as it can is killed with SIGKILL: every write it saw committed is there,
    and the database opens and takes writes afterwards."""
    migrated(db_url).close()
    out = tmp_path / "written.txt"
    with open(out, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, db_url], stdout=sink, stderr=subprocess.STDOUT,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)))
        deadline = time.monotonic() + 60
        while out.read_text().count("\n") < 200:
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()[-2000:]
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    confirmed = [int(line) for line in out.read_text().split() if line.isdigit()]
    assert len(confirmed) >= 200
    with transaction(db_url) as conn:
        actions = set(conn.execute(select(editor_audit.c.action)).scalars())
        assert {f"w{i}" for i in confirmed} <= actions
        conn.execute(insert(editor_audit).values(user="after", address="a", action="after"))
    with transaction(db_url) as conn:
        assert conn.execute(select(func.count()).where(editor_audit.c.user == "after")).scalar() == 1


def test_database_settings_are_checked():
    """A database_url of another kind, or a pool of 0, is refused with the setting's name."""
    with pytest.raises(SettingsError, match="database_url"):
        load_settings({"database_url": "mysql://x/y"}, environ={})
    with pytest.raises(SettingsError, match="database_pool_size"):
        load_settings({"database_pool_size": 0}, environ={})
    assert load_settings({}, environ={"TVPORTAL_DATABASE_URL": "postgresql://u@h/db"}).db_url == "postgresql://u@h/db"


def test_db_command_upgrades_and_reports(tmp_path, capsys, monkeypatch, db_url):
    """``tvportal db upgrade`` migrates and loads the demo once; ``db current`` shows the revision."""
    from tvportal.cli import main

    monkeypatch.setenv("TVPORTAL_DATABASE_URL", db_url)
    assert main(["db", "current", "--data-dir", str(tmp_path)]) == 0
    assert "none" in capsys.readouterr().out
    assert main(["db", "upgrade", "--data-dir", str(tmp_path)]) == 0
    assert main(["db", "upgrade", "--data-dir", str(tmp_path)]) == 0
    assert main(["db", "current", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count(migrate.head_revision()) >= 3
    db = Database(db_url)
    assert count(db, content) == DEMO_COUNT
    db.close()


def test_db_command_reports_an_unreachable_database(tmp_path, capsys, monkeypatch):
    """A PostgreSQL that is not there: one line saying so, exit status 2, no traceback."""
    from tvportal.cli import main

    monkeypatch.setenv("TVPORTAL_DATABASE_URL", f"postgresql://nobody@/x?host={tmp_path}&port=18199")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "数据库无法使用" in err and "Traceback" not in err


def test_published_versions_cannot_be_changed(db_url):
    """The database itself refuses to change or delete a published version."""
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from tvportal.storage.tables import editor_versions as v

    db = migrated(db_url)
    db.write_sync(lambda conn: conn.execute(insert(v).values(kind="guide", id="h2", number=1, data="{}",
                                                             published_by="adm")))
    for stmt in (update(v).values(note="changed"), delete(v)):
        with pytest.raises(DBAPIError, match="immutable"):
            db.write_sync(lambda conn: conn.execute(stmt))
    assert count(db, v) == 1
    db.close()

"""A database outage as the on-call engineer meets it (issue 8 follow-up): PostgreSQL stopped while the
portal serves.  The content watch logs one line when its checks fail and one when they work again, no
traceback; TV requests that need the database get a Chinese 503 page and at most one log line per interval;
/healthz names the cause in short; /metrics shows the database down and up again and the content version."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import pytest

from content.outage import Outage, short_cause
from tests import postgres
from tests.editor_support import make_users, sign_in
from tvportal.app import create_app
from tvportal.settings import load_settings
from tvportal.storage.faults import FailedRequests, Rounds, unreachable


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test alone: it is stopped and started again."""
    server = postgres.start()
    yield server
    server.stop()


async def _metric(client, name: str) -> float:
    """One gauge from /metrics."""
    text = await (await client.get("/metrics")).text()
    found = re.search(rf"^{name} (\S+)$", text, re.M)
    assert found, text
    return float(found.group(1))


async def _until(check, seconds: float = 30):
    """Poll an async check until it is true."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "did not happen in time"
        await asyncio.sleep(0.1)


async def test_outage_is_two_log_lines_a_503_page_and_a_gauge(own_pg, aiohttp_client, tmp_path, caplog):
    """Stop PostgreSQL for a few seconds under TV and editor requests, then start it again."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "database_url": own_pg.new_database(),
                              "tts_enabled": False, "content_check_ms": 100}, environ={})
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    editor = await aiohttp_client(create_app(settings))  # a second instance, its editor signed in
    assert (await sign_in(editor, "ed")).status == 303
    assert (await client.get("/booking")).status == 200
    assert await _metric(client, "tvportal_database_up") == 1
    assert await _metric(client, "tvportal_content_version") >= 1
    caplog.clear()
    caplog.set_level(logging.INFO)

    own_pg.halt()
    await _until(lambda: _metric_is(client, "tvportal_database_up", 0))
    statuses = []
    for _ in range(20):
        page = await client.get("/booking")
        statuses.append(page.status)
        if page.status == 503:
            text = await page.text()
            assert "暂时无法办理" in text and "请过几分钟再试" in text and "Traceback" not in text
            assert "已经保存" not in text and page.headers["Retry-After"] == "30"
    assert 503 in statuses and 500 not in statuses, statuses
    for path in ("/", "/guides"):  # content pages come from the snapshot in memory: they still answer
        assert (await client.get(path)).status == 200, path
    page = await editor.get("/editor/guide")
    assert page.status == 503 and "现在连不上数据库" in await page.text()
    health = await client.get("/healthz")
    assert health.status == 503
    detail = (await health.json())["parts"]["database"]["detail"]
    # why (the server is gone), without the socket's path on the server: no password, no SQL, one line
    assert detail.startswith("OperationalError: ") and "No such file" in detail and "\n" not in detail, detail
    assert str(own_pg.folder) not in detail and 'on socket "<path>"' in detail, detail
    await asyncio.sleep(1.0)  # ten more failed checks: nothing more in the log

    own_pg.resume()
    await _until(lambda: _metric_is(client, "tvportal_database_up", 1))
    assert (await client.get("/booking")).status == 200

    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not any(r.exc_info for r in lines), [r.getMessage() for r in lines if r.exc_info]
    watch = [r.getMessage() for r in lines if r.name == "content.snapshot"]
    assert len(watch) == 4, watch  # each of the two instances: one line when failing, one when back
    assert all("fails: OperationalError: " in line for line in watch[:2]), watch
    assert all(re.search(r"works again after \d+ s$", line) for line in watch[2:]), watch
    for name in ("tvportal.middlewares", "tvportal.editor.security"):
        requests = [r.getMessage() for r in lines if r.name == name]
        assert len(requests) == 1 and requests[0].startswith("database unreachable"), requests
    # background rounds (outbox, statistics, pruning) that ran meanwhile: the same two lines at most each
    others = [r.getMessage() for r in lines if r.name not in ("content.snapshot", "tvportal.middlewares",
                                                                "tvportal.editor.security")]
    assert all(re.search(r" fails: |works again after \d+ s", m) for m in others), others


async def _metric_is(client, name: str, value: float) -> bool:
    """Whether the gauge has this value now."""
    return await _metric(client, name) == value


def test_short_cause_is_the_drivers_first_line_without_a_password():
    """The wrapper's SQL and links are left out; a password in the text is blanked."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine("postgresql+psycopg://tv:sEcReT99@127.0.0.1:18449/none?connect_timeout=3")
    with pytest.raises(OperationalError) as caught:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    cause = short_cause(caught.value)
    assert cause.startswith("OperationalError: ") and "18449" in cause and "refused" in cause.lower(), cause
    assert "\n" not in cause and "sqlalche.me" not in cause and "sEcReT99" not in cause
    assert unreachable(caught.value)
    assert short_cause(RuntimeError("bad password=hunter2 here\nsecond")) == "RuntimeError: bad password=*** here"
    assert "p4ss" not in short_cause(ValueError("postgresql://u:p4ss@h/db"))


def test_outage_logs_a_change_only(caplog):
    """Failing tries after the first and working tries after the first say nothing."""
    now = [100.0]
    outage = Outage("the thing", logging.getLogger("t.outage"), clock=lambda: now[0])
    caplog.set_level(logging.INFO, "t.outage")
    outage.worked()
    for _ in range(50):
        outage.failed(ConnectionRefusedError(111, "Connection refused"))
        now[0] += 0.5
    assert not outage.up
    outage.worked()
    outage.worked()
    assert outage.up
    assert [r.getMessage() for r in caplog.records] == [
        "the thing fails: ConnectionRefusedError: [Errno 111] Connection refused (said once; a line follows when "
        "it works again)", "the thing works again after 25 s"]


def test_failed_requests_are_summed_up_per_interval(caplog, monkeypatch):
    """The first failure is logged; the next ones within the interval are counted into the next line."""
    from sqlalchemy.exc import OperationalError

    now = [1000.0]
    monkeypatch.setattr("tvportal.storage.faults.time.monotonic", lambda: now[0])
    failed = FailedRequests(logging.getLogger("t.requests"), every=10)
    caplog.set_level(logging.INFO, "t.requests")
    exc = OperationalError("SELECT 1", {}, Exception("connection is lost"))
    for _ in range(30):  # 30 requests in 15 s
        failed.failed("GET /booking", exc)
        now[0] += 0.5
    assert [r.getMessage() for r in caplog.records] == [
        "database unreachable, answered 503 to GET /booking: Exception: connection is lost",
        "database unreachable: 20 requests answered 503 in the last 10 s (last: GET /booking): Exception: "
        "connection is lost"]


async def test_healthz_shows_no_server_paths(client, settings):
    """Whoever can reach /healthz learns whether the voice model is there, not where the server keeps it."""
    from tvportal.views.health import _without_paths

    body = await (await client.get("/healthz")).text()
    data = json.loads(body)
    assert data["parts"]["voice_input"] == {"ok": False, "detail": "model missing"}, data["parts"]
    assert settings.data_dir not in body and "/tmp" not in body, body
    assert _without_paths("model at /srv/tvportal/voice-model failed its test decode: bad graph") == \
        "model at <path> failed its test decode: bad graph"


async def test_metrics_gauges_on_sqlite(client):
    """The embedded database answers: up is 1; the version is the content's."""
    from tvportal.keys import PUBLISHED

    assert await _metric(client, "tvportal_database_up") == 1
    assert await _metric(client, "tvportal_content_version") == client.app[PUBLISHED].snapshot.version >= 1


def test_background_rounds_keep_tracebacks_for_bugs_only(caplog):
    """An unreachable database: one line; a bug: its traceback, every time."""
    from sqlalchemy.exc import OperationalError

    rounds = Rounds("outbox delivery", logging.getLogger("t.rounds"))
    caplog.set_level(logging.INFO, "t.rounds")
    down = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    for _ in range(5):
        rounds.failed(down)
    for _ in range(2):
        try:
            raise KeyError("bug")
        except KeyError as exc:
            rounds.failed(exc)
    rounds.worked()
    assert [(r.getMessage(), bool(r.exc_info)) for r in caplog.records] == [
        ("outbox delivery fails: ConnectionRefusedError: connection refused (said once; a line follows when it "
         "works again)", False), ("outbox delivery failed", True), ("outbox delivery failed", True),
        ("outbox delivery works again after 0 s", False)]

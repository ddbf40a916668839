"""The operator's statistics (issue 12 item 5) on the real app, SQLite and PostgreSQL: page views, service
starts, completions with their presses, where people give up, errors, per box model and area, households
only as salted hashes; written in batches, pruned after the retention; exported by ``tvportal stats export``;
and ``/metrics`` for the on-call team, readable only from the allowed addresses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import select

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, first_day_slot
from tests.storage_support import transaction
from tests.test_operator_identity import launch_url, portal_settings
from tvportal import cli
from tvportal.app import create_app
from tvportal.keys import CLOCK, DB
from tvportal.stats import collector
from tvportal.storage.tables import stats_daily, stats_households


def rows(settings) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    """Every stored count: (event, model, area, screen) -> (count, presses)."""
    with transaction(settings) as conn:
        return {(r.event, r.model, r.area, r.screen): (r.count, r.presses) for r in conn.execute(select(stats_daily))}


async def test_a_box_without_a_launch_is_counted_under_the_model_its_user_agent_names(aiohttp_client, tmp_path,
                                                                                      db_url):
    """Boxes the EPG did not launch (or that the operator knows by token, without an STBType) still count per
    model: Android boxes name it in their User-Agent; other browsers count without one."""
    settings = portal_settings(tmp_path, db_url, stats_flush_seconds=3600)
    client = await aiohttp_client(create_app(settings))
    android = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; EC6108V9 Build/KOT49H) AppleWebKit/534.30"
    await client.get("/guides", headers={"User-Agent": android})
    await client.get("/guides", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"})
    await collector.flush(client.server.app)
    got = rows(settings)
    assert got[("view", "EC6108V9", "", "/guides")][0] == 1 and got[("view", "", "", "/guides")][0] == 1


async def test_a_day_of_one_box_is_counted_and_exported(aiohttp_client, tmp_path, db_url, capsys):
    """Launched from the EPG (model EC6108V9, area 341500): views, a booking given up at its hall list, a
    booking finished with the presses it took, an error page; the account only as a salted hash."""
    settings = portal_settings(tmp_path, db_url, stats_salt="pepper", stats_flush_seconds=3600)
    client = await aiohttp_client(create_app(settings))
    app = client.server.app
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await client.get(launch_url())
    await tv.get("/")
    await tv.get("/guides")
    await tv.get("/booking/halls")  # a booking started ...
    await tv.get("/apply")  # ... and left for another service: given up at the hall list
    client.session.cookie_jar.update_cookies({"tvkp": "100"}, client.make_url("/"))
    await tv.get("/booking/halls")
    await tv.sign_in(PEOPLE["wang"])
    _day, slot = await first_day_slot(tv, "LA-02")
    confirm = await tv.get(slot)
    client.session.cookie_jar.update_cookies({"tvkp": "117"}, client.make_url("/"))  # the page script's count
    url, _receipt = await tv.post_button(confirm, "ok")
    assert "/booking/r/" in url
    assert (await client.get("/guides/no-such-guide")).status == 404
    assert (await client.get("/search/keypad?d=72")).status == 200  # a page script's JSON: no page was shown
    assert rows(settings) == {}  # nothing written on the request path
    await collector.flush(app)
    got = rows(settings)
    box = ("EC6108V9", "341500")
    assert got[("view", *box, "/")][0] == 2 and got[("view", *box, "/guides")][0] == 1
    assert got[("start", *box, "booking")] == (2, 0) and got[("start", *box, "apply")][0] == 1
    assert got[("abandon", *box, "booking:/booking/halls")][0] == 1
    assert got[("done", *box, "booking")] == (1, 17)
    assert got[("error", *box, "404")][0] == 1
    assert not [key for key in got if key[0] == "view" and key[3].startswith("/search/keypad")]
    assert got[("launch", *box, "")][0] == 1
    with transaction(settings) as conn:
        households = list(conn.execute(select(stats_households)))
    assert len(households) == 1 and "05510012345" not in str(households) and len(households[0].household) == 32
    day = app[CLOCK].today().isoformat()
    assert cli.main(["stats", "export", "--day", day, "--format", "json", "--data-dir", settings.data_dir,
                     "--config", str(_config(tmp_path, db_url))]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert {"day": day, "event": "done", "model": "EC6108V9", "area": "341500", "screen": "booking", "count": 1,
            "presses": 17} in exported
    assert {"day": day, "event": "households", "model": "EC6108V9", "area": "341500", "screen": "", "count": 1,
            "presses": 0} in exported
    assert cli.main(["stats", "export", "--day", day, "--data-dir", settings.data_dir,
                     "--config", str(_config(tmp_path, db_url))]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert table[0].keys() == {"day", "event", "model", "area", "screen", "count", "presses"} and len(table) == len(exported)


def _config(tmp_path, db_url):
    """A settings file naming the database (the CLI reads settings like serve does)."""
    path = tmp_path / "tvportal.toml"
    path.write_text(f'database_url = "{db_url}"\n', encoding="utf-8")
    return path


async def test_counts_add_up_across_flushes_and_old_days_are_pruned(aiohttp_client, tmp_path, db_url):
    """Two flushes (or two instances) add to the same row; days older than the retention go."""
    settings = portal_settings(tmp_path, db_url, stats_retention_days=30)
    client = await aiohttp_client(create_app(settings))
    app = client.server.app
    for _ in range(2):
        await client.get("/halls")
        await collector.flush(app)
    assert rows(settings)[("view", "", "", "/halls")] == (2, 0)
    old = (app[CLOCK].today() - dt.timedelta(days=31)).isoformat()
    await app[DB].write(collector.write, {(old, "view", "", "", "/"): [5, 0]}, set())
    await app[DB].write(collector.prune, (app[CLOCK].today() - dt.timedelta(days=30)).isoformat())
    with transaction(settings) as conn:
        days = set(conn.execute(select(stats_daily.c.day)).scalars())
    assert days == {app[CLOCK].today().isoformat()}


def test_export_refuses_a_bad_day_or_format_in_one_chinese_line(tmp_path, capsys):
    """No traceback: one line saying what to write."""
    assert cli.main(["stats", "export", "--day", "yesterday", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "日期不对" in err and "2026-12-01" in err
    assert cli.main(["stats", "export", "--day", "2026-12-01", "--format", "xml", "--data-dir", str(tmp_path)]) == 2
    assert "请用 csv 或 json" in capsys.readouterr().err


def test_export_of_a_folder_without_a_portal_says_so(tmp_path, capsys):
    """A mistyped --data-dir is not an empty day: one line, exit 2, and no database left behind."""
    missing = tmp_path / "tvportal-dta"
    assert cli.main(["stats", "export", "--data-dir", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--data-dir" in err and "Traceback" not in err
    assert not missing.exists()


async def test_export_without_a_day_is_today(aiohttp_client, tmp_path, capsys):
    """``--day`` may be left out: today in the city, as on the operator's report."""
    settings = portal_settings(tmp_path, "", stats_salt="pepper", stats_flush_seconds=3600)
    client = await aiohttp_client(create_app(settings))
    await client.get("/guides")
    await collector.flush(client.server.app)
    assert cli.main(["stats", "export", "--format", "json", "--data-dir", settings.data_dir]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert {row["day"] for row in exported} == {client.server.app[CLOCK].today().isoformat()}
    assert any(row["event"] == "view" and row["screen"] == "/guides" for row in exported)


async def test_metrics_for_the_on_call_team_and_only_for_them(aiohttp_client, tmp_path):
    """Prometheus text with requests by group, latency, outbox depth, cache hit ratio and the breaker; an
    address outside metrics_allow gets 404."""
    settings = portal_settings(tmp_path, "")
    client = await aiohttp_client(create_app(settings))
    for _ in range(2):
        await client.get("/guides")
    resp = await client.get("/metrics")
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
    text = await resp.text()
    assert 'tvportal_requests_total{group="guides",status="200"} 2.0' in text
    assert 'tvportal_request_seconds_bucket{group="guides",le="0.5"}' in text
    assert "tvportal_outbox_waiting 0.0" in text and "tvportal_central_breaker_open 0.0" in text
    assert "tvportal_page_cache_hit_ratio 0.5" in text
    # the process metrics every exporter has: memory and CPU of this process, Python's collector
    assert all(name in text for name in ("process_resident_memory_bytes ", "process_cpu_seconds_total ",
                                         "python_info{", "python_gc_collections_total{"))
    await client.get("/no/such/" + "x" * 50)
    assert 'group="other",status="404"' in await (await client.get("/metrics")).text()  # no label per path
    closed = await aiohttp_client(create_app(portal_settings(tmp_path, "", metrics_allow=["10.9.0.0/16"])))
    assert (await closed.get("/metrics")).status == 404


def test_press_counter_script_is_old_box_javascript():
    """static/presses.js parses as ES5 (the runtime's check) and uses nothing newer than ES3's library."""
    import pyjsparser

    from tvportal.static_assets import STATIC_DIR

    text = (STATIC_DIR / "presses.js").read_text(encoding="utf-8")
    assert pyjsparser.parse(text)["type"] == "Program"
    for newer in (".forEach", ".map(", ".filter(", ".trim(", "JSON.", "Object.keys", ".bind(", "Date.now"):
        assert newer not in text


def test_a_malformed_metrics_address_stops_the_start(tmp_path):
    """metrics_allow is checked like trusted_proxies: the entry is named."""
    import pytest

    from tvportal.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="设置 metrics_allow 有误：'prometheus.local'"):
        load_settings({"data_dir": str(tmp_path), "metrics_allow": ["prometheus.local"]}, environ={})

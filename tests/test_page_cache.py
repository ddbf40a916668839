"""The page cache: keyed by content version, the city's date, prefs, key profile and a normalised query."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from aiohttp import web

from content.snapshot import Published
from tvportal import middlewares
from tvportal.app import create_app
from tvportal.clock import CityClock
from tvportal.keys import CLOCK, PAGE_CACHE, PUBLISHED, SETTINGS
from tvportal.page_cache import PARAMS, CachedPage, PageCache
from tvportal.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTOP_A = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; EC6108V9 Build/KOT49H) AppleWebKit/534.30 build 20190301"
SETTOP_B = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; EC6108V9 Build/KOT49H) AppleWebKit/534.30 build 20211130"


class Clock:
    """A UTC time the test moves by hand."""

    def __init__(self, moment: dt.datetime) -> None:
        """Start at ``moment`` (aware, UTC)."""
        self.moment = moment

    def __call__(self) -> dt.datetime:
        """The current UTC time."""
        return self.moment


def cache_app(utc: Clock) -> tuple[web.Application, list[str]]:
    """An app with the real middlewares and one cacheable page that shows what it was rendered from."""
    seen: list[str] = []

    async def page(request):
        """Render: the query it sees and the city's date."""
        seen.append(request.query_string)
        return web.Response(text=f"{len(seen)} {request.query_string} {request.app[CLOCK].today()}",
                            content_type="text/html")

    app = web.Application(middlewares=[middlewares.device_prefs, middlewares.page_cache])
    app[SETTINGS] = load_settings(environ={})
    app[CLOCK] = CityClock("Asia/Shanghai", utc)
    app[PAGE_CACHE] = PageCache()
    app[PAGE_CACHE].routes.add("/p")
    app[PUBLISHED] = Published(SimpleNamespace(version=1, edition=(1, 0)))
    app.router.add_get("/p", page)
    app.router.add_get("/other", page)
    return app, seen


async def test_unknown_parameters_and_user_agent_noise_share_one_entry(aiohttp_client):
    """Tracking parameters, parameter order and firmware build numbers do not split the cache."""
    app, seen = cache_app(Clock(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone.utc)))
    client = await aiohttp_client(app)
    first = await (await client.get("/p?page=2&f=g-1", headers={"User-Agent": SETTOP_A})).text()
    for url in ("/p?f=g-1&page=2", "/p?page=2&f=g-1&utm_source=iptv&_=17330", "/p?f=g-1&page=2&page=9"):
        assert await (await client.get(url, headers={"User-Agent": SETTOP_B})).text() == first
    assert seen == ["f=g-1&page=2"]  # the page was rendered once, from the normalised query only
    await client.get("/p?page=2&f=g-1", headers={"User-Agent": "Mozilla/5.0 (SMART-TV; Linux; Tizen 5.0)"})
    assert len(seen) == 2  # another key profile is another page (its key table differs)
    await client.get("/p?page=2&f=g-1", cookies={"tvprefs": "t1.c0.zh_CN"}, headers={"User-Agent": SETTOP_A})
    assert len(seen) == 3  # large text is another page
    stats = app[PAGE_CACHE].stats()
    assert stats["hits"] == 3 and stats["misses"] == 3


async def test_the_page_sees_no_parameter_that_is_not_in_the_key(aiohttp_client):
    """An unknown parameter is dropped before the page is rendered, so it can never change a cached page."""
    app, seen = cache_app(Clock(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone.utc)))
    client = await aiohttp_client(app)
    await client.get("/p?q=%E5%85%BB%E8%80%81&evil=1")
    assert seen == ["q=养老"]
    await client.get("/other?evil=1")  # not a cacheable route: untouched and not cached
    await client.get("/other?evil=1")
    assert seen[1:] == ["evil=1", "evil=1"]


async def test_a_new_content_version_empties_the_cache(aiohttp_client):
    """After a publish (a snapshot of a higher version) pages are rendered again."""
    app, seen = cache_app(Clock(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone.utc)))
    client = await aiohttp_client(app)
    await client.get("/p")
    await client.get("/p")
    app[PUBLISHED].swap(SimpleNamespace(version=2, edition=(2, 0)))
    await client.get("/p")
    assert len(seen) == 2 and len(app[PAGE_CACHE]) == 1


async def test_the_city_date_turns_at_beijing_midnight_on_a_utc_clock(aiohttp_client):
    """At 16:00 UTC it is midnight in Lu'an: pages (and their cache entries) move to the new day then."""
    utc = Clock(dt.datetime(2026, 12, 1, 15, 59, tzinfo=dt.timezone.utc))
    app, _seen = cache_app(utc)
    client = await aiohttp_client(app)
    assert (await (await client.get("/p")).text()).endswith("2026-12-01")
    utc.moment = dt.datetime(2026, 12, 1, 16, 1, tzinfo=dt.timezone.utc)  # the server's date is still the 1st
    assert (await (await client.get("/p")).text()).endswith("2026-12-02")


async def test_real_pages_say_the_city_date(aiohttp_client, settings):
    """The date in the TV header is Beijing's, not the server's."""
    app = create_app(settings)
    app[CLOCK] = CityClock("Asia/Shanghai", Clock(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.timezone.utc)))
    client = await aiohttp_client(app)
    text = await (await client.get("/guides")).text()
    assert "1月1日" in text and "12月31日" not in text


def test_the_cache_is_bounded_by_entries_and_bytes():
    """The least recently used pages go when either bound is passed; a page too big for the cache is not kept."""
    cache = PageCache(max_entries=3, max_bytes=1600)
    small, big = CachedPage(b"x" * 100, (), "text/html", "utf-8"), CachedPage(b"y" * 500, (), "text/html", "utf-8")
    cache.get(("a",), 1)
    for key in "abcd":
        cache.put((key,), small, 1)
    assert len(cache) == 3 and cache.get(("a",), 1) is None and cache.get(("d",), 1) is small
    cache.put(("huge",), big, 1)  # more than 1/16 of the bytes: never kept
    assert cache.get(("huge",), 1) is None
    cache.put(("late",), small, 0)  # rendered from an older version while a publish happened: dropped
    assert cache.get(("late",), 1) is None


def _query_names(path: Path) -> set[str]:
    """Names passed as string literals to ``.query.get(...)``/``.query.getall(...)`` in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getall")
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "query"
                and node.args and isinstance(node.args[0], ast.Constant)):
            names.add(node.args[0].value)
    return names


def test_every_parameter_a_cacheable_page_reads_is_in_the_key():
    """A content page reading a parameter outside PARAMS would never see it (the cache drops it): catch that here."""
    from tvportal import routes

    modules = {Path(h.__code__.co_filename) for _path, h, _name in routes.CONTENT_PAGES}
    modules |= {ROOT / "tvportal/screen.py", ROOT / "tvportal/pagination.py", ROOT / "tvportal/views/lists.py"}
    read = set().union(*(_query_names(m) for m in modules))
    assert read and read <= set(PARAMS), read - set(PARAMS)

"""Search: a plain entry point (typed words or a popular topic); the content issue adds keypad pinyin."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from content.model import Guide, Hall, Policy
from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import gettext as _
from tvportal.keys import PUBLISHED
from tvportal.screen import Crumb, Screen, render
from tvportal.views.lists import Entry, list_screen

MAX_QUERY = 30
POPULAR = ("养老", "高龄津贴", "残疾人", "医保", "社保卡", "公积金", "户口", "不动产")


class BadQuery(web.HTTPBadRequest):
    """The search words are too long or hold control characters."""


def _entry(hit: Guide | Policy | Hall) -> Entry:
    """A list row for one search hit, whatever its kind."""
    if isinstance(hit, Guide):
        return Entry(f"s-g-{hit.id}", hit.name, f"/guides/{hit.id}", _("Service guide"))
    if isinstance(hit, Policy):
        return Entry(f"s-p-{hit.id}", hit.title, f"/policies/{hit.id}", _("Policy"))
    return Entry(f"s-h-{hit.id}", hit.name, f"/halls/{hit.id}", _("Service hall"))


async def search(request: web.Request) -> web.Response:
    """Search form with popular topics, or the results for ``q``."""
    query = request.query.get("q")
    crumbs = [Crumb(_("Home"), "/"), Crumb(_("Search"), "/search")]
    if query is not None:
        query = query.strip()
        if len(query) > MAX_QUERY or any(ord(ch) < 32 for ch in query):
            raise BadQuery(reason="q")
    if query:
        hits = request.app[PUBLISHED].snapshot.search(query)
        screen = list_screen(request, _("Search: {q}").format(q=query), crumbs + [Crumb(query)],
                             [_entry(h) for h in hits], base="/search",
                             intro=_("{n} results").format(n=len(hits)),
                             empty=_("Nothing found. Try fewer or other words, or pick a topic."), q=query)
        screen.is_search = True
        return render(request, screen)
    layout = Layout()
    area = canvas.MAIN
    layout.add("q", Rect(area.x, area.y, 820, 80), group="form", label=_("Words to search"))
    layout.add("go", Rect(area.x + 852, area.y, 300, 80), group="form", label=_("Search"))
    topics = Rect(area.x, area.y + 130, area.w, area.h - 130)
    layout.grid([(f"w-{i}", "/search?" + urlencode({"q": word}), word) for i, word in enumerate(POPULAR, 1)], topics, cols=4,
                gap=24, group="topics")
    layout.assign_digits("topics")
    screen = Screen(title=_("Search"), crumbs=crumbs[:1] + [Crumb(_("Search"))], layout=layout,
                    template="search.html", start="w-1", is_search=True, context={"query": ""})
    return render(request, screen)

"""Search: a number-key page (digits type pinyin initials, 社保 → 7 2) with a free-text field for keyboards.

``/search?d=72`` renders the keypad page with its results (works without JavaScript);
``/search/keypad?d=72`` answers the same as JSON for static/keypad.js, which updates the result
slots after each key; ``/search?q=…`` lists every result of typed words (or digits), paged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from content.search import KEYPAD_LETTERS, Hit
from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import N_, gettext as _
from tvportal.keys import ASSETS, PUBLISHED
from tvportal.pagination import clip, text_width
from tvportal.screen import Crumb, KeyHint, Screen, prefs_of, render
from tvportal.views.lists import Entry, list_screen

MAX_QUERY = 30
MAX_DIGITS = 12
SLOTS = 5  # result rows on the keypad page (SD_SLOTS on the SD canvas)
SD_SLOTS = 3
LIMIT = 60  # results of one search
KIND_LABELS = {"guide": N_("Service guide"), "policy": N_("Policy"), "hall": N_("Service hall")}
LETTERS = dict(KEYPAD_LETTERS)


class BadQuery(web.HTTPBadRequest):
    """The search words are too long or hold control characters."""


def _entry(hit: Hit) -> Entry:
    """A list row for one search hit, whatever its kind."""
    return Entry(f"s-{hit.kind[0]}-{hit.id}", hit.title, hit.href, _(KIND_LABELS[hit.kind]))


def _digits(request: web.Request) -> str:
    """The typed digits of ``?d=``; anything but up to 12 digits is a bad query."""
    digits = request.query.get("d", "").strip()
    if len(digits) > MAX_DIGITS or not all("0" <= ch <= "9" for ch in digits):
        raise BadQuery(reason="d")
    return digits


def _short_title(hit: Hit, room: float) -> str:
    """The name a result slot shows: a guide's short name when its full name does not fit."""
    title = hit.title
    if hit.kind == "guide" and text_width(title) > room:
        title = hit.record.short_name
    return clip(title, room)


def keypad_result(snapshot, digits: str, room: float) -> dict:
    """The keypad search for ``digits``: letters per key, result count and the first SLOTS hits.

    Before any digit is typed the slots show the most popular services, so the page is never empty.
    """
    if digits:
        hits = snapshot.search_index.keypad(digits, LIMIT)
    else:
        popular = snapshot.popular_guides[:SLOTS]
        hits = [Hit("guide", g.id, g.name, g, 0) for g in popular]
    return {
        "d": digits,
        "letters": [LETTERS.get(ch, "") for ch in digits],
        "n": len(hits) if digits else 0,
        "hits": [{"t": _short_title(h, room), "h": h.href, "k": _(KIND_LABELS[h.kind])} for h in hits[:SLOTS]],
    }


def _room(request: web.Request) -> float:
    """How many body characters fit in a result slot."""
    c = canvas.current()
    results = SD_RESULTS if c.size == "sd" else RESULTS
    return c.metrics(prefs_of(request).large_text).chars_per_line(results.w - 60) - 3.5


KEYPAD_BOX = Rect(canvas.MAIN.x, canvas.MAIN.y + 96, 540, 100)
RESULTS = Rect(canvas.MAIN.x + 568, canvas.MAIN.y + 106, canvas.MAIN.w - 568, 5 * 60 + 4 * 10)
# SD (search.html's .sd rules): the digit box, the key legend on one row, the count, three result rows;
# no words field (SD boxes have no keyboard; ?q= still works)
SD_KEYPAD_BOX = Rect(canvas.SD.MAIN.x, canvas.SD.MAIN.y, canvas.SD.MAIN.w, 66)
SD_RESULTS = Rect(canvas.SD.MAIN.x, canvas.SD.MAIN.y + 166, canvas.SD.MAIN.w, 3 * 40 + 2 * 4)


def _keypad_layout(result: dict) -> Layout:
    """The keypad page's items on the request's canvas: words field and 搜索 (HD), digit box, result slots."""
    c = canvas.current()
    layout = Layout(c.width, c.height)
    if c.size == "sd":
        layout.add("kp", SD_KEYPAD_BOX, group="keypad", label=_("Show all results"))
        box, slots, pitch, height = SD_RESULTS, SD_SLOTS, 44, 40
    else:
        area = canvas.MAIN
        layout.add("q", Rect(area.x, area.y, 820, 60), group="form", label=_("Words to search"))
        layout.add("go", Rect(area.x + 852, area.y, 300, 60), group="form", label=_("Search"))
        layout.add("kp", KEYPAD_BOX, group="keypad", label=_("Show all results"))
        box, slots, pitch, height = RESULTS, SLOTS, 70, 60
    for i in range(slots):
        hit = result["hits"][i] if i < len(result["hits"]) else None
        layout.add(f"r{i + 1}", Rect(box.x, box.y + i * pitch, box.w, height), group="results",
                   label=hit["t"] if hit else "", slot=hit)
    return layout


async def keypad_json(request: web.Request) -> web.Response:
    """JSON for static/keypad.js: the results of ``?d=`` (same as the page shows)."""
    result = keypad_result(request.app[PUBLISHED].snapshot, _digits(request), _room(request))
    return web.json_response(result, headers={"Cache-Control": "no-cache"})


def _text_results(request: web.Request, query: str) -> web.Response:
    """Every result of typed words (or typed digits), as a paged list."""
    crumbs = [Crumb(_("Home"), "/"), Crumb(_("Search"), "/search"), Crumb(query)]
    hits = request.app[PUBLISHED].snapshot.search_hits(query, LIMIT)
    screen = list_screen(request, _("Search: {q}").format(q=query), crumbs, [_entry(h) for h in hits],
                         base="/search", intro=_("{n} results").format(n=len(hits)),
                         empty=_("Nothing found. Try fewer or other words, or pick a topic."), q=query)
    screen.is_search = True
    if not hits:  # an empty list still needs something to focus: a way back to the keypad
        row = canvas.current().BUTTON_ROW  # the list is laid out for the box's canvas (views/lists.py)
        screen.layout.add("again", Rect(row.x, row.y, min(400, row.w // 2), row.h), group="pager", href="/search",
                          label="◀ " + _("Search again"))
        screen.start = "again"
    return render(request, screen)


async def search(request: web.Request) -> web.Response:
    """The keypad search page, or the results for typed words ``q``."""
    query = request.query.get("q")
    if query is not None:
        query = query.strip()
        if len(query) > MAX_QUERY or any(ord(ch) < 32 for ch in query):
            raise BadQuery(reason="q")
    if query:
        return _text_results(request, query)
    digits = _digits(request)
    result = keypad_result(request.app[PUBLISHED].snapshot, digits, _room(request))
    if canvas.current().size == "sd":
        result["hits"] = result["hits"][:SD_SLOTS]  # what is said is what is shown
    layout = _keypad_layout(result)
    keys = [KeyHint("keypad", _("Number keys"), _("Type first letters, 0 deletes one, 1 clears"), chip="2-9")]
    start = "r1" if digits and result["hits"] else "kp"
    screen = Screen(title=_("Search"), crumbs=[Crumb(_("Home"), "/"), Crumb(_("Search"))], layout=layout,
                    template="search.html", start=start, is_search=True, keys=keys,
                    context={"query": "", "kp": result, "keypad": KEYPAD_LETTERS,
                             "all_href": "/search?" + urlencode({"q": digits}) if digits else "/search",
                             "keypad_js_url": request.app[ASSETS].url("keypad.js")})
    screen.spoken = keypad_sentences(result)
    return render(request, screen)


def keypad_sentences(result: dict) -> list[str]:
    """What the keypad search page says: the keys typed and how many results, then the results shown."""
    if result["d"]:
        said = [_("Typed: %(keys)s") % {"keys": " ".join(result["d"])}, _("{n} results").format(n=result["n"])]
    else:
        said = [_("Type the first letter of each word with the number keys. Popular services:")]
    return said + [hit["t"] for hit in result["hits"]]

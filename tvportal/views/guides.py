"""Service guides (办事指南): life topics, guide lists, and a guide split into screens."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from content.model import Guide
from remote_nav import Layout
from tvportal import canvas
from tvportal.i18n import N_, gettext as _
from tvportal.keys import PUBLISHED
from tvportal.pagination import TextBlock, clip, text_width
from tvportal.screen import Crumb, Screen, prefs_of, render
from tvportal.views.lists import Entries, Entry, list_screen, marked, text_screen

KIND_PAGES = {
    "booking": (N_("Book a visit"), "/booking"),
    "handling": (N_("Apply"), "/services/handling"),
    "query": (N_("Look up"), "/services/query"),
}
def guides_crumbs() -> list[Crumb]:
    """当前位置 of the guide section."""
    return [Crumb(_("Home"), "/"), Crumb(_("Service guides"), "/guides")]


async def categories(request: web.Request) -> web.Response:
    """Life topics (养老, 社保 …) as tiles."""
    snapshot = request.app[PUBLISHED].snapshot
    layout = Layout()
    tiles = [(f"c-{c.id}", f"/guides/c/{c.id}", c.name) for c in snapshot.categories][:8]
    layout.grid(tiles, canvas.MAIN, cols=4, gap=24)
    for item, category in zip(layout.items, snapshot.categories):
        count = len(snapshot.guides_by_category.get(category.id, ()))
        item.extra["note"] = _("{n} guides").format(n=count)
    layout.assign_digits("main")
    screen = Screen(title=_("Service guides"), crumbs=guides_crumbs()[:1] + [Crumb(_("Service guides"))],
                    layout=layout, template="home.html", start=layout.items[0].id if layout.items else None)
    return render(request, screen)


def _entries(guides: Sequence[Guide], base: str = "/guides/") -> Entries:
    """List rows for guides (made only for the page shown)."""
    return Entries(guides, lambda g: Entry(f"g-{g.id}", g.name, base + g.id, g.tv_service))


async def category(request: web.Request) -> web.Response:
    """The guides of one life topic, paged."""
    snapshot = request.app[PUBLISHED].snapshot
    cat = snapshot.category_by_id.get(request.match_info["category"])
    if cat is None:
        raise web.HTTPNotFound()
    guides = snapshot.guides_by_category.get(cat.id, ())
    screen = list_screen(request, cat.name, guides_crumbs() + [Crumb(cat.name)], _entries(guides),
                         base=f"/guides/c/{cat.id}", empty=_("No guides in this topic yet."))
    return render(request, screen)


async def kind_list(request: web.Request, kind: str) -> web.Response:
    """The services of one kind (我要办 / 便民查询), each opening its guide."""
    snapshot = request.app[PUBLISHED].snapshot
    title, base = KIND_PAGES[kind]
    screen = list_screen(request, _(title), [Crumb(_("Home"), "/"), Crumb(_(title))],
                         _entries(snapshot.guides_of_kind(kind), base=base + "/"), base=base)
    return render(request, screen)


async def handling_list(request: web.Request) -> web.Response:
    """我要办: the 7 handling services."""
    return await kind_list(request, "handling")


async def query_list(request: web.Request) -> web.Response:
    """便民查询: the 5 query services."""
    return await kind_list(request, "query")



def time_text(guide: Guide) -> str:
    """多久办好, in plain words: 当场办好 for a 即办件, else promised and statutory limits."""
    tl = guide.time_limit
    if tl.is_immediate:
        text = _("Done on the spot (即办件)")
    else:
        text = _("Within {days} {unit} of acceptance").format(days=tl.promised_days, unit=tl.unit)
        if tl.statutory_days:
            text += _("; statutory limit {days} {unit}").format(days=tl.statutory_days, unit=tl.unit)
    if tl.note:
        text += "。" + tl.note
    return text


def key_facts(guide: Guide, hall_names: list[str], large: bool) -> list[tuple[str, str]]:
    """The five facts an elder needs first, clipped to fit one screen; the full text follows on later pages.

    Every fact gets one line; the lines left over go, one each, to the facts that need them most.
    """
    metrics = canvas.metrics(large)
    per_line = metrics.chars_per_line(canvas.TEXT.w - (340 if large else 300)) - 0.5
    spare = metrics.lines_in(canvas.TEXT.h - 5 * 8) - 5
    materials = "、".join(f"{m.name}（{m.kind}）" for m in guide.materials)
    where = guide.where + ("：" + "、".join(hall_names) if hall_names else "")
    facts = [
        (_("What to bring"), materials),
        (_("Where to go"), marked(guide, "where", where)),
        (_("How long"), time_text(guide)),
        (_("Does it cost"), marked(guide, "fee", guide.fee.text)),
        (_("On the TV?"), guide.tv_service),
    ]
    lines = [1] * len(facts)
    for index in (0, 4, 1, 2, 3):  # who needs a second line most
        if spare > 0 and text_width(facts[index][1]) > per_line:
            lines[index], spare = 2, spare - 1
    clipped = []
    for index, ((label, value), n) in enumerate(zip(facts, lines)):
        if index == 0 and text_width(value) > per_line * n:
            count = _("{n} items in all").format(n=len(guide.materials))
            value = clip(value, per_line * n - text_width(count)) + count
        clipped.append((label, clip(value, per_line * n)))
    return clipped


def full_elements(guide: Guide, hall_names: list[str]) -> list[TextBlock]:
    """The guide's national elements as text blocks, in the order an elder needs them."""
    blocks = [TextBlock(_("In short"), [guide.summary])]
    blocks.append(TextBlock(_("Materials to bring"), [
        f"{i}. {m.name}：{m.amount_text}" + ("" if m.necessity == "必要" else f"（{m.necessity}）")
        + (f"。{m.note}" if m.note else "")
        for i, m in enumerate(guide.materials, 1)
    ]))
    if guide.conditions:
        blocks.append(TextBlock(_("Who can apply"), [f"{i}. {c}" for i, c in enumerate(guide.conditions, 1)]))
    if guide.steps:
        blocks.append(TextBlock(_("Steps"), [
            f"{i}. {s.name}" + (f"：{s.text}" if s.text else "") for i, s in enumerate(guide.steps, 1)
        ]))
    time_fee = [time_text(guide), _("Case type: {t}").format(t=guide.case_type),
                _("Fee: {fee}").format(fee=marked(guide, "fee", guide.fee.text))]
    blocks.append(TextBlock(_("Time and fee"), time_fee))
    where = [marked(guide, "where", guide.where)]
    if hall_names:
        where.append(_("Halls: {names}").format(names="、".join(hall_names)))
    if guide.office_hours:
        where.append(_("Opening hours: {hours}").format(hours=marked(guide, "office_hours", guide.office_hours)))
    where.append(_("Visits to the hall: {n}").format(n=guide.visits_required))
    if guide.online:
        where.append(_("Online: {text}").format(text=guide.online))
    blocks.append(TextBlock(_("Where and when"), where))
    contact = []
    if guide.consult_phone:
        contact.append(_("Questions: {phone}").format(phone=marked(guide, "consult_phone", guide.consult_phone)))
    if guide.complaint_phone:
        contact.append(_("Complaints: {phone}").format(phone=marked(guide, "complaint_phone", guide.complaint_phone)))
    if contact:
        blocks.append(TextBlock(_("Phone"), contact))
    if guide.proxy_allowed or guide.proxy_note:
        blocks.append(TextBlock(_("Can family do it for you"), [
            (_("Yes. ") if guide.proxy_allowed else _("No. ")) + guide.proxy_note]))
    if guide.result:
        blocks.append(TextBlock(_("What you get"), [guide.result]))
    for faq in guide.faqs:
        blocks.append(TextBlock(_("Question: {q}").format(q=faq.q), [faq.a]))
    basics = [_("Department: {d}").format(d=guide.department), _("Item type: {t}").format(t=guide.item_type),
              _("For: {who}").format(who="、".join(guide.service_objects))]
    if guide.implementation_code:
        basics.append(_("Code: {code}").format(code=marked(guide, "implementation_code", guide.implementation_code)))
    blocks.append(TextBlock(_("Basic information"), basics))
    if guide.legal_basis:
        blocks.append(TextBlock(_("Legal basis"), [
            "".join(x for x in (b.title, b.doc_no and f"（{b.doc_no}）", b.article and f" {b.article}") if x)
            for b in guide.legal_basis
        ]))
    return blocks


def guide_screen(request: web.Request, guide: Guide, base: str, parent: Crumb | None = None) -> Screen:
    """A guide split into screens: first the five key facts, then every element."""
    snapshot = request.app[PUBLISHED].snapshot
    halls = [snapshot.hall_by_id[h] for h in guide.hall_ids if h in snapshot.hall_by_id]
    hall_names = [h.name for h in halls]
    crumbs = [Crumb(_("Home"), "/")] + ([parent] if parent else [Crumb(_("Service guides"), "/guides")])
    crumbs.append(Crumb(guide.short_name))
    extra = [("hall", _("Where to go: {name}").format(name=clip(halls[0].name, 11)), f"/halls/{halls[0].id}")] \
        if halls else []
    facts = key_facts(guide, [h.name for h in halls[:2]], prefs_of(request).large_text)
    return text_screen(request, guide.name, crumbs, full_elements(guide, hall_names), base=base,
                       first_page=[], extra_buttons=extra, template="guide.html",
                       context={"facts": facts, "guide": guide})


async def guide_detail(request: web.Request) -> web.Response:
    """One guide, reached from a topic list, a service list or search."""
    snapshot = request.app[PUBLISHED].snapshot
    guide = snapshot.guide_by_id.get(request.match_info["guide"])
    if guide is None:
        raise web.HTTPNotFound()
    parent = None
    base = f"/guides/{guide.id}"
    section = request.match_info.get("section")
    if section is not None:
        if section not in ("handling", "query"):
            raise web.HTTPNotFound()
        title, href = KIND_PAGES[section]
        parent, base = Crumb(_(title), href), f"{href}/{guide.id}"
    return render(request, guide_screen(request, guide, base=base, parent=parent))

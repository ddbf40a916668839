"""便民查询 (records paged for the TV, 办件进度), 好差评 ratings, and the outbox receipt page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from aiohttp import web

from tvportal import canvas
from tvportal.flows.guard import friendly
from tvportal.flows.queued import to_receipt
from tvportal.flows.ui import Choice, flow_screen, flow_sentences, grouped, login_redirect, platform, show, who
from tvportal.http.forms import form_of
from tvportal.i18n import N_, gettext as _
from tvportal.pagination import page_slice, parse_page
from tvportal.platform.models import BAD_RATING_REASONS, RATING_LEVELS, PlatformError, Queued, Unavailable
from tvportal.screen import Crumb, prefs_of
from tvportal.views.lists import Entry, list_screen, pager

RECORD_OF = {"q1": "pension", "q2": "social_insurance", "q3": "medical_insurance", "q4": "provident_fund"}


def _crumbs(*more: Crumb) -> list[Crumb]:
    """当前位置 of query screens."""
    return [Crumb(_("Home"), "/"), Crumb(_("Look up"), "/lookup"), *more]


@friendly
async def query_list(request: web.Request) -> web.Response:
    """The query services."""
    found = [s for s in await platform(request).catalog() if s.kind == "query"]
    entries = [Entry(f"q-{s.id}", s.short_name, f"/lookup/{s.id}") for s in found]
    screen = list_screen(request, _("Look up"), [Crumb(_("Home"), "/"), Crumb(_("Look up"))], entries, "/lookup")
    screen.back = "/"
    return show(request, screen)


async def _query(request: web.Request):
    """A query service of the catalog, or 404."""
    qid = request.match_info["query"]
    service = next((s for s in await platform(request).catalog() if s.id == qid and s.kind == "query"), None)
    if service is None:
        raise web.HTTPNotFound()
    return service


@friendly
async def query_start(request: web.Request) -> web.Response:
    """One query service: look it up now, or read its guide."""
    service = await _query(request)
    choices = [Choice("go", _("Look it up"), href=f"/lookup/{service.id}/result"),
               Choice("guide", _("Service guide"), href=f"/services/query/{service.id}")]
    screen = flow_screen(request, service.short_name, _crumbs(Crumb(service.short_name)),
                         lines=[("", service.name)], choices=choices, back="/lookup", private=False)
    return show(request, screen)


@friendly
async def record(request: web.Request) -> web.Response:
    """One query: a personal record as rows, a few per screen, with page keys."""
    service = await _query(request)
    qid = service.id
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    if qid not in RECORD_OF:  # q5 办件进度: the person's applications
        raise web.HTTPSeeOther("/apply/mine")
    table = await platform(request).records(current.person.id, RECORD_OF[qid])
    large, sd = prefs_of(request).large_text, canvas.current().size == "sd"
    rows_per_page = (1 if large else 2) if sd else (3 if large else 5)  # an SD row may wrap onto two lines
    head = [(_("Whose"), f"{current.person.name}  {current.person.id_masked}")] + [("", s) for s in table.summary[:2]]
    window, pages = page_slice(len(table.rows), rows_per_page, parse_page(request))
    lines = head + [("", "　".join(row)) for row in table.rows[window]]
    if not table.rows:
        lines.append(("", _("No records found.")))
    screen = flow_screen(request, table.title or service.short_name, _crumbs(Crumb(service.short_name)),
                         lines=lines, choices=[], back=f"/lookup/{qid}")
    screen.spoken = flow_sentences("", "", "", head, []) + spoken_rows(table.rows, table.rows[window]) \
        + ([] if table.rows else [_("No records found.")])
    page = parse_page(request)
    screen.page, screen.pages = min(page, pages), pages
    screen.prev_href, screen.next_href = pager(screen.layout, screen.page, pages, f"/lookup/{qid}/result")
    if not screen.layout.items:
        row = canvas.current().BUTTON_ROW
        screen.layout.add("up", row.__class__(row.x, row.y, min(400, row.w // 2), row.h), group="pager",
                          href=f"/lookup/{qid}", label="◀ " + _("Back"))
    screen.start = screen.layout.items[0].id if not screen.next_href else "pg-next"
    return show(request, screen)


def spoken_rows(rows: list[list[str]], shown: list[list[str]]) -> list[str]:
    """The rows of a screen as said: a column after the first two (what and how much) that is the same in
    every row, such as the bank of every payment, is said in the first row only."""
    same = set(range(2, len(rows[0]))) if len(rows) > 1 else set()
    same = {i for i in same if len({row[i] for row in rows}) == 1}
    return ["　".join(cell for i, cell in enumerate(row) if n == 0 or i not in same) for n, row in enumerate(shown)]


async def _target(request: web.Request):
    """The finished booking or application to rate, and who rates it."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    kind, number = request.match_info["kind"], request.match_info["number"]
    p = platform(request)
    if kind == "booking":
        target = next((b for b in await p.bookings(current.person.id) if b.number == number), None)
        name = target.service_name if target else ""
    elif kind == "application":
        try:
            target = await p.application(number)
        except PlatformError:
            target = None
        name = target.service_name if target else ""
    else:
        raise web.HTTPNotFound()
    if target is None or target.person_id != current.person.id:
        raise web.HTTPNotFound()
    return current, kind, target, name


@friendly
async def rate_page(request: web.Request) -> web.Response:
    """Five big buttons: 非常满意 .. 非常不满意."""
    current, kind, target, name = await _target(request)
    if target.status != "finished":  # (an address typed or kept from before): no form that cannot be sent
        where = f"/apply/a/{target.number}" if kind == "application" else f"/booking/b/{target.number}"
        choices = [Choice("progress", _("See its progress") if kind == "application" else _("See the booking"),
                          href=where), Choice("home", _("Back to the home page"), href="/")]
        lines = [(_("Service"), f"{name}  {grouped(target.number)}"),
                 ("", _("It can be rated once it is done."))]
        return show(request, flow_screen(request, _("Rate this service"), [Crumb(_("Home"), "/"),
                                         Crumb(_("Rate this service"))], lines=lines, choices=choices, back=where))
    return _levels(request, kind, target.number, name)


@dataclass(frozen=True)
class _Unchecked:
    """The item a rating is for, as the URL names it, when the platform cannot be asked about it."""

    number: str


# the TV's words for the national levels (the platform's names are Chinese data, not UI)
LEVEL_NAMES = {5: N_("Very satisfied"), 4: N_("Satisfied"), 3: N_("Fairly satisfied"), 2: N_("Dissatisfied"),
               1: N_("Very dissatisfied")}
REASON_NAMES = {"slow": N_("Too slow"), "attitude": N_("Unfriendly staff"), "unclear": N_("Hard to understand"),
                "many_trips": N_("Had to go several times"), "other": N_("Something else")}


def _levels(request: web.Request, kind: str, number: str, name: str, error: str = "", status: int = 200):
    """The five national levels; the digit key is the number of stars (5 = 非常满意), and the focus starts
    in the middle so that a quick OK does not give the best rating by accident."""
    action = f"/rate/{kind}/{number}"
    choices = [Choice(f"l{level}", _(LEVEL_NAMES[level]), post=action,
                      fields={"level": str(level), "key": secrets.token_hex(16)}, note="★" * level, digit=level)
               for level, _label in RATING_LEVELS]
    screen = flow_screen(request, _("Rate this service"), [Crumb(_("Home"), "/"), Crumb(_("Rate this service"))],
                         lines=[(_("Service"), f"{name}  {grouped(number)}")], choices=choices, error=error,
                         status=status, start="l3")
    return show(request, screen)


@friendly
async def rate(request: web.Request) -> web.Response:
    """POST a level; the two lowest first ask why (from a short list). While the platform is unreachable the
    rating is queued for the item in the URL; the platform checks on delivery that it is the person's."""
    try:
        current, kind, target, name = await _target(request)
    except Unavailable:
        current, kind = await who(request), request.match_info["kind"]
        if current is None or kind not in ("booking", "application"):
            raise
        target, name = _Unchecked(request.match_info["number"]), ""
    form = await form_of(request)
    level_raw, reason, key = str(form.get("level", "")), str(form.get("reason", "")), str(form.get("key", ""))
    levels = dict(RATING_LEVELS)
    if not level_raw.isdigit() or int(level_raw) not in levels:
        return _levels(request, kind, target.number, name, _("Please choose one of the five answers."), 400)
    level = int(level_raw)
    if level > 2 and not form.get("sure"):
        # one digit is easily pressed by mistake: the choice is shown before it is sent (the two lowest
        # ask why next, which is their second look)
        action = f"/rate/{kind}/{target.number}"
        choices = [Choice("send", _("Submit"), post=action, fields={"level": str(level), "key": key, "sure": "1"}),
                   Choice("again", _("Choose again"), href=action)]
        chosen = f"{level} {_(LEVEL_NAMES[level])} {'★' * level}"
        screen = flow_screen(request, _("Rate this service"), [Crumb(_("Home"), "/"), Crumb(_("Rate this service"))],
                             lines=[(_("You chose"), chosen)], choices=choices, back=action)
        return show(request, screen)
    if level <= 2 and reason not in dict(BAD_RATING_REASONS):
        action = f"/rate/{kind}/{target.number}"
        choices = [Choice(f"r-{code}", _(REASON_NAMES[code]), post=action,
                          fields={"level": str(level), "reason": code, "key": key})
                   for code, _label in BAD_RATING_REASONS]
        screen = flow_screen(request, _("What was wrong?"), [Crumb(_("Home"), "/"), Crumb(_("Rate this service"))],
                             lines=[(_("Your answer"), _(LEVEL_NAMES[level]))], choices=choices,
                             error=_("Please choose a reason.") if reason else "", status=400 if reason else 200)
        return show(request, screen)
    try:
        rating = await platform(request).rate(current.actor.id, current.person.id, kind, target.number, level,
                                              reason, key or secrets.token_hex(16))
        message, rated = _("Thank you. Your rating number is {n}.").format(n=grouped(rating.number)), True
    except Queued as queued:
        raise await to_receipt(request, queued) from None
    except PlatformError as exc:
        message, rated = exc.message, False
    screen = flow_screen(request, _("Thank you"), [Crumb(_("Home"), "/"), Crumb(_("Thank you"))],
                         lines=[("", message)], choices=[Choice("home", _("Back to the home page"), href="/")], back="/",
                         receipt=rated)
    return show(request, screen)

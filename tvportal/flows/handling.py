"""我要办 on the TV: the handling services; one question per screen (choices only), a confirmation
page that repeats everything, submit once, a receipt with the application number; my applications."""

from __future__ import annotations

import secrets

from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows.ui import Choice, flow_screen, login_redirect, platform, show, state, waiting_entries, who
from tvportal.i18n import N_, gettext as _
from tvportal.pagination import page_slice, parse_page
from tvportal.platform import services
from tvportal.platform.models import Application, PlatformError, Queued, Unavailable
from tvportal.screen import Crumb, prefs_of
from tvportal.views.lists import Entry, list_screen


def _crumbs(*more: Crumb) -> list[Crumb]:
    """当前位置 of handling screens."""
    return [Crumb(_("Home"), "/"), Crumb(_("Apply"), "/apply"), *more]


async def _service(request: web.Request):
    """A handling service with a TV form, or 404."""
    sid = request.match_info["service"]
    service = next((s for s in await platform(request).catalog() if s.id == sid and s.kind == "handling"), None)
    if service is None or sid not in services.FORMS:
        raise web.HTTPNotFound()
    return service


@friendly
async def service_list(request: web.Request) -> web.Response:
    """The handling services, then 我的办件."""
    found = [s for s in await platform(request).catalog() if s.kind == "handling" and s.id in services.FORMS]
    entries = [Entry(f"a-{s.id}", s.short_name, f"/apply/{s.id}") for s in found]
    entries.append(Entry("a-mine", _("My applications and progress"), "/apply/mine"))
    screen = list_screen(request, _("Apply"), [Crumb(_("Home"), "/"), Crumb(_("Apply"))], entries, "/apply")
    screen.back = "/"
    return show(request, screen)


@friendly
async def service_start(request: web.Request) -> web.Response:
    """One service: start, or read its guide."""
    service = await _service(request)
    choices = [Choice("go", _("Start"), href=f"/apply/{service.id}/q/0"),
               Choice("guide", _("Service guide"), href=f"/services/handling/{service.id}"),
               Choice("mine", _("My applications and progress"), href="/apply/mine")]
    screen = flow_screen(request, service.short_name, _crumbs(Crumb(service.short_name)),
                         lines=[("", service.name)], choices=choices, back="/apply", private=False)
    return show(request, screen)


def question_screen(request: web.Request, service, index: int, error: str = "", status: int = 200) -> web.Response:
    """Question ``index`` of a service's form: one choice per button."""
    form = services.FORMS[service.id]
    question = form.fields[index]
    answers = state(request).get("apply:" + service.id, {})
    action = f"/apply/{service.id}/q/{index}"
    choices = [Choice(f"c{i}", label, post=action, fields={"value": value})
               for i, (value, label) in enumerate(question.choices)]
    chosen = answers.get(question.name)
    start = next((f"c{i}" for i, (v, _l) in enumerate(question.choices) if v == chosen), None)
    screen = flow_screen(request, service.short_name,
                         _crumbs(Crumb(service.short_name, f"/apply/{service.id}"),
                                 Crumb(_("Question {n} of {total}").format(n=index + 1, total=len(form.fields)))),
                         lines=[("", question.label)], choices=choices, error=error, start=start, status=status,
                         back=f"/apply/{service.id}/q/{index - 1}" if index else f"/apply/{service.id}")
    return show(request, screen)


@friendly
async def question(request: web.Request) -> web.Response:
    """GET one question (sign in first: the answers belong to a person)."""
    service = await _service(request)
    if await who(request) is None:
        raise login_redirect(request)
    index = _index(request, service)
    return question_screen(request, service, index)


def _index(request: web.Request, service) -> int:
    """The question number from the URL, or 404."""
    try:
        index = int(request.match_info["index"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 <= index < len(services.FORMS[service.id].fields):
        raise web.HTTPNotFound()
    return index


@friendly
async def answer(request: web.Request) -> web.Response:
    """POST one answer (checked against the offered choices), then the next question or the confirmation."""
    service = await _service(request)
    index = _index(request, service)
    form = services.FORMS[service.id]
    value = str((await request.post()).get("value", ""))
    q = form.fields[index]
    if value not in {v for v, _l in q.choices}:
        return question_screen(request, service, index, _("Please choose one of the answers below."), 400)
    state(request).setdefault("apply:" + service.id, {})[q.name] = value
    nxt = f"/apply/{service.id}/q/{index + 1}" if index + 1 < len(form.fields) else f"/apply/{service.id}/confirm"
    raise web.HTTPSeeOther(nxt)


def confirm_screen(request: web.Request, service, current, error: str = "", status: int = 200) -> web.Response:
    """Everything once more: service, applicant, helper, each answer, contact; then submit."""
    answers = state(request).get("apply:" + service.id, {})
    lines = [(_("Service"), service.short_name), (_("Applicant"), f"{current.person.name}  {current.person.id_masked}")]
    if current.for_family:
        lines.append((_("Applied by"), f"{current.actor.name}（{_('family member')}）"))
    lines += [(f.label, services.answer_label(service.id, f.name, answers.get(f.name, "")) or _("(not answered)"))
              for f in services.FORMS[service.id].fields]
    lines.append((_("Contact phone"), current.person.phone_masked))
    choices = [Choice("ok", _("Submit"), post=f"/apply/{service.id}/confirm", fields={"key": secrets.token_hex(16)}),
               Choice("change", _("Change answers"), href=f"/apply/{service.id}/q/0")]
    screen = flow_screen(request, _("Please check"), _crumbs(Crumb(service.short_name, f"/apply/{service.id}"),
                                                             Crumb(_("Please check"))),
                         lines=lines[:7], choices=choices, cols=2, error=error, status=status,
                         back=f"/apply/{service.id}/q/{len(services.FORMS[service.id].fields) - 1}")
    return show(request, screen)


@friendly
async def confirm(request: web.Request) -> web.Response:
    """GET the confirmation page."""
    service = await _service(request)
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    problems = services.check_fields(service.id, state(request).get("apply:" + service.id, {}))
    if problems:
        raise web.HTTPSeeOther(f"/apply/{service.id}/q/0")
    return confirm_screen(request, service, current)


@friendly
async def submit(request: web.Request) -> web.Response:
    """POST: submit with the page's idempotency key (a second press gives the same application)."""
    service = await _service(request)
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    key = str((await request.post()).get("key", ""))
    answers = state(request).get("apply:" + service.id, {})
    if not key:
        return confirm_screen(request, service, current, _("Please press the button again."), 400)
    try:
        application = await platform(request).submit_application(current.actor.id, current.person.id, service.id,
                                                                  dict(answers), key)
    except Queued as queued:
        state(request).pop("apply:" + service.id, None)
        raise web.HTTPSeeOther(f"/flow/queued/{queued.reference}")
    except PlatformError as exc:
        return confirm_screen(request, service, current, exc.message, 400)
    state(request).pop("apply:" + service.id, None)
    raise web.HTTPSeeOther(f"/apply/a/{application.number}?new=1")


STATUS = {"submitted": N_("Submitted"), "accepted": N_("Being handled"), "finished": N_("Done")}


@friendly
async def mine(request: web.Request) -> web.Response:
    """我的办件: applications, newest first, and any still waiting to be sent."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    intro = ""
    try:
        found = await platform(request).applications(current.person.id)
    except Unavailable:  # still show what waits in the outbox
        found, intro = [], _("The provincial platform cannot be reached right now; only what waits here is shown.")
    entries = [Entry(f"m-{a.number}", f"{a.service_name} {a.submitted[:10]}", f"/apply/a/{a.number}",
                     _(STATUS.get(a.status, a.status))) for a in found]
    for e in await waiting_entries(request, current.person.id, ("apply", "rate")):
        entries.insert(0, Entry(f"o-{e.reference}", f"{_('Reference')} {e.reference}",
                                f"/flow/queued/{e.reference}",
                                _("Will be sent automatically") if e.status == "waiting" else _("Not accepted")))
    screen = list_screen(request, _("My applications"), _crumbs(Crumb(_("My applications"))), entries, "/apply/mine",
                         empty=_("No applications yet."), intro=intro)
    screen.private = True
    screen.back = "/apply"
    return show(request, screen)


@friendly
async def progress(request: web.Request) -> web.Response:
    """办件进度 (and the receipt right after submitting): the steps with their dates."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    try:
        app = await platform(request).application(request.match_info["number"])
    except PlatformError:
        raise web.HTTPNotFound() from None
    if app.person_id != current.person.id:
        raise web.HTTPNotFound()
    return _progress_screen(request, app, bool(request.query.get("new")))


def _progress_screen(request: web.Request, app: Application, new: bool) -> web.Response:
    """The application's steps with dates, a few per screen (page keys), the number shown large."""
    per_page = 3 if prefs_of(request).large_text else 4
    window, pages = page_slice(len(app.steps), per_page, parse_page(request))
    page = min(parse_page(request), pages)
    lines = [(s.name, s.date or _("Not yet")) for s in app.steps[window]]
    if app.status != "finished" and page == pages:
        lines.append((_("Promised by"), app.promise_date))
    choices = []
    if app.status == "finished" and not app.rated:
        choices.append(Choice("rate", _("Rate this service"), href=f"/rate/application/{app.number}"))
    choices += [Choice("mine", _("My applications"), href="/apply/mine"), Choice("home", _("Back to the home page"), href="/")]
    title = (_("Submitted") if new else _("Progress")) + f"：{app.service_name}"
    screen = flow_screen(request, title, _crumbs(Crumb(_("My applications"), "/apply/mine"), Crumb(app.number)),
                         big=f"{_('Application number')} {app.number}", lines=lines, choices=choices,
                         cols=len(choices), back="/apply/mine")
    base = f"/apply/a/{app.number}" + ("?new=1&" if new else "?")
    screen.page, screen.pages = page, pages
    screen.prev_href = f"{base}page={page - 1}" if page > 1 else None
    screen.next_href = f"{base}page={page + 1}" if page < pages else None
    return show(request, screen)

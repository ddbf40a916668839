"""我要办 on the TV: the handling services; one question per screen (choices only), a confirmation
page that repeats everything, submit once, a receipt with the application number; my applications."""

from __future__ import annotations

import datetime as dt
import secrets

from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows.queued import to_receipt, waiting_entries
from tvportal.flows.session import act_for
from tvportal.flows.ui import (
    Choice, back_to, flow_screen, grouped, login_redirect, platform, show, state, who)
from tvportal.http.forms import form_of
from tvportal.i18n import N_, format_day, format_moment, gettext as _
from tvportal.pagination import page_slice, parse_page
from tvportal.platform import eligibility, services
from tvportal.platform.models import Application, PlatformError, Queued, Unavailable
from tvportal.screen import Crumb, Screen, prefs_of
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


async def _signed_in(request: web.Request):
    """The service of the URL and who applies (sign in first: applications belong to a person)."""
    service = await _service(request)
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    return service, current


@friendly
async def service_list(request: web.Request) -> web.Response:
    """The handling services, then 我的办件."""
    found = [s for s in await platform(request).catalog() if s.kind == "handling" and s.id in services.FORMS]
    entries = [Entry(f"a-{s.id}", s.short_name, f"/apply/{s.id}") for s in found]
    entries.append(Entry("a-mine", _("My applications and progress"), "/apply/mine"))
    screen = list_screen(request, _("Apply"), [Crumb(_("Home"), "/"), Crumb(_("Apply"))], entries, "/apply")
    screen.back = "/"
    return show(request, screen)


def _condition(service_id: str) -> str:
    """Who may apply, in one plain sentence (before signing in, so nobody signs in for nothing)."""
    rule = eligibility.RULES.get(service_id, eligibility.Rule())
    parts = []
    if rule.min_age:
        parts.append(_("For people aged {n} or over.").format(n=rule.min_age))
    if rule.once_per_year:
        parts.append(_("Once a year."))
    if rule.needs:
        parts.append(_("You need a disability certificate."))
    return "".join(parts)


@friendly
async def service_start(request: web.Request) -> web.Response:
    """One service: who may apply, then start, or read its guide."""
    service = await _service(request)
    choices = [Choice("go", _("Start"), href=f"/apply/{service.id}/for"),
               Choice("guide", _("Service guide"), href=f"/services/handling/{service.id}"),
               Choice("mine", _("My applications and progress"), href="/apply/mine")]
    lines = [("", service.name)]
    if _condition(service.id):
        lines.append((_("Who may apply"), _condition(service.id)))
    screen = flow_screen(request, service.short_name, _crumbs(Crumb(service.short_name)),
                         lines=lines, choices=choices, back="/apply", private=False)
    return show(request, screen)


@friendly
async def for_whom(request: web.Request) -> web.Response:
    """为谁办: oneself or a family member who consented; straight on when there is nobody else."""
    service, current = await _signed_in(request)
    if not current.link.acts_for:
        raise web.HTTPSeeOther(f"/apply/{service.id}/check")
    action = f"/apply/{service.id}/for"
    people = [current.actor, *current.link.acts_for]
    choices = [Choice(f"p{i}", f"{p.name}  {p.id_masked}", post=action, fields={"person": p.id},
                      note=_("Myself") if p.id == current.actor.id else _("Family member"))
               for i, p in enumerate(people)]
    screen = flow_screen(request, _("For whom?"), _crumbs(Crumb(service.short_name, f"/apply/{service.id}"),
                                                          Crumb(_("For whom?"))),
                         lines=[("", _("Whose application is it?"))], choices=choices,
                         start=f"p{people.index(current.person)}" if current.person in people else None,
                         back=f"/apply/{service.id}")
    return show(request, screen)


@friendly
async def set_for_whom(request: web.Request) -> web.Response:
    """POST the chosen person (only oneself or a consenting family member), then the eligibility check."""
    service, current = await _signed_in(request)
    chosen = str((await form_of(request)).get("person", ""))
    if chosen == current.actor.id or any(p.id == chosen for p in current.link.acts_for):
        await act_for(request, "" if chosen == current.actor.id else chosen)
        state(request).pop("apply:" + service.id, None)  # answers given for someone else do not carry over
    # the person in the URL: the runtime remembers focus per URL, and another person's screen has other buttons
    raise web.HTTPSeeOther(f"/apply/{service.id}/check?p={chosen}")


async def verdict(request: web.Request, service_id: str, person) -> eligibility.Verdict:
    """What the platform knows about this person and service, judged as the platform will judge it."""
    history = [eligibility.Past(a.number, a.service_id, a.status, a.submitted)
               for a in await platform(request).applications(person.id)]
    born = dt.date.fromisoformat(person.birth_date) if person.birth_date else None
    return eligibility.judge(service_id, born, history, services.now().date())


def _reason(found: eligibility.Verdict, name: str) -> str:
    """The verdict in the catalog's words; ``name`` is the family member acted for ("" for oneself)."""
    you = {"who": name} if name else {}

    def age(key: str, v: dict) -> str:
        """An age sentence: the person's name when acting for them, else 您."""
        if key == "too_young":
            text = _("%(who)s is %(age)d this year; one must be %(min)d to apply") if name else \
                _("You are %(age)d this year; one must be %(min)d to apply")
        else:
            text = _("%(who)s is %(age)d this year; from %(min)d one may apply") if name else \
                _("You are %(age)d this year; from %(min)d one may apply")
        return text % {**v, **you}

    words = {
        "open": lambda v: _("This is already being handled (application number %(number)s); no need to apply "
                            "again") % v,
        "no_birth": lambda v: _("The date of birth is not on record; please apply at a service hall"),
        "done_year": lambda v: _("It has been done this year; next time in %(next)d") % v,
        "done_ever": lambda v: _("It is already done (application number %(number)s); no need to apply again") % v,
        "yearly_ok": lambda v: _("Once a year, not yet done this year"),
        "needs": lambda v: _("You need a second-generation disability certificate"),
    }
    said = [age(k, v) if k in ("too_young", "age_ok") else words[k](v) for k, v in found.why]
    return _("; ").join(said) if said else found.reason


@friendly
async def check(request: web.Request) -> web.Response:
    """Before any question: may this person apply? An open application is shown instead of a second one."""
    service, current = await _signed_in(request)
    found = await verdict(request, service.id, current.person)
    reason = _reason(found, current.person.name if current.for_family else "")
    lines = [(_("Applicant"), f"{current.person.name}  {current.person.id_masked}")]
    if current.for_family:
        lines.append((_("Applied by"), _("{name} (family member)").format(name=current.actor.name)))
    crumbs = _crumbs(Crumb(service.short_name, f"/apply/{service.id}"), Crumb(_("Can I apply?")))
    others = [Choice("who", _("Apply for someone else"), href=f"/apply/{service.id}/for")] \
        if current.link.acts_for else []
    if found.open_number:
        lines.append(("", _("This is already being handled; there is no need to apply again.")))
        choices = [Choice("open", _("See its progress"), href=f"/apply/a/{found.open_number}"), *others,
                   Choice("home", _("Back to the home page"), href="/")]
        big, label = grouped(found.open_number), _("Application number")
    elif not found.allowed:
        lines += [("", _("This service cannot be applied for now:")), ("", reason)]
        choices = [*others, Choice("guide", _("Service guide"), href=f"/services/handling/{service.id}"),
                   Choice("home", _("Back to the home page"), href="/")]
        big = label = ""
    else:
        lines.append((_("You can apply"), reason or _("Answer a few questions with the OK key.")))
        choices = [Choice("go", _("Start the questions"), href=f"/apply/{service.id}/q/0"), *others]
        big = label = ""
    screen = flow_screen(request, service.short_name, crumbs, lines=lines, choices=choices, cols=len(choices),
                         big=big, big_label=label, back=f"/apply/{service.id}")
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
    screen = flow_screen(request, service.short_name, _crumbs(Crumb(service.short_name, f"/apply/{service.id}")),
                         lines=[("", question.label)], choices=choices, error=error, start=start, status=status,
                         back=f"/apply/{service.id}/q/{index - 1}" if index else f"/apply/{service.id}")
    # top right, where a long 当前位置 cannot cut it off (SD)
    screen.step = _("Question {n} of {total}").format(n=index + 1, total=len(form.fields))
    screen.spoken.insert(1 if error else 0, screen.step)  # said after the title (and a refusal), as shown
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
    value = str((await form_of(request)).get("value", ""))
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
        lines.append((_("Applied by"), _("{name} (family member)").format(name=current.actor.name)))
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
    service, current = await _signed_in(request)
    problems = services.check_fields(service.id, state(request).get("apply:" + service.id, {}))
    if problems:
        raise web.HTTPSeeOther(f"/apply/{service.id}/q/0")
    return confirm_screen(request, service, current)


@friendly
async def submit(request: web.Request) -> web.Response:
    """POST: submit with the page's idempotency key (a second press gives the same application)."""
    service, current = await _signed_in(request)
    key = str((await form_of(request)).get("key", ""))
    answers = state(request).get("apply:" + service.id, {})
    if not key:
        return confirm_screen(request, service, current, _("Please press the button again."), 400)
    try:
        application = await platform(request).submit_application(current.actor.id, current.person.id, service.id,
                                                                  dict(answers), key)
    except Queued as queued:
        state(request).pop("apply:" + service.id, None)
        raise await to_receipt(request, queued) from None
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
    entries = [Entry(f"m-{a.number}", f"{a.service_name} {format_moment(a.submitted[:10])}", f"/apply/a/{a.number}",
                     _(STATUS.get(a.status, a.status))) for a in found]
    for e in await waiting_entries(request, current.person.id, ("apply", "rate")):
        entries.insert(0, Entry(f"o-{e.reference}", _("Reference {n}").format(n=grouped(e.reference)),
                                f"/flow/queued/{e.reference}",
                                _("Will be sent automatically") if e.status == "waiting" else _("Not accepted")))
    crumbs = _crumbs(Crumb(_("My applications")))
    if current.for_family:  # the son acting for his mother sees whose applications these are
        whose = _("Applications of %(name)s") % {"name": current.person.name}
        intro = f"{whose}. {intro}" if intro else whose
    if not entries:  # a kind empty state with the next step, never an empty screen
        lines = [("", intro or _("You have not applied for anything yet.")),
                 ("", _("Pensions, allowances and cards can be applied for on the TV."))]
        choices = [Choice("a-new", _("Apply"), href="/apply"), Choice("home", _("Back to the home page"), href="/")]
        return show(request, flow_screen(request, _("My applications"), crumbs, lines=lines, choices=choices,
                                         cols=2, back=back_to(request, "/apply")))
    screen = list_screen(request, _("My applications"), crumbs, entries, "/apply/mine", intro=intro)
    screen.private = True
    screen.back = back_to(request, "/apply")
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
    return _progress_screen(request, app, bool(request.query.get("new")), current.for_family)


def _progress_screen(request: web.Request, app: Application, new: bool, whose: bool = False) -> web.Response:
    """Right after submitting, a receipt: the number large, what happens next and by when, all on one screen.
    Later (from 我的办件), the steps with their dates, a few per screen (page keys)."""
    choices = []
    if app.status == "finished" and not app.rated:
        choices.append(Choice("rate", _("Rate this service"), href=f"/rate/application/{app.number}"))
    choices += [Choice("mine", _("My applications"), href="/apply/mine"),
                Choice("home", _("Back to the home page"), href="/")]
    crumbs = _crumbs(Crumb(_("My applications"), "/apply/mine"), Crumb(app.number))
    if new:
        lines = [(_("Applicant"), app.person_name), *_what_next(app)]
        screen = flow_screen(request, _("Submitted") + "：" + app.service_name, crumbs, big=grouped(app.number),
                             big_label=_("Application number"), lines=lines, choices=choices, cols=len(choices),
                             back="/", receipt=True)  # Back leaves the finished flow: never into its questions again
        return show(request, screen)

    def shown(window: slice, last: bool) -> Screen:
        lines = [(s.name, format_moment(s.date) if s.date else _("Not yet")) for s in app.steps[window]]
        if whose:  # acting for a family member: say whose matter this is
            lines.insert(0, (_("Applicant"), app.person_name))
        if app.status != "finished" and last:
            lines.append((_("Promised by"), format_day(dt.date.fromisoformat(app.promise_date))))
        return flow_screen(request, _("Progress") + "：" + app.service_name, crumbs, big=grouped(app.number),
                           big_label=_("Application number"), lines=lines, choices=choices, cols=len(choices),
                           back="/apply/mine")

    # as many steps a screen as leave the buttons room on every page (fewer at SD in large text)
    per_page = 3 if prefs_of(request).large_text else 4
    while per_page > 1 and any(
            shown(slice(i, i + per_page), i + per_page >= len(app.steps)).context["cramped"]
            for i in range(0, len(app.steps), per_page)):
        per_page -= 1
    window, pages = page_slice(len(app.steps), per_page, parse_page(request))
    page = min(parse_page(request), pages)
    screen = shown(window, page == pages)
    base = f"/apply/a/{app.number}?"
    screen.page, screen.pages = page, pages
    screen.prev_href = f"{base}page={page - 1}" if page > 1 else None
    screen.next_href = f"{base}page={page + 1}" if page < pages else None
    return show(request, screen)


def _what_next(app: Application) -> list[tuple[str, str]]:
    """What happens next and the promised date, in plain words."""
    if app.status == "finished":
        return [("", _("It is done. Nothing more to do."))]
    coming = next((s.name for s in app.steps if not s.date), "")
    return [(_("Next step"), coming), (_("Done by"), format_day(dt.date.fromisoformat(app.promise_date))),
            ("", _("You will get a text message when it is done."))]

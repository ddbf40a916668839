"""预约办理 on the TV: service -> hall (own county first) -> day -> slot -> confirm -> receipt;
my bookings: list, cancel (before the cut-off), reschedule."""

from __future__ import annotations

import datetime as dt
import secrets

from aiohttp import web

from tvportal import canvas
from tvportal.flows.guard import friendly
from tvportal.flows.queued import to_receipt, waiting_entries
from tvportal.flows.ui import (
    Choice, back_to, flow_screen, grouped, login_redirect, platform, show, who)
from tvportal.http.forms import form_of
from tvportal.i18n import N_, format_day, gettext as _
from tvportal.platform import services
from tvportal.platform.models import Booking, PlatformError, Queued, Slot, Unavailable
from tvportal.screen import Crumb
from tvportal.views.lists import Entry, list_screen

def _crumbs(*more: Crumb) -> list[Crumb]:
    """当前位置 of booking screens."""
    return [Crumb(_("Home"), "/"), Crumb(_("Book a visit"), "/booking"), *more]


def day_label(day: str) -> str:
    """11月24日 星期二."""
    return format_day(dt.date.fromisoformat(day))


def slot_label(slot: Slot) -> str:
    """上午 9:00-10:00."""
    part = _("Morning") if slot.start < "12:00" else _("Afternoon")
    return f"{part} {slot.start.lstrip('0')}-{slot.end.lstrip('0')}"


async def _service(request: web.Request):
    """The one booking service of the catalog (b1 in the demo)."""
    catalog = await platform(request).catalog()
    bookable = [s for s in catalog if s.kind == "booking"]
    if not bookable:
        raise web.HTTPNotFound()
    return bookable[0]


@friendly
async def start(request: web.Request) -> web.Response:
    """The booking service: book, my bookings, or read the guide first."""
    service = await _service(request)
    choices = [Choice("b-new", _("Book a visit to a hall"), href="/booking/halls"),
               Choice("b-mine", _("My bookings"), href="/booking/mine"),
               Choice("b-guide", _("Service guide"), href=f"/booking/guide/{service.id}")]
    lines = [("", service.name), ("", _("Pick a hall, a day and a time; bring your ID card on the day."))]
    screen = flow_screen(request, _("Book a visit"), [Crumb(_("Home"), "/"), Crumb(_("Book a visit"))],
                         lines=lines, choices=choices, private=False, back="/")
    return show(request, screen)


@friendly
async def halls(request: web.Request) -> web.Response:
    """Halls that take bookings: the county of the TV's person first."""
    service = await _service(request)
    try:
        current = await who(request)
    except Unavailable:  # the hall list is still useful without knowing whose TV this is
        current = None
    home_county = current.person.county_code if current else ""
    offered = [h for h in await platform(request).halls() if h.id in service.hall_ids]
    offered.sort(key=lambda h: (h.county_code != home_county, service.hall_ids.index(h.id)))
    entries = [Entry(f"h-{h.id}", h.name, f"/booking/h/{h.id}/soon", h.county) for h in offered]
    entries.append(Entry("b-guide", _("Service guide"), f"/booking/guide/{service.id}"))
    screen = list_screen(request, _("Choose a hall"), _crumbs(Crumb(_("Choose a hall"))), entries, "/booking/halls")
    screen.private = True  # the order depends on whose TV it is: never served from the page cache
    screen.back = "/"  # the home tile opens this list
    return show(request, screen)


SOONEST = 4  # free times offered first; most elders take the first one
# at SD a time with its day is too long for half the screen: one a row (flow_screen), so fewer of them fit
SOONEST_SD = 2


@friendly
async def soonest(request: web.Request) -> web.Response:
    """The earliest free times of a hall over the coming days (one press for "as soon as possible"),
    and the whole week by day for anyone who wants another day."""
    hall_id = request.match_info["hall"]
    hall = await _hall(request, hall_id)
    service = await _service(request)
    wanted = SOONEST_SD if canvas.current().size == "sd" else SOONEST
    free: list[Slot] = []
    for day in services.working_days(services.now().date()):
        free += [s for s in await platform(request).slots(hall_id, service.id, day.isoformat()) if s.remaining > 0]
        if len(free) >= wanted:
            break
    choices = [Choice(f"s-{s.day.replace('-', '')}{s.start.replace(':', '')}",
                      f"{day_label(s.day)} {slot_label(s)}", href=f"/booking/s/{s.id}",
                      note=_("{n} places left").format(n=s.remaining)) for s in free[:wanted]]
    choices.append(Choice("days", _("Choose another day"), href=f"/booking/h/{hall_id}"))
    lines = [(_("Hall"), hall.name)] + ([] if free else [("", _("No free times this week."))])
    screen = flow_screen(request, _("Choose a time"), _crumbs(Crumb(hall.name), Crumb(_("Choose a time"))),
                         lines=lines, choices=choices, back="/booking/halls", private=True)
    return show(request, screen)


@friendly
async def days(request: web.Request) -> web.Response:
    """The next 7 working days of a hall."""
    hall_id = request.match_info["hall"]
    move = request.query.get("move", "")
    hall = await _hall(request, hall_id)
    query = f"?move={move}" if move else ""
    short = canvas.current().size == "sd"  # 12月10日 星期四 is cut in half an SD screen at large text
    choices = [Choice(f"d-{d:%Y%m%d}", format_day(d, short=short), href=f"/booking/h/{hall_id}/{d.isoformat()}{query}")
               for d in services.working_days(services.now().date())]
    screen = flow_screen(request, _("Choose a day"), _crumbs(Crumb(hall.name), Crumb(_("Choose a day"))),
                         lines=[(_("Hall"), hall.name)], choices=choices, cols=2,
                         back=f"/booking/b/{move}" if move else "/booking/halls", private=bool(move))
    return show(request, screen)


async def _hall(request: web.Request, hall_id: str):
    """A hall that takes bookings, or 404."""
    service = await _service(request)
    hall = next((h for h in await platform(request).halls() if h.id == hall_id), None)
    if hall is None or hall_id not in service.hall_ids:
        raise web.HTTPNotFound()
    return hall


@friendly
async def slots(request: web.Request) -> web.Response:
    """The day's time slots with the places left; full ones shown but not choosable."""
    hall_id, day = request.match_info["hall"], request.match_info["day"]
    move = request.query.get("move", "")
    hall = await _hall(request, hall_id)
    service = await _service(request)
    try:
        if dt.date.fromisoformat(day) not in services.working_days(services.now().date()):
            raise ValueError(day)
    except ValueError:
        raise web.HTTPNotFound() from None
    found = await platform(request).slots(hall_id, service.id, day)
    query = f"?move={move}" if move else ""
    choices = [Choice(f"s-{s.start.replace(':', '')}", slot_label(s), href=f"/booking/s/{s.id}{query}",
                      note=_("{n} places left").format(n=s.remaining) if s.remaining else _("Fully booked"),
                      disabled=s.remaining <= 0) for s in found]
    screen = flow_screen(request, _("Choose a time"),
                         _crumbs(Crumb(hall.name), Crumb(day_label(day))),
                         lines=[(_("Hall"), hall.name), (_("Day"), day_label(day))], choices=choices, cols=2,
                         back=f"/booking/h/{hall_id}{query}", private=True)
    if not screen.layout.items:
        screen.context["error"] = _("This day is fully booked. Press Back to choose another day.")
    return show(request, screen)


async def _slot(request: web.Request, slot_id: str) -> tuple[Slot, str]:
    """The slot an id names and its hall's name, checked here (no call for places: a booking may be queued)."""
    try:
        hall_id, service_id, ymd, hhmm = slot_id.split(".")
        day = dt.datetime.strptime(ymd, "%Y%m%d").date()
    except ValueError:
        raise web.HTTPNotFound() from None
    times = dict(services.SLOT_TIMES)
    start = f"{hhmm[:2]}:{hhmm[2:]}"
    service = await _service(request)
    if service_id != service.id or start not in times or day not in services.working_days(services.now().date()):
        raise web.HTTPNotFound()
    hall = await _hall(request, hall_id)
    return Slot(slot_id, hall_id, service_id, day.isoformat(), start, times[start], 0, 0), hall.name


def confirm_screen(request: web.Request, slot: Slot, hall_name: str, current, move: str, error: str = "",
                   status: int = 200) -> web.Response:
    """确认预约: everything once more, then one button."""
    lines = [(_("Service"), _("Visit the hall")), (_("Hall"), hall_name), (_("Day"), day_label(slot.day)),
             (_("Time"), slot_label(slot)), (_("For"), f"{current.person.name}  {current.person.id_masked}")]
    if current.for_family:
        lines.append((_("Booked by"), _("{name} (family member)").format(name=current.actor.name)))
    label = _("Confirm the new time") if move else _("Confirm the booking")
    choices = [Choice("ok", label, post=f"/booking/s/{slot.id}",
                      fields={"key": secrets.token_hex(16), "move": move}),
               Choice("change", _("Choose another time"), href=f"/booking/h/{slot.hall_id}/{slot.day}"
                                                              + (f"?move={move}" if move else ""))]
    screen = flow_screen(request, _("Please check"), _crumbs(Crumb(_("Please check"))), lines=lines,
                         choices=choices, cols=2, error=error, status=status,
                         back=f"/booking/h/{slot.hall_id}/{slot.day}" + (f"?move={move}" if move else ""))
    return show(request, screen)


@friendly
async def confirm(request: web.Request) -> web.Response:
    """GET the confirmation page (sign in first)."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    slot, hall_name = await _slot(request, request.match_info["slot"])
    return confirm_screen(request, slot, hall_name, current, request.query.get("move", ""))


@friendly
async def book(request: web.Request) -> web.Response:
    """POST: book (or move) with the form's idempotency key; a double press books once."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    form = await form_of(request)
    key, move = str(form.get("key", "")), str(form.get("move", ""))
    slot, hall_name = await _slot(request, request.match_info["slot"])
    if not key:
        return confirm_screen(request, slot, hall_name, current, move, _("Please press the button again."), 400)
    p = platform(request)
    try:
        if move:
            booking = await p.reschedule_booking(current.actor.id, current.person.id, move, slot.id, key)
        else:
            booking = await p.create_booking(current.actor.id, current.person.id, slot.id, key)
    except Queued as queued:
        raise await to_receipt(request, queued) from None
    except PlatformError as exc:
        return confirm_screen(request, slot, hall_name, current, move, exc.message, 409)
    raise web.HTTPSeeOther(f"/booking/r/{booking.number}")


async def _own(request: web.Request, number: str) -> tuple[Booking, object]:
    """One of the current person's bookings."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    booking = next((b for b in await platform(request).bookings(current.person.id) if b.number == number), None)
    if booking is None:
        raise web.HTTPNotFound()
    return booking, current


def _facts(booking: Booking) -> list[tuple[str, str]]:
    """A booking in lines."""
    return [(_("Hall"), booking.hall_name), (_("Day"), day_label(booking.slot.day)),
            (_("Time"), slot_label(booking.slot)), (_("For"), booking.person_name)]


@friendly
async def receipt(request: web.Request) -> web.Response:
    """The booking number, large and grouped, and what to do on the day, on one screen."""
    booking, _current = await _own(request, request.match_info["number"])
    lines = [(_("When"), f"{day_label(booking.slot.day)} {slot_label(booking.slot)}"), (_("Hall"), booking.hall_name),
             (_("For"), booking.person_name), (_("On the day"), _("Bring your ID card; arrive 10 minutes early."))]
    choices = [Choice("mine", _("My bookings"), href="/booking/mine"), Choice("home", _("Back to the home page"), href="/")]
    # Back goes home: the booking flow behind this screen is finished and must not be walked again
    screen = flow_screen(request, _("Booked"), _crumbs(Crumb(_("Booked"))), big=grouped(booking.number),
                         big_label=_("Booking number"), lines=lines, choices=choices, cols=2, back="/",
                         receipt=True)
    return show(request, screen)


STATUS = {"booked": N_("Booked"), "cancelled": N_("Cancelled"), "finished": N_("Done")}


@friendly
async def mine(request: web.Request) -> web.Response:
    """My bookings: upcoming first."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    intro = ""
    try:
        found = await platform(request).bookings(current.person.id)
    except Unavailable:  # still show what waits in the outbox
        found, intro = [], _("The provincial platform cannot be reached right now; only what waits here is shown.")
    entries = [Entry(f"m-{b.number}", f"{day_label(b.slot.day)} {slot_label(b.slot)} {b.hall_name}",
                     f"/booking/b/{b.number}", _(STATUS.get(b.status, b.status))) for b in found]
    for e in await waiting_entries(request, current.person.id, ("book", "cancel")):
        entries.insert(0, Entry(f"o-{e.reference}", _("Reference {n}").format(n=grouped(e.reference)),
                                f"/flow/queued/{e.reference}",
                                _("Will be sent automatically") if e.status == "waiting" else _("Not accepted")))
    crumbs = _crumbs(Crumb(_("My bookings")))
    if not entries:  # a kind empty state with the next step, never an empty screen
        lines = [("", intro or _("You have no bookings yet.")),
                 ("", _("To visit a hall without queueing, book a time here first."))]
        choices = [Choice("b-new", _("Book a visit to a hall"), href="/booking/halls"),
                   Choice("home", _("Back to the home page"), href="/")]
        return show(request, flow_screen(request, _("My bookings"), crumbs, lines=lines, choices=choices,
                                         cols=2, back=back_to(request, "/booking")))
    screen = list_screen(request, _("My bookings"), crumbs, entries, "/booking/mine", intro=intro)
    screen.private = True
    screen.back = back_to(request, "/booking")
    return show(request, screen)


@friendly
async def detail(request: web.Request) -> web.Response:
    """One booking: cancel, move, or rate once done."""
    booking, _current = await _own(request, request.match_info["number"])
    n = booking.number
    choices = []
    if booking.status == "booked":
        choices += [Choice("move", _("Change the time"), href=f"/booking/h/{booking.slot.hall_id}?move={n}"),
                    Choice("cancel", _("Cancel the booking"), href=f"/booking/b/{n}/cancel")]
    if booking.status == "finished" and not booking.rated:
        choices.append(Choice("rate", _("Rate this service"), href=f"/rate/booking/{n}"))
    choices.append(Choice("list", _("My bookings"), href="/booking/mine"))
    lines = [(_("Booking number"), n), *_facts(booking), (_("Status"), _(STATUS.get(booking.status, booking.status)))]
    screen = flow_screen(request, _("Booking"), _crumbs(Crumb(_("My bookings"), "/booking/mine"), Crumb(n)),
                         lines=lines, choices=choices, cols=3, back="/booking/mine")
    return show(request, screen)


@friendly
async def cancel_page(request: web.Request) -> web.Response:
    """Ask once more before cancelling."""
    booking, _current = await _own(request, request.match_info["number"])
    return _cancel_screen(request, booking)


def _cancel_screen(request: web.Request, booking: Booking, error: str = "", status: int = 200) -> web.Response:
    """The cancel question."""
    n = booking.number
    choices = [Choice("yes", _("Yes, cancel it"), post=f"/booking/b/{n}/cancel", fields={"key": secrets.token_hex(16)}),
               Choice("no", _("No, keep it"), href=f"/booking/b/{n}")]
    screen = flow_screen(request, _("Cancel the booking?"), _crumbs(Crumb(n)), lines=_facts(booking), choices=choices,
                         cols=2, error=error, status=status, start="no", back=f"/booking/b/{n}")
    return show(request, screen)


@friendly
async def cancel(request: web.Request) -> web.Response:
    """POST: cancel (before the cut-off). While the platform is unreachable the cancellation is queued for the
    booking in the URL; the platform checks on delivery that it is the person's."""
    number = request.match_info["number"]
    try:
        booking, current = await _own(request, number)
    except Unavailable:
        booking, current = None, await who(request)
        if current is None:
            raise
    key = str((await form_of(request)).get("key", ""))
    try:
        await platform(request).cancel_booking(current.actor.id, current.person.id, number, key)
    except Queued as queued:
        raise await to_receipt(request, queued) from None
    except PlatformError as exc:
        if booking is None:
            raise Unavailable(exc.code) from None
        return _cancel_screen(request, booking, exc.message, 409)
    raise web.HTTPSeeOther(f"/booking/b/{number}")


async def guide(request: web.Request) -> web.Response:
    """The booking service's guide, under 预约办理."""
    from tvportal.keys import PUBLISHED
    from tvportal.screen import render
    from tvportal.views.guides import guide_screen

    found = request.app[PUBLISHED].snapshot.guide_by_id.get(request.match_info["guide"])
    if found is None or found.kind != "booking":
        raise web.HTTPNotFound()
    return render(request, guide_screen(request, found, base=f"/booking/guide/{found.id}",
                                        parent=Crumb(_("Book a visit"), "/booking/halls")))

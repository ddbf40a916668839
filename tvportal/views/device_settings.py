"""The TV settings page: large text, high contrast, language and reading aloud, remembered per device."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.http.forms import form_of
from tvportal.i18n import LOCALES, gettext as _, language_name
from tvportal.keys import ASR, PUBLISHED, SETTINGS, TTS
from tvportal.prefs import RATES, Prefs, remember
from tvportal.screen import Crumb, Screen, prefs_of, render
from tvportal.views.area import area_name


class BadSetting(web.HTTPBadRequest):
    """The settings form sent a field or value the page never offers."""


def _on_off(value: bool) -> str:
    """开 / 关 for a switch."""
    return _("On") if value else _("Off")


def voice_rows(prefs: Prefs) -> list[tuple[str, str, str, str, str]]:
    """Reading aloud on/off, its speed and its volume; OK steps each to its next value."""
    rate_names = {"slow": _("Slow"), "normal": _("Normal")}
    volume_names = {1: _("Quiet"), 2: _("Medium"), 3: _("Loud")}
    return [
        ("s-read", _("Read aloud"), _on_off(prefs.reading), "reading", "0" if prefs.reading else "1"),
        ("s-rate", _("Speaking speed"), rate_names[prefs.rate], "rate", "normal" if prefs.rate == "slow" else "slow"),
        ("s-volume", _("Volume"), volume_names[prefs.volume], "volume", str(prefs.volume % 3 + 1)),
    ]


def voice_status(reading: bool, commands: bool, model_fails: bool = False) -> str:
    """One line saying which voice functions this TV lacks; empty when both work."""
    if model_fails and not commands:  # installed but damaged (voice/asr.py): "not installed" would mislead
        return _("Voice commands are unavailable: the speech model on this TV does not work. "
                 "Please use the remote's keys.")
    if not reading and not commands:
        return _("Reading aloud and voice commands are not installed on this TV.")
    if not reading:
        return _("Reading aloud is not available: no speech engine on this TV.")
    if not commands:
        return _("Voice commands are not available: no speech model on this TV.")
    return ""


# Where 设置 was opened from (?from=), so that Back leaves it at once: each switch reloads the page, and the
# browser's history would otherwise step back through every earlier copy of it, showing the old values
OPENED_FROM = {"me": "/me", "voice": "/voice"}


def _from(value: object) -> str:
    return value if isinstance(value, str) and value in OPENED_FROM else ""


async def settings_page(request: web.Request) -> web.Response:
    """One switch per row (three for display, three for reading aloud); OK flips the focused one."""
    prefs = prefs_of(request)
    opened_from = _from(request.query.get("from"))
    next_locale = LOCALES[(LOCALES.index(prefs.locale) + 1) % len(LOCALES)]
    rows = [
        ("s-text", _("Large text"), _on_off(prefs.large_text), "text", "0" if prefs.large_text else "1"),
        ("s-contrast", _("High contrast"), _on_off(prefs.high_contrast), "contrast",
         "0" if prefs.high_contrast else "1"),
        ("s-lang", _("Language"), language_name(prefs.locale), "lang", next_locale),
    ]
    tts, asr = request.app[TTS], request.app[ASR]
    if tts.available:
        rows += voice_rows(prefs)
    # 选择您所在的县区 (views/area.py): a link, not a switch; guides then name the hall nearest to the viewer
    snapshot = request.app[PUBLISHED].snapshot
    where = area_name(snapshot, prefs.county, prefs.town) or _("Not chosen")
    back_here = "/settings?f=s-area" + (f"&from={opened_from}" if opened_from else "")
    rows.append(("s-area", _("Your county or district"), where, "", "/area?next=" + quote(back_here, safe="")))
    cv = canvas.current()
    sd = cv.size == "sd"
    layout = Layout(cv.width, cv.height)
    area = cv.MAIN
    # SD: four rows of 50 px (two columns with the voice rows), the two notes under them above the hint bar
    grid_h, gap = (4 * 50 + 3 * 8, 8) if sd else (3 * 96 + 2 * 24, 24)
    layout.grid([(rid, value if rid == "s-area" else None, label) for rid, label, _s, _f, value in rows],
                Rect(area.x, area.y, area.w, grid_h), cols=1 if len(rows) <= 4 else 2, gap=gap)
    last = layout.items[-1]
    if len(rows) > 4 and len(rows) % 2:  # the odd last row (您所在的县区, a long label) takes the whole width
        last.rect = Rect(last.rect.x, last.rect.y, area.w, last.rect.h)
    for item, (_rid, _label, state, field, value) in zip(layout.items, rows):
        item.extra.update(state=state, field=field, value=value, replace=item.id == "s-area")
    layout.assign_digits("main")
    screen = Screen(title=_("Settings"), crumbs=[Crumb(_("Home"), "/"), Crumb(_("Settings"))], layout=layout,
                    template="settings.html", start="s-text", back=OPENED_FROM.get(opened_from, "/"),
                    context={"voice_status": voice_status(tts.available, asr.available, asr.failed),
                             "note_top": area.y + grid_h + (8 if sd else 16), "opened_from": opened_from})
    screen.nav_extra["br"] = 1  # and Back takes this page's place: 设置 leaves no copy of itself to come back to
    screen.spoken = [f"{label} {state}" for _rid, label, state, *_rest in rows]
    screen.spoken += [s for s in (voice_status(tts.available, asr.available, asr.failed),
                                  _("Press OK to switch. This TV remembers the choice.")) if s]
    return render(request, screen)


async def change_setting(request: web.Request) -> web.Response:
    """Apply one switch from the settings form and come back to the same row."""
    form = await form_of(request)
    field, value = form.get("field"), form.get("value")
    prefs = prefs_of(request)
    if field == "text" and value in ("0", "1"):
        prefs, row = replace(prefs, large_text=value == "1"), "s-text"
    elif field == "contrast" and value in ("0", "1"):
        prefs, row = replace(prefs, high_contrast=value == "1"), "s-contrast"
    elif field == "lang" and value in LOCALES:
        prefs, row = replace(prefs, locale=value), "s-lang"
    elif field == "reading" and value in ("0", "1"):
        prefs, row = replace(prefs, reading=value == "1"), "s-read"
    elif field == "rate" and value in RATES:
        prefs, row = replace(prefs, rate=value), "s-rate"
    elif field == "volume" and value in ("1", "2", "3"):
        prefs, row = replace(prefs, volume=int(value)), "s-volume"
    else:
        raise BadSetting(reason="setting")
    opened_from = _from(form.get("from"))
    response = web.HTTPSeeOther(f"/settings?f={row}" + (f"&from={opened_from}" if opened_from else ""))
    remember(response, prefs, request.app[SETTINGS].cookie_secure)
    raise response


__all__ = ["Prefs", "settings_page", "change_setting"]

"""Translations (babel): zh_CN is the default and complete, en the second locale.

Message catalogs live in tvportal/locale/<locale>/LC_MESSAGES/messages.po and are compiled
in memory at start-up, so a checkout runs without a build step.  The locale of the request
being handled sits in a context variable, which both Python code (``gettext``) and the
templates (jinja2's i18n extension, installed with these callables) read.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("tvportal_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> Translations:
    """Compile the .po catalog of ``locale`` into a Translations object (once per process)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's locale."""
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count into the current request's locale."""
    return translations(current_locale.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "mark, translate later"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def format_day(day: dt.date, locale: str | None = None, short: bool = False) -> str:
    """A date as an elder reads it: 11月24日 星期二 / Tuesday, November 24; ``short`` where half an SD
    screen must hold it whole in large text: 周二 11月24日 / Tue, Nov 24."""
    return _format_day(day, locale or current_locale.get(), short)


@cache
def _format_day(day: dt.date, locale: str, short: bool = False) -> str:
    """format_day, remembered: babel re-reads locale data on every call."""
    zh = locale.startswith("zh")
    pattern = ("EEE MMMd日" if zh else "EEE, MMM d") if short else "MMMd日 EEEE" if zh else "EEEE, MMMM d"
    return format_date(day, pattern, locale=locale)


def format_date_long(day: dt.date, locale: str | None = None) -> str:
    """A date with its year, for things that age (a policy, a guide's 更新日期): 2015年3月16日 / March 16, 2015."""
    loc = locale or current_locale.get()
    return format_date(day, "y年M月d日" if loc.startswith("zh") else "MMMM d, y", locale=loc)


def format_moment(text: str, locale: str | None = None) -> str:
    """A platform date or date and time (YYYY-MM-DD[ HH:MM]) as screens show it: 11月15日 星期日 10:00."""
    day, _sep, time = text.strip().partition(" ")
    try:
        shown = format_day(dt.date.fromisoformat(day), locale)
    except ValueError:
        return text
    return f"{shown} {time[:5]}" if time else shown


def format_number(value: float | int, locale: str | None = None) -> str:
    """A number with the locale's separators."""
    return format_decimal(value, locale=locale or current_locale.get())


def language_name(locale: str) -> str:
    """The name of a language in itself (中文 / English), for the switch on the settings page."""
    return Locale.parse(locale).get_language_name(locale).title()

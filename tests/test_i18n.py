"""Translations: catalogs extracted from the code and templates are complete and current."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tvportal.i18n import LOCALE_DIR, LOCALES, format_day, format_number

ROOT = Path(__file__).resolve().parent.parent


def extracted_ids(tmp_path: Path) -> set[str]:
    """Message ids the babel tool chain finds in the code and templates right now."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_current(tmp_path, locale):
    """Every message in the code has a non-empty translation, and the catalog holds no stale ones."""
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id}
    wanted = extracted_ids(tmp_path)
    assert sorted(wanted - translated.keys()) == [], "run pybabel update (docs/i18n.md)"
    assert sorted(translated.keys() - wanted) == [], "stale messages: run pybabel update"
    # a plural message has one text per plural form of the language (Chinese one, English two), none empty
    assert [mid for mid, text in translated.items()
            if not (len(text) == catalog.num_plurals and all(text) if isinstance(text, tuple) else text)] == []
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_zh_cn_is_really_chinese():
    """The default locale's texts are Chinese, not copies of the English ids."""
    with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    untranslated = [m.id for m in catalog if m.id and m.string == m.id and any(c.isalpha() for c in m.id)]
    assert untranslated == []


def test_dates_and_numbers_by_babel():
    """Dates read 11月24日 星期二 in Chinese and Tuesday, November 24 in English."""
    day = dt.date(2026, 11, 24)
    assert format_day(day, "zh_CN") == "11月24日 星期二"
    assert format_day(day, "en") == "Tuesday, November 24"
    assert format_number(12345.5, "zh_CN") == "12,345.5"

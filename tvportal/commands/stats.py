"""``tvportal stats export --day D --format csv|json``: one day of the operator's statistics on stdout
(or ``--out FILE``); the fields are described in docs/operator.md."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from tvportal.i18n import gettext as _
from tvportal.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``stats`` subcommand."""
    stats = sub.add_parser("stats", help="the operator's statistics")
    actions = stats.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="one day's counts as CSV or JSON (fields: docs/operator.md)")
    export.add_argument("--day", help="the day, e.g. 2026-12-01 (default: today in the city)")
    export.add_argument("--format", default="csv", help="csv (default) or json")
    export.add_argument("--out", help="write to this file instead of the screen")
    export.add_argument("--data-dir", help="folder of the SQLite database (default ./tvportal-data)")
    export.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    stats.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export; a wrong day or format is one line in Chinese and exit code 2."""
    from tvportal.database import open_database, prepare
    from tvportal.stats.export import day_rows, render

    from tvportal.clock import city_now, use_timezone

    settings = load_settings({"data_dir": args.data_dir}, config_file=args.config)
    use_timezone(settings.timezone)
    try:
        day = dt.date.fromisoformat(args.day).isoformat() if args.day is not None else city_now().date().isoformat()
    except ValueError:
        print("tvportal: " + _("Not a day: %(day)s; write it like 2026-12-01") % {"day": args.day}, file=sys.stderr)
        return 2
    if args.format not in ("csv", "json"):
        print("tvportal: " + _("Unknown format %(fmt)s; use csv or json") % {"fmt": args.format}, file=sys.stderr)
        return 2
    if not settings.database_url and not settings.database_path.is_file():
        # a mistyped folder must not look like a day without visitors (nor leave an empty database behind)
        print("tvportal: " + _("No portal database at %(path)s; give the portal's --data-dir")
              % {"path": settings.database_path}, file=sys.stderr)
        return 2
    db = open_database(settings)
    try:
        prepare(db, settings)
        text = render(db.read_sync(day_rows, day), args.format)
    finally:
        db.close()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0

"""``tvportal db upgrade`` and ``tvportal db current``: the database schema (docs/storage.md).

``serve`` upgrades at start too; run ``db upgrade`` before starting instances of a new release when
you want to see the migration happen (and fail, if it does) in one place.  Safe while instances run.
"""

from __future__ import annotations

import argparse

from tvportal.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``db`` subcommand."""
    db = sub.add_parser("db", help="database schema: upgrade to this release, or show the current revision")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="migrate the database to this release's schema (and load the demo "
                                       "content into an empty one)")
    actions.add_parser("current", help="print the schema revision of the database and of this release")
    for p in actions.choices.values():
        p.add_argument("--data-dir", help="folder of the SQLite database (default ./tvportal-data)")
        p.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    db.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Upgrade, or report the revision (a database that cannot be reached is reported by tvportal/cli.py)."""
    from tvportal.database import open_database, prepare
    from tvportal.storage import migrate

    settings = load_settings({"data_dir": args.data_dir}, config_file=args.config)
    db = open_database(settings)
    try:
        if args.action == "upgrade":
            prepare(db, settings)
            print(f"database at revision {migrate.head_revision()} (newest)")
        else:
            current = db.read_sync(migrate.current_revision) or "none (empty or made before migrations)"
            print(f"database: {current}\nthis release: {migrate.head_revision()}")
    finally:
        db.close()
    return 0

"""``tvportal central-sim``: a standalone central platform for demos and tests.

It serves the API of docs/central-platform.openapi.yaml from the embedded implementation on
a database of its own (a SQLite file, or a ``postgresql://`` URL; demo people and records), verifies signatures, and can be slowed down,
made to fail at random, or marked down.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from aiohttp import web

from tvportal.i18n import gettext as _
from tvportal.settings import SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``central-sim`` subcommand."""
    sim = sub.add_parser("central-sim", help="run a simulated central platform")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=9090, help="port to listen on (default 9090)")
    sim.add_argument("--latency-ms", type=int, default=0, help="extra delay of every API call")
    sim.add_argument("--error-rate", type=float, default=0.0, help="share of API calls answered with 503 (0..1)")
    sim.add_argument("--down", action="store_true", help="answer every API call with 503 (an outage)")
    sim.add_argument("--database", default="",
                     help="its SQLite file or postgresql:// URL (default central-sim.sqlite3 in data_dir)")
    sim.add_argument("--public-url", default="", help="URL phones use to reach it (for the QR code)")
    sim.add_argument("--config", help="TOML settings file: central_app_id and central_secret are used")
    sim.set_defaults(func=run)


def build(args: argparse.Namespace) -> web.Application:
    """The simulator's application from parsed arguments."""
    from tvportal.platform import demo_data
    from tvportal.platform.embedded import EmbeddedPlatform
    from tvportal.platform.nonces import NonceLog
    from tvportal.platform.server import Knobs, build_api
    from tvportal.storage import Database, migrate

    settings = load_settings(config_file=args.config)
    if not settings.central_secret:
        raise SettingsError(_("central-sim needs a shared secret: set central_secret (e.g. "
                              "TVPORTAL_CENTRAL_SECRET)"))
    url = args.database or str(Path(settings.data_dir) / "central-sim.sqlite3")
    db = Database(url if url.startswith(("postgresql://", "sqlite:///")) else f"sqlite:///{url}")
    migrate.upgrade(db, lambda conn: demo_data.create(conn, settings.demo_city))
    public = args.public_url or f"http://{args.host}:{args.port}"
    platform = EmbeddedPlatform(db, confirm_base=public)
    knobs = Knobs(latency_ms=args.latency_ms, error_rate=args.error_rate, down=args.down)
    return build_api(platform, {settings.central_app_id: settings.central_secret}, knobs, NonceLog(db))


def run(args: argparse.Namespace) -> int:
    """Run the simulator until interrupted."""
    from tvportal.platform.idnumber import install_log_masking

    if not 0 <= args.error_rate <= 1:
        print("tvportal central-sim: --error-rate must be between 0 and 1", file=sys.stderr)
        return 2
    try:
        app = build(args)
    except (SettingsError, OSError) as exc:
        print(f"tvportal central-sim: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=lambda msg: print(msg, flush=True))
    return 0

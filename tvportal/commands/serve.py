"""``tvportal serve``: run the portal."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from tvportal.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand."""
    serve = sub.add_parser("serve", help="run the portal")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--data-dir", help="folder for the database (default ./tvportal-data)")
    serve.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the portal until interrupted."""
    from tvportal.app import server_app

    settings = load_settings({"host": args.host, "port": args.port, "data_dir": args.data_dir}, config_file=args.config)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = server_app(settings)
    # Work in threads (applying a big publish, loading a search segment, database calls) holds the GIL for up
    # to the switch interval each time the event loop wants it back, and a TV request needs it back at every
    # socket call: at the default 5 ms a request waits behind such work dozens of times. 1 ms bounds each wait.
    sys.setswitchinterval(0.001)
    # a set-top box's request never needs more than a few seconds; a long wait only delays a restart
    web.run_app(app, host=settings.host, port=settings.port, shutdown_timeout=5,
                access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
                print=lambda msg: print(msg, flush=True))
    return 0

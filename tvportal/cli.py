"""Command line: ``tvportal serve`` runs the portal; later issues add more subcommands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from aiohttp import web

from tvportal.settings import SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with all subcommands."""
    parser = argparse.ArgumentParser(prog="tvportal", description="TV channel of the government-services platform")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the portal")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--data-dir", help="folder for the database (default ./tvportal-data)")
    serve.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    return parser


def serve(args: argparse.Namespace) -> int:
    """Run the portal until interrupted."""
    from tvportal.app import create_app

    try:
        settings = load_settings({"host": args.host, "port": args.port, "data_dir": args.data_dir},
                                 config_file=args.config)
    except (SettingsError, OSError) as exc:
        print(f"tvportal: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    web.run_app(app, host=settings.host, port=settings.port, access_log=logging.getLogger("aiohttp.access")
                if settings.access_log else None, print=lambda msg: print(msg, flush=True))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tvportal`` command."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())

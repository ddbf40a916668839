"""Command line: ``tvportal <command>``; each command lives in tvportal/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from tvportal.settings import SettingsError
from tvportal.storage.faults import StorageUnusable, cannot_write, start_failure

# modules under tvportal/commands/ that add a subcommand; a new command adds its name here
COMMAND_MODULES: tuple[str, ...] = ("serve", "central_sim", "voice", "content", "user", "db", "stats")


# options every command takes, accepted anywhere: ``tvportal --data-dir D user add x`` and
# ``tvportal user add x --data-dir D`` are the same
SHARED_OPTIONS = {"--data-dir": "folder of the portal's data and database (default ./tvportal-data)",
                  "--config": "TOML settings file (see docs/settings.md)"}


def _share_options(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` and every subcommand below it take the shared options.

    The default is SUPPRESS at every level: a value given before the subcommand is then not overwritten by
    the subcommand's parser (argparse copies only the values a parser actually set)."""
    have = {option: action for action in parser._actions for option in action.option_strings}
    for option, help_text in SHARED_OPTIONS.items():
        if option in have:
            have[option].default = argparse.SUPPRESS
        else:
            parser.add_argument(option, default=argparse.SUPPRESS, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _share_options(child)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with all subcommands."""
    parser = argparse.ArgumentParser(prog="tvportal", description="TV channel of the government-services platform")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"tvportal.commands.{name}").register(sub)
    _share_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tvportal`` command."""
    args = build_parser().parse_args(argv)
    for option in SHARED_OPTIONS:  # not given anywhere: the settings' own default
        dest = option.lstrip("-").replace("-", "_")
        if not hasattr(args, dest):
            setattr(args, dest, None)
    try:
        return args.func(args)
    except SettingsError as exc:  # every command reads settings; one place says what is wrong with them
        print(f"tvportal: {exc}", file=sys.stderr)
        return 2
    except StorageUnusable as exc:  # the database at start: which file, and what to do (storage/faults.py)
        print(f"tvportal: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # a database that is down or refuses us: one line, not a traceback
        print(f"tvportal: {start_failure(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a port already in use, a file that cannot be written: say which, not a traceback
        if cannot_write(exc):
            print(f"tvportal: {start_failure(exc)}", file=sys.stderr)
        else:
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"tvportal: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

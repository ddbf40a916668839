"""``tvportal user add|passwd|unlock|disable|enable|list``: editor accounts (docs/editor.md)."""

from __future__ import annotations

import argparse
import getpass
import sys

from tvportal.settings import load_settings

ROLES = ("editor", "reviewer", "publisher", "admin")  # tvportal.editor.users.ROLES, without importing the editor


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``user`` subcommand and its actions."""
    user = sub.add_parser("user", help="manage editor accounts")
    user.add_argument("--data-dir", help="folder of the database (default ./tvportal-data)")
    user.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="editor (编辑), reviewer (审核员), publisher (发布员) or admin (管理员)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = actions.add_parser("passwd",
                                help="set a new password (ends the user's sessions, lifts a sign-in pause)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    unlock = actions.add_parser("unlock", help="lift the 15-minute pause after too many failed sign-ins")
    unlock.add_argument("name")
    disable = actions.add_parser("disable", help="disable an account (ends its sessions)")
    disable.add_argument("name")
    enable = actions.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("name")
    actions.add_parser("list", help="list the accounts")
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    user.set_defaults(func=run)


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input, or typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    """Carry out one user action on the portal's database."""
    from tvportal.database import open_database, prepare
    from tvportal.editor import users

    settings = load_settings({"data_dir": args.data_dir}, config_file=args.config)
    db = open_database(settings)
    try:
        prepare(db, settings)
        if args.action == "add":
            password = _password(args)
            user = db.write_sync(users.add_user, args.name, args.role, password)
            print(f"added {user.name} ({user.role})")
        elif args.action == "passwd":
            password = _password(args)
            db.write_sync(users.set_password, args.name, password)
            print(f"password of {args.name} changed (a sign-in pause is lifted too)")
        elif args.action == "unlock":
            db.read_sync(users.get_user, args.name)  # an unknown name is an error, not "0 failures forgotten"
            forgotten = db.write_sync(users.unlock, args.name)
            print(f"{args.name} may sign in again ({forgotten} failed sign-in(s) forgotten)")
        elif args.action == "role":
            user = db.write_sync(users.set_role, args.name, args.role)
            print(f"{user.name} is now {user.role}")
        elif args.action in ("disable", "enable"):
            db.write_sync(users.set_disabled, args.name, args.action == "disable")
            print(f"{args.name} {args.action}d")
        else:
            for user in db.read_sync(users.list_users):
                print(f"{user.name}\t{user.role}\t{'disabled' if user.disabled else 'active'}")
    except (users.UserError, ValueError, EOFError) as exc:
        print(f"tvportal user: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    return 0

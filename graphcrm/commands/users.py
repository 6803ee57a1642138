"""`graphcrm users add|list|remove|passwd`: the dashboard's users for `graphcrm serve --auth FILE`.

A password is read from the terminal (asked twice), or from one line of standard input when that is
not a terminal, so a script can create users: `printf '%s\\n' "$PW" | graphcrm users add ada --role admin`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from graphcrm.access import ROLES
from graphcrm.errors import InputError
from graphcrm.users import UsersFile


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser(
        "users",
        help="manage the dashboard's users (for graphcrm serve --auth)",
        description="Manage the users file that `graphcrm serve --auth FILE` signs users in against. "
        "Passwords are stored as salted Argon2id hashes.",
    )
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, help="what the user may do")
    listing = actions.add_parser("list", help="list users and their roles")
    remove = actions.add_parser("remove", help="delete a user")
    remove.add_argument("name")
    passwd = actions.add_parser("passwd", help="change a user's password")
    passwd.add_argument("name")
    for parser in (add, listing, remove, passwd):
        parser.add_argument("--file", help="the users file (default: users.json in the state folder)")
    users.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    users = UsersFile(args.file)
    if args.action == "list":
        for user in users.users():
            print(f"{user.name}\t{user.role}")
    elif args.action == "add":
        users.add(args.name, args.role, read_password(f"Password for {args.name}: "))
        print(f"Added {args.name} ({args.role}) to {users.path}.")
    elif args.action == "remove":
        users.remove(args.name)
        print(f"Removed {args.name} from {users.path}.")
    else:
        users.set_password(args.name, read_password(f"New password for {args.name}: "))
        print(f"Changed the password of {args.name}.")
    return 0


def read_password(prompt: str) -> str:
    """From the terminal without echo (asked twice), else the first line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != password:
        raise InputError("The two passwords differ; nothing was changed.")
    return password

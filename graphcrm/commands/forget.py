"""`graphcrm forget ID [--keep-structure]`: erase a person's personal data and suppress the id.

Where sign-in is on (`--auth FILE`, or `GRAPHCRM_AUTH_FILE` as `graphcrm serve --auth` sets it),
the command signs in as `--user NAME` with the password from the terminal (or the first line of
standard input) and needs the admin role; otherwise it runs as the operating-system user.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from graphcrm import access, audit, erasure, settings
from graphcrm.db import Graph
from graphcrm.errors import AccessDenied, InputError
from graphcrm.users import User, UsersFile


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "forget",
        help="erase a person's personal data; the id is never loaded again",
        description="Erase a customer's or employee's personal data (name, contact details, free "
        "text, touch-point notes) and put the id on the suppression list that every later load and "
        "sync honours. The erasure is recorded without the erased data.",
    )
    parser.add_argument("id", help="the person's id")
    parser.add_argument(
        "--keep-structure",
        action="store_true",
        help="keep an anonymised node with the person's relationships (default: delete the node)",
    )
    parser.add_argument(
        "--auth",
        type=Path,
        metavar="FILE",
        help="the users file to sign in against (default: GRAPHCRM_AUTH_FILE; none: no sign-in)",
    )
    parser.add_argument("--user", help="who signs in, where sign-in is on (needs the admin role)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    user = _signed_in(args)
    try:
        done = erasure.forget(
            Graph(),
            args.id,
            keep_structure=args.keep_structure,
            user=user.name if user else None,
            role=user.role if user else None,
        )
    except AccessDenied:
        if user:
            audit.append(audit.default_path(), user.name, "denied", action="erase", id=args.id)
        raise
    if done.already:
        print(f"{done.id} was already forgotten (it is on the suppression list); nothing changed.")
        return 0
    kept = (
        "an anonymised node keeps its relationships"
        if done.structure_kept
        else "the node and its relationships are deleted"
    )
    print(
        f"Forgot {done.id} ({done.label}): personal data erased, {kept}; "
        f"{done.findings_deleted:,} stored analytics row(s) naming them deleted. "
        "The id is on the suppression list: no later load or sync brings it back."
    )
    return 0


def _signed_in(args: argparse.Namespace) -> User | None:
    """The verified user where sign-in is on, None where it is off."""
    chosen = args.auth or str(settings.value("auth_file"))
    if not chosen:
        return None
    if not args.user:
        raise InputError("Sign-in is on: say who you are with --user NAME (an admin).")
    password = (
        getpass.getpass(f"Password for {args.user}: ")
        if sys.stdin.isatty()
        else sys.stdin.readline().rstrip("\r\n")
    )
    user = UsersFile(chosen).verify(args.user, password)
    if user is None:
        audit.append(audit.default_path(), args.user, "sign-in failed", command="forget")
        raise AccessDenied("Wrong user name or password; nothing was erased.")
    if not access.may(user.role, "erase"):
        audit.append(audit.default_path(), user.name, "denied", action="erase", id=args.id)
        raise AccessDenied(access.denial("erase", user.role))
    return user

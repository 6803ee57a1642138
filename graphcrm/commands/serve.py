"""`graphcrm serve [--auth [FILE]]`: start the Streamlit dashboard (`graphcrm/ui/app.py`, shipped in
the package), on 127.0.0.1 by default.

It runs `graphcrm/ui/asgi.py`, which serves that app and, on a loopback address, refuses requests
whose Host header is not the loopback (DNS rebinding).

Streamlit gets the shipped settings (`graphcrm/ui/config.toml`: no usage statistics, no Deploy
button, XSRF protection, small uploads, no agent API) as command-line flags, so they hold whatever
folder this is run from. `--auth` makes every page ask for sign-in; listening on anything but a
loopback address needs it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from graphcrm import audit, settings, ui
from graphcrm.errors import InputError
from graphcrm.ui.hosts import is_loopback_address
from graphcrm.users import UsersFile
from graphcrm.users import default_path as default_users_path

APP = Path(ui.__file__).resolve().parent / "app.py"
ENTRY = APP.parent / "asgi.py"
CONFIG = APP.parent / "config.toml"
OWN_OPTIONS = {"server.address", "server.port", "server.headless"}  # serve's own flags decide these


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start the dashboard")
    port = settings.value("dashboard_port")
    serve.add_argument(
        "--port", type=int, default=port, help=f"HTTP port (default {port}, GRAPHCRM_DASHBOARD_PORT)"
    )
    serve.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need --auth)"
    )
    serve.add_argument(
        "--auth",
        metavar="FILE",
        type=Path,
        nargs="?",
        const=default_users_path(),
        help="require sign-in with the users in FILE (default: users.json in the state folder)",
    )
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    argv, env = streamlit_command(args)
    print(f"Dashboard: http://{args.address}:{args.port}", flush=True)
    os.execve(sys.executable, argv, env)
    return 0


def streamlit_command(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start the dashboard; refuses an unsafe setup."""
    auth_env = settings.env("auth_file")
    env = {k: v for k, v in os.environ.items() if k != auth_env}
    if args.auth is None and not is_loopback_address(args.address):
        raise InputError(
            f"Refusing to listen on {args.address} without --auth: anyone who can reach it would see "
            "personal data and run queries with no sign-in."
        )
    if args.auth is not None:
        if not args.auth.is_file() or not UsersFile(args.auth).users():
            raise InputError(
                f"{args.auth} has no users yet; create the first with "
                f"`graphcrm users add NAME --role admin --file {args.auth}`."
            )
        env[auth_env] = str(args.auth.resolve())
        env[settings.env("audit_file")] = str(audit.default_path().resolve())
    argv = [sys.executable, "-m", "streamlit", "run", str(ENTRY), *config_flags(CONFIG)]
    argv += ["--server.address", args.address, "--server.port", str(args.port), "--server.headless", "true"]
    return argv, env


def config_flags(path: Path) -> list[str]:
    """The options of a Streamlit config file as `--section.option value` flags (except those
    serve sets from its own arguments)."""
    flags = []
    for section, options in tomllib.loads(path.read_text(encoding="utf-8")).items():
        for option, value in options.items():
            if f"{section}.{option}" not in OWN_OPTIONS:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                flags += [f"--{section}.{option}", text]
    return flags

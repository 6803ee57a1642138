"""`graphcrm serve`: start the Streamlit dashboard (`graphcrm/ui/app.py`, shipped in the package)
on 127.0.0.1.

It runs `graphcrm/ui/asgi.py`, which serves that app and, on a loopback address, refuses requests
whose Host header is not the loopback (DNS rebinding)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graphcrm import settings, ui

APP = Path(ui.__file__).resolve().parent / "app.py"
ENTRY = Path(ui.__file__).resolve().parent / "asgi.py"


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start the dashboard")
    port = settings.value("dashboard_port")
    serve.add_argument(
        "--port", type=int, default=port, help=f"HTTP port (default {port}, GRAPHCRM_DASHBOARD_PORT)"
    )
    serve.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(f"Dashboard: http://{args.address}:{args.port}", flush=True)
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ENTRY),
        "--server.address",
        args.address,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    os.execv(sys.executable, argv)
    return 0

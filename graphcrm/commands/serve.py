"""`graphcrm serve`: start the Streamlit dashboard (app.py) on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graphcrm.errors import InputError

APP = Path(__file__).resolve().parents[2] / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start the dashboard")
    serve.add_argument("--port", type=int, default=8501, help="HTTP port on 127.0.0.1 (default 8501)")
    serve.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not APP.exists():
        raise InputError(f"The dashboard app.py was not found at {APP}; run graphcrm serve from a checkout.")
    print(f"Dashboard: http://{args.address}:{args.port}", flush=True)
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
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

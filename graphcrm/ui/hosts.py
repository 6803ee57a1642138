"""Refuse requests whose Host header is not the loopback interface (DNS rebinding).

A page on `evil.example` whose DNS name is re-pointed at 127.0.0.1 can make the user's browser
talk to the local dashboard as if it were the same site; the browser then sends `Host:
evil.example`. When the dashboard listens on loopback only, every request (HTTP and the WebSocket
handshake) must name the loopback itself: `127.0.0.1`, `localhost` or `[::1]`, with any port.
Streamlit's own `server.allowedHosts` covers only the WebSocket, so this is an ASGI middleware
installed through `st.App` (see `graphcrm/ui/asgi.py`); a refused request gets 403.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES: frozenset[str] = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_address(address: str) -> bool:
    """Whether a listening address is the loopback interface only (127.0.0.0/8, ::1, localhost)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header names the loopback interface (127.0.0.1, localhost, [::1]; any port)."""
    if not host:
        return False
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        return False
    if parts.username or parts.password or parts.path or parts.query or parts.fragment:
        return False
    return (parts.hostname or "").rstrip(".") in LOOPBACK_NAMES


class LoopbackHostOnly:
    """ASGI middleware: 403 for any HTTP request or WebSocket handshake not addressed to loopback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not is_loopback_host(Headers(scope=scope).get("host")):
            await PlainTextResponse("Forbidden: this dashboard answers on 127.0.0.1 only.", 403)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)

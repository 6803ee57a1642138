"""DNS rebinding: the dashboard served on loopback (`graphcrm serve`) answers only requests that
name the loopback in their Host header; any other Host gets 403, for pages and for the
WebSocket handshake alike."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

WEBSOCKET_HEADERS = (
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


def status(url: str, path: str, host: str, *, websocket: bool = False) -> int:
    """The HTTP status of a raw GET to the dashboard with the given Host header."""
    port = urlsplit(url).port
    assert port is not None
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n" + (WEBSOCKET_HEADERS if websocket else "")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall((request + ("" if websocket else "Connection: close\r\n") + "\r\n").encode())
        line = conn.makefile("rb").readline().decode()
    return int(line.split()[1])


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/explore"])
@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", "localhost@evil.example"]
)
def test_foreign_host_is_refused(dashboard_url: str, path: str, host: str) -> None:
    port = urlsplit(dashboard_url).port
    assert status(dashboard_url, path, host.format(port=port)) == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}"])
def test_foreign_host_websocket_handshake_is_refused(dashboard_url: str, host: str) -> None:
    port = urlsplit(dashboard_url).port
    assert status(dashboard_url, "/_stcore/stream", host.format(port=port), websocket=True) == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "127.0.0.1"])
def test_loopback_host_is_served(dashboard_url: str, host: str) -> None:
    port = urlsplit(dashboard_url).port
    assert status(dashboard_url, "/", host.format(port=port)) == 200
    assert status(dashboard_url, "/_stcore/stream", host.format(port=port), websocket=True) == 101

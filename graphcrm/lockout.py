"""Backoff after failed sign-ins, per user name and shared by every session of the process.

Each failure in a row locks the name for twice as long as the one before (5 s, 10 s, 20 s, ... up
to 15 minutes); a successful sign-in clears it. Replaying the audit trail's recent sign-ins at
start-up carries the lock over a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

FIRST_LOCK_SECONDS = 5.0
LONGEST_LOCK_SECONDS = 900.0


class Lockout:
    """Consecutive failures and the time each name is locked until (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}

    def wait_seconds(self, name: str) -> float:
        """How long `name` must still wait before it may try again (0 if it may now)."""
        with self._lock:
            return max(0.0, self._until.get(name, 0.0) - self._clock())

    def failed(self, name: str, at: float | None = None) -> float:
        """Count a failure for `name`; return how long it is now locked for."""
        with self._lock:
            count = self._failures.get(name, 0) + 1
            self._failures[name] = count
            seconds = min(FIRST_LOCK_SECONDS * 2 ** (count - 1), LONGEST_LOCK_SECONDS)
            self._until[name] = (self._clock() if at is None else at) + seconds
            return seconds

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
            self._until.pop(name, None)

    def replay(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Rebuild the state from audit records (oldest first) of sign-ins and failed sign-ins."""
        for record in records:
            name = str(record.get("user", ""))
            if record.get("event") == "sign-in":
                self.succeeded(name)
            elif record.get("event") == "sign-in failed":
                self.failed(name, at=datetime.fromisoformat(record["time"]).timestamp())

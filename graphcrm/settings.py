"""Every tunable of graphcrm in one table: its environment variable, default and meaning.

The README's settings table is checked against `SETTINGS` by a test, so the two cannot drift.
Values are read from the environment when they are used (`value`), so a test or a shell can
change them without restarting Python. Connection settings are Neo4j's own (`NEO4J_URI`, ...)
and are documented with the connection, not here.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from graphcrm.errors import InputError


@dataclass(frozen=True)
class Setting:
    """One tunable: `default`'s type (int, float or str) is the type of its value; numbers must
    lie in [`minimum`, `maximum`]."""

    name: str
    env: str
    default: int | float | str
    meaning: str
    minimum: float | None = None
    maximum: float | None = None

    def read(self, environ: dict[str, str] | None = None) -> int | float | str:
        """The value from the environment, or the default; InputError names a bad one."""
        raw = (os.environ if environ is None else environ).get(self.env, "").strip()
        if not raw:
            return self.default
        if isinstance(self.default, str):
            return raw
        kind = type(self.default)
        try:
            number = kind(raw)
        except ValueError:
            raise InputError(
                f"{self.env}={raw!r} is not {'a whole number' if kind is int else 'a number'}."
            ) from None
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        if not low <= number <= high:
            raise InputError(f"{self.env}={raw} is out of range; it must be from {low:g} to {high:g}.")
        return number


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        "GRAPHCRM_HOME",
        "./.graphcrm/neo4j",
        "state folder of the managed Neo4j (store, logs, password)",
    ),
    Setting(
        "neo4j_port", "GRAPHCRM_NEO4J_PORT", 7687, "Bolt port of the managed Neo4j on first start", 1, 65535
    ),
    Setting("neo4j_heap", "GRAPHCRM_NEO4J_HEAP", "1g", "JVM heap of the managed Neo4j (Java size, e.g. 2g)"),
    Setting(
        "neo4j_pagecache_mb", "GRAPHCRM_NEO4J_PAGECACHE_MB", 512, "page cache of the managed Neo4j, MiB", 16
    ),
    Setting(
        "neo4j_tx_timeout_s",
        "GRAPHCRM_NEO4J_TX_TIMEOUT_S",
        600,
        "longest transaction of the managed Neo4j that sets no timeout of its own, s",
        1,
        86_400,
    ),
    Setting(
        "neo4j_tx_memory_mb",
        "GRAPHCRM_NEO4J_TX_MEMORY_MB",
        0,
        "most memory one transaction of the managed Neo4j may use, MiB (0: half the heap)",
        0,
    ),
    Setting("dashboard_port", "GRAPHCRM_DASHBOARD_PORT", 8501, "HTTP port of `graphcrm serve`", 1, 65535),
    Setting("cache_ttl", "GRAPHCRM_CACHE_TTL", 60, "seconds the dashboard keeps a query's result", 0, 86400),
    Setting(
        "query_timeout", "GRAPHCRM_QUERY_TIMEOUT", 5.0, "default time limit of a console query, s", 0.1, 300
    ),
    Setting(
        "query_max_rows", "GRAPHCRM_QUERY_MAX_ROWS", 1000, "default row cap of a console query", 1, 100_000
    ),
    Setting(
        "intro_max_nodes",
        "GRAPHCRM_INTRO_MAX_NODES",
        600,
        "most nodes whose ties one Warm intro search reads before it answers with the best it found",
        10,
        100_000,
    ),
    Setting("load_batch_size", "GRAPHCRM_LOAD_BATCH_SIZE", 10_000, "rows per write transaction of a load", 1),
    Setting(
        "batch_stale_seconds",
        "GRAPHCRM_BATCH_STALE_SECONDS",
        1800,
        "a batch silent this long is presumed dead",
        10,
    ),
    Setting(
        "max_issues", "GRAPHCRM_MAX_ISSUES", 100, "validation errors listed before the rest are counted", 1
    ),
    Setting(
        "auth_file",
        "GRAPHCRM_AUTH_FILE",
        "",
        "users file the dashboard signs in against (set by `graphcrm serve --auth`); empty: no sign-in",
    ),
    Setting(
        "audit_file",
        "GRAPHCRM_AUDIT_FILE",
        "",
        "the dashboard's audit trail (JSON lines); empty: `audit.jsonl` in the state folder",
    ),
    Setting(
        "spark_partitions",
        "GRAPHCRM_SPARK_PARTITIONS",
        0,
        "shuffle partitions of the Spark engine (`analyze all --engine spark`); 0: one per core of a "
        "`local[N]` master, 8 on a cluster (raise it there: 2-4 per executor core)",
        0,
        100_000,
    ),
    Setting(
        "spark_driver_memory",
        "GRAPHCRM_SPARK_DRIVER_MEMORY",
        "1g",
        "JVM heap of the Spark engine's driver (Java size, e.g. 4g)",
    ),
    Setting(
        "session_idle_minutes",
        "GRAPHCRM_SESSION_IDLE_MINUTES",
        60,
        "minutes without activity after which a signed-in dashboard session must sign in again",
        1,
        1440,
    ),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def setting(name: str) -> Setting:
    """The declaration of setting `name` (its default and bounds)."""
    return _BY_NAME[name]


def value(name: str) -> int | float | str:
    """The current value of setting `name` (environment, else default)."""
    return _BY_NAME[name].read()


def env(name: str) -> str:
    """The environment variable of setting `name` (for passing it to a child process)."""
    return _BY_NAME[name].env


def readme_table() -> str:
    """The README's settings table (Markdown)."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [
        f"| `{s.env}` | {f'`{s.default}`' if s.default != '' else 'empty'} | {s.meaning} |" for s in SETTINGS
    ]
    return "\n".join(lines)

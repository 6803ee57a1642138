"""The one place that talks to Neo4j.

One cached driver per connection settings, sessions per unit of work, managed transactions
(`execute_read`/`execute_write`, which retry transient errors), `database_` always passed, and
parameters always. Driver errors are turned into one sentence (`DatabaseError`) here, so the CLI
and the dashboard can show them as they are. The analysts' console is the exception to managed
transactions: `read_once` runs a query once, with a deadline the client keeps by itself.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, Query, Transaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    CypherSyntaxError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graphcrm import server
from graphcrm.errors import DatabaseError, DatabaseUnavailable, QueryTimedOut, QueryTooLarge

T = TypeVar("T")
# How long past its time limit the client waits for a query the server does not stop in time.
CLIENT_GRACE_S = 1.0
_TIMED_OUT = ("TransactionTimedOut", "Transaction.Terminated")
_OUT_OF_MEMORY = ("MemoryLimit", "OutOfMemory", "MemoryPool")
_MEMORY_LIMIT = re.compile(r"limit (?:of )?(\d+(?:\.\d+)?) ?([KMGT]i?B)", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """Where and how to connect, following Neo4j's own environment variables."""

    uri: str
    username: str
    password: str
    database: str = "neo4j"
    managed: bool = False
    # The managed server's state folder: graphcrm may stop and restart that server (`load --wipe`).
    home: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """`NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`; with no URI set,
        the local server that graphcrm manages (`graphcrm neo4j start`)."""
        env = dict(os.environ if env is None else env)
        database = env.get("NEO4J_DATABASE") or "neo4j"
        if env.get("NEO4J_URI"):
            return cls(
                env["NEO4J_URI"],
                env.get("NEO4J_USERNAME", "neo4j"),
                env.get("NEO4J_PASSWORD", ""),
                database,
            )
        local = server.info(server.ServerHome.resolve(env.get("GRAPHCRM_HOME")))
        return cls(local.uri, local.username, local.password, database, managed=True, home=local.home)


@cache
def _driver(uri: str, username: str, password: str) -> neo4j.Driver:
    return GraphDatabase.driver(
        uri,
        auth=(username, password),
        connection_timeout=5.0,
        max_transaction_retry_time=15.0,
        user_agent="graphcrm",
        notifications_min_severity="OFF",
    )


class Graph:
    """A connection to one Neo4j database: the only object that runs Cypher."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.driver = _driver(self.settings.uri, self.settings.username, self.settings.password)
        self._reachable = False

    def __repr__(self) -> str:
        return f"Graph({self.settings.uri}, database={self.settings.database!r})"

    def reconnect(self) -> None:
        """Drop the pooled connections after the server restarted: they belong to the old process."""
        self.driver.close()
        _driver.cache_clear()
        self.driver = _driver(self.settings.uri, self.settings.username, self.settings.password)
        self._reachable = False

    def verify(self) -> None:
        """Raise DatabaseUnavailable at once, without the managed retries, unless the server
        accepts a connection and our credentials."""
        with _translated(self):
            self.driver.verify_connectivity()
        self._reachable = True

    def _first_contact(self) -> None:
        """Verify once per Graph before its first transaction: a server that is down fails in one
        sentence at once instead of after the retries meant for transient errors."""
        if not self._reachable:
            self.verify()

    def run_read(self, work: Callable[[ManagedTransaction], T], **session_opts: Any) -> T:
        """Run `work` in a managed read transaction (retried on transient errors)."""
        self._first_contact()
        with _translated(self):
            with self.driver.session(database=self.settings.database, **session_opts) as session:
                return session.execute_read(work)

    def read_once(
        self,
        work: Callable[[Transaction], T],
        *,
        timeout: float,
        grace: float = CLIENT_GRACE_S,
        **session_opts: Any,
    ) -> T:
        """Run `work` once in an explicit read transaction with a `timeout` (seconds).

        No retry: a query that ran the server out of memory must fail once, not four times.
        The server stops a transaction at its timeout only between rows, so the call also has a
        deadline of its own, `grace` seconds later: past it the caller gets QueryTimedOut at once
        and the worker thread, left to the server, closes its session whenever the server answers.
        Raises QueryTimedOut, QueryTooLarge (the memory limit), or DatabaseError.
        """
        self._first_contact()
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                with self.driver.session(
                    database=self.settings.database, default_access_mode=neo4j.READ_ACCESS, **session_opts
                ) as session:
                    with session.begin_transaction(timeout=timeout) as tx:
                        outcome["value"] = work(tx)
            except BaseException as exc:  # handed to the caller's thread below
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="graphcrm-read-once", daemon=True)
        worker.start()
        worker.join(timeout + grace)
        if worker.is_alive() or any(part in _code(outcome.get("error")) for part in _TIMED_OUT):
            raise QueryTimedOut(
                f"The query did not finish within the {timeout:g} s time limit and was abandoned; "
                "narrow it down or allow more time (--timeout)."
            )
        if "error" in outcome:
            error = outcome["error"]
            if any(part in _code(error) for part in _OUT_OF_MEMORY):
                raise QueryTooLarge(
                    f"The query needed more memory than {_memory_limit(error)}; "
                    "narrow it down (fewer rows, smaller lists, an earlier LIMIT)."
                ) from error
            with _translated(self):
                raise error
        return outcome["value"]

    def run_write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in a managed write transaction (retried on transient errors)."""
        self._first_contact()
        with _translated(self):
            with self.driver.session(database=self.settings.database) as session:
                return session.execute_write(work)

    def read(
        self, cypher: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Records of a read query as dicts; `timeout` (seconds) bounds the transaction."""

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(cypher, params or {})]

        return self.run_read(neo4j.unit_of_work(timeout=timeout)(work) if timeout else work)

    def read_tuples(self, cypher: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Records of a read query as plain tuples in the RETURN clause's order: for the bounded
        projections, where turning each record into a dict costs more than the query."""
        return self.run_read(lambda tx: [tuple(r) for r in tx.run(cypher, params or {})])

    def write(self, cypher: str, params: dict[str, Any] | None = None) -> neo4j.SummaryCounters:
        """Run one write statement and return its counters."""
        return self.run_write(lambda tx: tx.run(cypher, params or {}).consume().counters)

    def write_batches(
        self,
        cypher: str,
        rows: Sequence[dict[str, Any]],
        *,
        batch_size: int = 10_000,
        extra: dict[str, Any] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Run `cypher` (which reads `$rows`) once per batch, each in its own managed transaction.

        Returns the number of rows sent; `progress` is called with each batch's size.
        """
        sent = 0
        for batch in _chunks(rows, batch_size):
            params = {"rows": batch, **(extra or {})}
            self.run_write(lambda tx, p=params: tx.run(cypher, p).consume())
            sent += len(batch)
            if progress:
                progress(len(batch))
        return sent

    def run_autocommit(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        """Run a statement in an auto-commit transaction (needed for `CALL {…} IN TRANSACTIONS`
        and schema commands)."""
        with _translated(self):
            with self.driver.session(database=self.settings.database) as session:
                session.run(Query(cypher), params or {}).consume()


def _code(error: BaseException | None) -> str:
    return str(getattr(error, "code", "") or "")


def _memory_limit(error: BaseException) -> str:
    """`the limit of 256 MiB per query` as a memory error names it (or the limit for all running
    queries, `db.memory.transaction.total.max`), or words for it when it names none."""
    message = str(getattr(error, "message", "") or error)
    found = _MEMORY_LIMIT.search(message)
    if not found:
        return "the server allows one query"
    scope = "for all running queries together" if "total" in message else "per query"
    return f"the limit of {float(found.group(1)):g} {found.group(2)} {scope}"


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


_REASON = re.compile(r"\(reason (?:\[Errno \d+\] )?([^)]*)\)")


class _translated:
    """Context manager: driver exceptions in, one-sentence DatabaseError out."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or not isinstance(exc, (Neo4jError, DriverError, OSError)):
            return False
        raise describe(exc, self.graph.settings, reached=self.graph._reachable) from exc


# Neo4j's codes for a transaction or the server running out of memory.
_OUT_OF_MEMORY = (
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.TransientError.General.TransactionOutOfMemoryError",
    "Neo.TransientError.General.OutOfMemoryError",
)


def describe(exc: BaseException, settings: Settings, *, reached: bool = False) -> DatabaseError:
    """One sentence for a driver error, with what to do about it where we know.

    `reached` says the server had answered before: losing it then means it stopped or crashed
    mid-way, not that it was never there.
    """
    where = settings.uri
    code = getattr(exc, "code", None) or ""
    if code in _OUT_OF_MEMORY:
        heap = "GRAPHCRM_NEO4J_HEAP or --heap" if settings.managed else "server.memory.heap.max_size"
        return DatabaseError(
            f"The Neo4j server at {where} ran out of memory ({code.rsplit('.', 1)[-1]}); "
            f"give it more memory ({heap}) or ask for less at once (for a load, a smaller --batch-size)."
        )
    if isinstance(exc, AuthError):
        return DatabaseUnavailable(
            f"Neo4j at {where} refused the credentials for user {settings.username!r}; "
            'check NEO4J_USERNAME/NEO4J_PASSWORD (or `eval "$(graphcrm neo4j env)"`).'
        )
    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)) or (
        isinstance(exc, DriverError) and not isinstance(exc, Neo4jError)
    ):
        hint = "start it with `graphcrm neo4j start`" if settings.managed else "check NEO4J_URI"
        reason = _REASON.search(str(exc))
        why = reason.group(1).strip() if reason else _first_line(exc).rstrip(":")
        if reached:
            return DatabaseUnavailable(
                f"The Neo4j server at {where} stopped in the middle of the work (it was shut down or "
                f"crashed: {why}); {hint}."
            )
        return DatabaseUnavailable(f"Cannot reach Neo4j at {where} ({why}); {hint}.")
    if isinstance(exc, CypherSyntaxError):
        return DatabaseError(f"Cypher syntax error: {_first_line(exc, field='message')}")
    if isinstance(exc, Neo4jError):
        code = exc.code or "Neo4j error"
        return DatabaseError(f"{_first_line(exc, field='message')} ({code})")
    return DatabaseError(_first_line(exc))


def _first_line(exc: BaseException, field: str = "") -> str:
    text = getattr(exc, field, None) if field else None
    text = text or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0].rstrip(".")


def native(value: Any) -> Any:
    """A driver value as a Python one: Neo4j dates and times become `datetime`/`date`."""
    convert = getattr(value, "to_native", None)
    return convert() if convert is not None else value


__all__ = [
    "ClientError",
    "DatabaseError",
    "DatabaseUnavailable",
    "Graph",
    "Settings",
    "describe",
    "native",
]

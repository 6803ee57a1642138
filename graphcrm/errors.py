"""The one exception family: every error a user can act on is a `GraphCRMError`.

`str()` of each is one sentence that says what went wrong and what to do. The edges (the command
line, the dashboard's pages) catch `GraphCRMError` and show that sentence; anything else reaching
them is a bug and keeps its traceback.
"""

from __future__ import annotations


class GraphCRMError(Exception):
    """Root of graphcrm's errors; `exit_code` is what the command line exits with."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(GraphCRMError):
    """Input a user can correct: a command-line option, a page's field, a file."""


class ValidationFailed(InputError):
    """An import directory has errors; `issues` lists the first of them (each `file:line: reason`),
    `total` counts all."""

    def __init__(self, issues: list, total: int) -> None:
        self.issues = issues
        self.total = total
        more = f"\n... and {total - len(issues)} more" if total > len(issues) else ""
        super().__init__("\n".join(str(i) for i in issues) + more)


class AnalysisInputError(InputError):
    """An analysis was asked something it cannot answer (unknown id, no path, bad parameter)."""


class UnknownNode(AnalysisInputError):
    """No node has the given id (or none of the expected kind)."""

    def __init__(
        self, node_id: str, kind: str = "customer, company, employee or partner", role: str = ""
    ) -> None:
        given = f" (the {role} id)" if role else ""
        shown = node_id if len(node_id) <= 80 else f"{node_id[:80]}... ({len(node_id):,} characters)"
        super().__init__(f"There is no {kind} with id {shown!r}{given}.")
        self.node_id = node_id


class NoPath(AnalysisInputError):
    """No chain of relationships connects two nodes."""


class AccessDenied(GraphCRMError):
    """The signed-in user's role may not do this (see graphcrm.access), or their sign-in failed."""


class QueryError(GraphCRMError):
    """A Cypher query was not run, or did not finish."""


class QueryRefused(QueryError):
    """The query is not a plain read, or asks for data the caller may not see."""


class QueryTimedOut(QueryError):
    """The query ran past its time limit and was stopped."""


class QueryTooLarge(QueryError):
    """The query needed more memory than the server allows one transaction."""


class ParameterError(QueryError, InputError):
    """A query parameter is missing, unknown, or does not parse as its declared type."""


class UnknownQuery(QueryError, InputError):
    """No canned query has this name."""


class CypherFileError(GraphCRMError):
    """A Cypher file is missing or its header is malformed (a packaging bug or a bad edit)."""


class DatabaseError(GraphCRMError):
    """A database operation failed."""


class DatabaseUnavailable(DatabaseError):
    """The server could not be reached or refused our credentials."""


class LoadInterrupted(DatabaseError):
    """The database failed part-way through a load; the message says what is left and how to finish."""


class BatchRunning(GraphCRMError):
    """Another recompute (the batch) is running; only one runs at a time."""


class EngineUnavailable(GraphCRMError):
    """An analytics engine cannot start (e.g. Spark without Java, or an unusable master)."""


class ServerError(GraphCRMError):
    """The managed local server could not be built, started or stopped."""

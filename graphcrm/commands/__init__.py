"""Sub-commands of the `graphcrm` CLI. Each module has `register(subparsers)`, which adds its
parser and sets `handler`; handlers return an exit code and raise UserError for one-sentence
failures."""

from __future__ import annotations

from types import ModuleType

from graphcrm.console import QueryError
from graphcrm.db import DatabaseError
from graphcrm.ingest.loader import LoadInterrupted
from graphcrm.ingest.validate import ValidationFailed
from graphcrm.queries import CypherFileError
from graphcrm.server import ServerError


class UserError(Exception):
    """A failure explained in one sentence (or a list of `file:line: reason` lines)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# Exceptions whose message is already written for a user; handlers let them through as UserError.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    DatabaseError,
    LoadInterrupted,
    ValidationFailed,
    CypherFileError,
    ServerError,
    QueryError,
)


def _modules() -> list[ModuleType]:
    from graphcrm.commands import analyze, data, neo4j_server, query, serve

    return [neo4j_server, data, query, analyze, serve]


COMMANDS: list[ModuleType] = _modules()

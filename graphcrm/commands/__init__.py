"""Sub-commands of the `graphcrm` CLI. Each module has `register(subparsers)`, which adds its
parser and sets `handler`; handlers return an exit code and raise a `GraphCRMError` for
one-sentence failures, which `graphcrm.cli` prints without a traceback."""

from __future__ import annotations

from types import ModuleType


def _modules() -> list[ModuleType]:
    from graphcrm.commands import analyze, audit, data, forget, neo4j_server, query, serve, users

    return [neo4j_server, data, forget, query, analyze, serve, users, audit]


COMMANDS: list[ModuleType] = _modules()

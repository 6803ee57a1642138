"""The previous graph, set aside while `load --wipe` builds the new one, and put back on failure.

`load --wipe` replaces the whole graph, so a server that fails half-way (out of memory, killed, a
full disk) must not leave it empty or half-written. For the managed local server the database's
store and transaction logs are set aside offline: the server is stopped cleanly, the folders
`data/databases/<db>` and `data/transactions/<db>` are moved (a rename, no copy) into
`restore-point/` of the state folder, and the server is started again with the options of its last
start; Neo4j creates an empty store for the database, which the load fills on its fast path (no
deletes). If the load fails, the server is stopped (or found dead), the half-written store is
deleted, the old folders are moved back and the server is started again: the graph is exactly what
it was. On success the old folders are deleted. It costs two restarts on success, one more on
failure; other clients of the server lose their connections meanwhile.

A server graphcrm does not manage (`NEO4J_URI` set) cannot be stopped from here, so `--wipe` is
refused for it (`require`) before anything is read or written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from graphcrm import server
from graphcrm.db import Graph, Settings
from graphcrm.errors import InputError, ServerError

FOLDER = "restore-point"
# The folders under the server's `data` that hold one database (store files, transaction logs).
PARTS: tuple[str, ...] = ("databases", "transactions")


def require(settings: Settings) -> server.ServerHome:
    """The managed server's state folder, or InputError: `--wipe` needs a server we can stop."""
    if settings.home is None:
        raise InputError(
            "--wipe replaces the graph only on the local server graphcrm manages (it sets the old "
            f"graph aside first, so a failed load can be undone); {settings.uri} is not one: delete "
            "the graph there yourself, then load without --wipe."
        )
    return server.ServerHome(settings.home)


class RestorePoint:
    """The database as it was before a `--wipe` load: `restore` puts it back, `discard` drops it."""

    def __init__(self, home: server.ServerHome, database: str, folder: str = FOLDER) -> None:
        self.home = home
        self.database = database
        self.folder = home.root / folder

    @classmethod
    def take(cls, graph: Graph) -> RestorePoint:
        """Stop the server cleanly, move the database aside, start it again (empty database) and
        reconnect `graph`."""
        point = cls(require(graph.settings), graph.settings.database)
        if point.folder.exists():
            raise ServerError(
                f"{point.folder} holds the graph of an earlier `load --wipe` that did not finish; "
                "move it away (or delete it if that graph is not needed) and run the load again."
            )
        if not server.stop(point.home):
            raise ServerError(
                f"The server at {graph.settings.uri} answers but is not the one running from "
                f"{point.home.root}, so its graph cannot be set aside; nothing was changed."
            )
        try:
            point.set_aside()
        finally:
            server.restart(point.home)
            graph.reconnect()
        return point

    def set_aside(self) -> None:
        """Move the database of the stopped server into `folder` (a rename per part)."""
        self._move(self._live, self._aside)

    def _live(self, part: str) -> Path:
        return self.home.dbms / "data" / part / self.database

    def _aside(self, part: str) -> Path:
        return self.folder / part

    def _move(self, source: Callable[[str], Path], target: Callable[[str], Path]) -> None:
        """Rename each part from `source(part)` to `target(part)` (paths on the same disk)."""
        self.folder.mkdir(exist_ok=True)
        for part in PARTS:
            origin, destination = source(part), target(part)
            if origin.exists():
                origin.rename(destination)

    def restore(self, graph: Graph) -> None:
        """Stop the server (if it still runs), replace the half-written database with the one set
        aside, start it and reconnect `graph`."""
        server.stop(self.home)
        try:
            for part in PARTS:
                shutil.rmtree(self._live(part), ignore_errors=True)
            self._move(self._aside, self._live)
        except OSError as err:
            raise ServerError(
                f"The previous graph could not be put back ({err}); it is kept in {self.folder}."
            ) from err
        self.discard()
        server.restart(self.home)
        graph.reconnect()

    def discard(self) -> None:
        """Delete what is set aside (the load succeeded, or it is back in place)."""
        shutil.rmtree(self.folder, ignore_errors=True)

"""The dashboard's users file: names, roles and Argon2id password hashes, never clear passwords.

The file is JSON, created with mode 0600 (it is written to a new 0600 file that then replaces the
old one, so no byte of it is ever readable by others). Its default place is the state folder
(`.graphcrm/neo4j/users.json`, or under `GRAPHCRM_HOME`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graphcrm.access import ROLES
from graphcrm.errors import InputError
from graphcrm.server import ServerHome

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("graphcrm: no such user")


def default_path() -> Path:
    """`users.json` in the state folder."""
    return ServerHome.resolve().root / "users.json"


@dataclass(frozen=True)
class User:
    name: str
    role: str


class UsersFile:
    """Read and change one users file; every change rewrites it whole, mode 0600."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return dict(data["users"])
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(f"{self.path} is not a graphcrm users file ({err}).") from err

    def _write(self, users: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"users": users}, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)

    def users(self) -> list[User]:
        """Every user, by name."""
        return [User(name, entry["role"]) for name, entry in sorted(self._read().items())]

    def add(self, name: str, role: str, password: str) -> None:
        """Create a user; refuses an existing name, a bad name or role, or a short password."""
        users = self._read()
        if name in users:
            raise InputError(f"There is already a user {name!r}; use `graphcrm users passwd` to change it.")
        users[_valid_name(name)] = {"role": _valid_role(role), "hash": _hash(password)}
        self._write(users)

    def remove(self, name: str) -> None:
        users = self._read()
        if name not in users:
            raise InputError(f"There is no user {name!r} in {self.path}.")
        del users[name]
        self._write(users)

    def set_password(self, name: str, password: str) -> None:
        users = self._read()
        if name not in users:
            raise InputError(f"There is no user {name!r} in {self.path}.")
        users[name]["hash"] = _hash(password)
        self._write(users)

    def verify(self, name: str, password: str) -> User | None:
        """The user if `password` is theirs, else None (same cost whether or not the name exists)."""
        entry = self._read().get(name)
        try:
            _hasher.verify(entry["hash"] if entry else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return User(name, entry["role"]) if entry else None


def _valid_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InputError(
            f"{name!r} is not a user name: use 1-64 letters, digits, dots, dashes, underscores or @."
        )
    return name


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"{role!r} is not a role: use one of {', '.join(ROLES)}.")
    return role


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    return _hasher.hash(password)

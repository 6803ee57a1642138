"""Who may do what on a shared dashboard: the one place that decides it.

Roles are ordered: a viewer sees every page with personal data masked and runs canned queries only;
an analyst may also run their own queries and reveal personal data; an admin may also recompute the
scores and erase a person's data (`graphcrm forget`), and manages users from the command line.
Without sign-in (`role=None`: the dashboard on a laptop, on loopback) everything is allowed, as
before roles existed.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
"""From least to most allowed; each role may do everything the ones before it may."""

ACTIONS: dict[str, tuple[str, str]] = {
    "view": ("viewer", "Viewing the dashboard"),
    "canned_query": ("viewer", "Running a canned query"),
    "export": ("viewer", "Downloading a table"),
    "own_query": ("analyst", "Running your own Cypher query"),
    "reveal_personal": ("analyst", "Showing personal data"),
    "recompute": ("admin", "Recomputing the scores"),
    "erase": ("admin", "Erasing a person's data"),
}
"""Each action: the least role that may do it, and how to name it in a sentence."""


def may(role: str | None, action: str) -> bool:
    """Whether `role` may do `action`; `None` (no sign-in configured) may do everything.

    >>> may("viewer", "reveal_personal"), may("analyst", "reveal_personal"), may(None, "recompute")
    (False, True, True)
    """
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    if role is None:
        return True
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed_role(action))


def needed_role(action: str) -> str:
    """The least role that may do `action`."""
    return ACTIONS[action][0]


def denial(action: str, role: str) -> str:
    """The one sentence a user sees when `role` may not do `action`.

    >>> denial("recompute", "analyst")
    'Recomputing the scores needs the admin role; you are signed in as an analyst.'
    """
    article = "an" if role[0] in "aeiou" else "a"
    return (
        f"{ACTIONS[action][1]} needs the {needed_role(action)} role; you are signed in as {article} {role}."
    )

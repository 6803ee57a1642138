"""Sign-in, roles and the audit trail on the dashboard's side.

`gate()` runs first on every page (from app.py): when `GRAPHCRM_AUTH_FILE` names a users file
(`graphcrm serve --auth FILE` sets it), a session that is not signed in, or has been idle too long,
gets only the sign-in form and no page runs. The role decision itself is `graphcrm.access.may`;
this module asks it for the signed-in user. Without a users file nothing is asked and nothing is
recorded: the dashboard on a laptop behaves as before.

This is a small form of our own over the hashed users file: the maintained Streamlit
authentication library (streamlit-authenticator) keeps its own YAML user store and cookie, and
has no lockout shared across sessions; `st.login` needs an OIDC provider, which offline use lacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import streamlit as st

from graphcrm import access, audit, settings
from graphcrm.lockout import LONGEST_LOCK_SECONDS, Lockout
from graphcrm.users import UsersFile

_SESSION = "_graphcrm_signed_in"  # no widget has this key, so no browser can set it


def users_file() -> Path | None:
    """The users file sign-in checks against, or None when sign-in is off."""
    chosen = str(settings.value("auth_file"))
    return Path(chosen) if chosen else None


@st.cache_resource(show_spinner=False)
def _lockout(audit_path: Path) -> Lockout:
    """One lockout per process, shared by every session, seeded from recent audit records."""
    lockout = Lockout()
    since = datetime.now(UTC) - timedelta(seconds=LONGEST_LOCK_SECONDS)
    lockout.replay(r for r in audit.read(audit_path, since=since) if "sign-in" in str(r.get("event")))
    return lockout


def signed_in() -> dict[str, Any] | None:
    """The session's user (`name`, `role`, `seen`), or None; a session idle too long is ended here."""
    user = st.session_state.get(_SESSION)
    idle = timedelta(minutes=int(settings.value("session_idle_minutes"))).total_seconds()
    if user and time.time() - user["seen"] > idle:
        audit.append(audit.default_path(), user["name"], "session expired")
        del st.session_state[_SESSION]
        st.session_state["_graphcrm_expired"] = True
        return None
    return user


def signed_out() -> bool:
    """Whether sign-in is on and this session is not signed in."""
    return users_file() is not None and signed_in() is None


def role() -> str | None:
    """The signed-in user's role; None when sign-in is off (everything allowed)."""
    if users_file() is None:
        return None
    user = signed_in()
    return user["role"] if user else "none"


def allowed(action: str) -> bool:
    """Whether this session may do `action` (no message; see `permitted`)."""
    return access.may(role(), action)


def permitted(action: str) -> bool:
    """Like `allowed`, but a refusal is shown as one sentence and recorded in the audit trail."""
    if allowed(action):
        return True
    st.error(access.denial(action, role() or "none"))
    record("denied", action=action)
    return False


def record(event: str, **details: Any) -> None:
    """Add an audit record for the signed-in user (nothing when sign-in is off)."""
    user = st.session_state.get(_SESSION)
    if users_file() is not None and user:
        audit.append(audit.default_path(), user["name"], event, **details)


def recorder(event: str, *, when: str | None = None, **details: Any) -> Callable[[], None]:
    """A widget callback that records `event` (if given, only while session key `when` is true)."""

    def callback() -> None:
        if when is None or st.session_state.get(when):
            record(event, **details)

    return callback


def gate() -> None:
    """Stop the page unless sign-in is off or the session is signed in and not idle too long."""
    path = users_file()
    if path is None:
        return
    user = signed_in()
    if user:
        user["seen"] = time.time()
        with st.sidebar:
            st.caption(f"Signed in as **{user['name']}** ({user['role']}).")
            if st.button("Sign out"):
                record("sign-out")
                st.session_state.clear()
                st.rerun()
        return
    _sign_in_form(path)
    st.stop()


def _sign_in_form(path: Path) -> None:
    st.title("graphcrm")
    if st.session_state.get("_graphcrm_expired"):
        st.info("Your session expired; please sign in again.")
    with st.form("sign-in"):
        name = st.text_input("User name", key="sign-in-name")
        password = st.text_input("Password", type="password", key="sign-in-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        _sign_in(path, name.strip(), password)


def _sign_in(path: Path, name: str, password: str) -> None:
    trail = audit.default_path()
    lockout = _lockout(trail)
    wait = lockout.wait_seconds(name)
    if wait > 0:
        audit.append(trail, name, "sign-in refused", reason="locked after failed sign-ins")
        st.error(f"Too many failed sign-ins for {name!r}: try again in {wait:.0f} s.")
        return
    user = UsersFile(path).verify(name, password)
    if user is None:
        seconds = lockout.failed(name)
        audit.append(trail, name, "sign-in failed")
        st.error(f"Wrong user name or password; the next try for this name waits {seconds:.0f} s.")
        return
    lockout.succeeded(name)
    st.session_state.pop("_graphcrm_expired", None)
    st.session_state[_SESSION] = {"name": user.name, "role": user.role, "seen": time.time()}
    audit.append(trail, user.name, "sign-in", role=user.role)
    st.rerun()

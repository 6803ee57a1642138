"""Sign-in, roles and the audit trail (issue 13), under AppTest and through the command line.

Expected rights come from the issue's table (viewer: every page, masked, canned queries; analyst:
own queries and personal data; admin: Recompute), written out here, not read from graphcrm.access.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graphcrm import access, audit
from graphcrm.commands import serve
from graphcrm.db import Graph
from graphcrm.lockout import Lockout
from graphcrm.users import UsersFile

from .conftest import ROOT
from .test_app import CUSTOMERS, PAGES, texts

PASSWORDS = {"vera": "viewer-pass-1", "anna": "analyst-pass-1", "adam": "admin-pass-1"}
ROLE_OF = {"vera": "viewer", "anna": "analyst", "adam": "admin"}
RIGHTS = {  # action -> roles allowed, from the issue
    "view": {"viewer", "analyst", "admin"},
    "canned_query": {"viewer", "analyst", "admin"},
    "export": {"viewer", "analyst", "admin"},
    "own_query": {"analyst", "admin"},
    "reveal_personal": {"analyst", "admin"},
    "recompute": {"admin"},
}


@pytest.mark.parametrize("action", sorted(RIGHTS))
def test_each_role_may_exactly_what_the_issue_says(action: str) -> None:
    assert {r for r in ("viewer", "analyst", "admin") if access.may(r, action)} == RIGHTS[action]
    assert access.may(None, action), "without sign-in everything stays allowed"
    assert not access.may("guest", action)


def test_lockout_doubles_per_failure_and_clears_on_success() -> None:
    now = [1000.0]
    lockout = Lockout(clock=lambda: now[0])
    assert lockout.wait_seconds("ada") == 0
    assert [lockout.failed("ada") for _ in range(3)] == [5, 10, 20]
    assert lockout.wait_seconds("ada") == 20 and lockout.wait_seconds("bob") == 0
    now[0] += 21
    assert lockout.wait_seconds("ada") == 0
    assert lockout.failed("ada") == 40, "failures in a row keep counting until a success"
    lockout.succeeded("ada")
    assert lockout.wait_seconds("ada") == 0 and lockout.failed("ada") == 5


def test_lockout_survives_a_restart_through_the_audit_trail(tmp_path: Path) -> None:
    trail = tmp_path / "audit.jsonl"
    for _ in range(2):
        audit.append(trail, "ada", "sign-in failed")
    restarted = Lockout()
    restarted.replay(audit.read(trail))
    assert 5 < restarted.wait_seconds("ada") <= 10


# --- the command line -------------------------------------------------------------------------


def graphcrm(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["graphcrm", *args], input=stdin, capture_output=True, text=True, timeout=60, env=env
    )


def test_users_cli_stores_hashes_in_a_private_file(tmp_path: Path) -> None:
    users = tmp_path / "state" / "users.json"
    done = subprocess.run(
        ["graphcrm", "users", "add", "ada", "--role", "admin", "--file", str(users)],
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),  # even a permissive umask must not widen the mode
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    content = users.read_text()
    assert "correct horse battery" not in content and "$argon2id$" in content
    assert (
        graphcrm(
            "users", "add", "bob", "--role", "viewer", "--file", str(users), stdin="bob-secret\n"
        ).returncode
        == 0
    )
    assert graphcrm("users", "list", "--file", str(users)).stdout.splitlines() == [
        "ada\tadmin",
        "bob\tviewer",
    ]
    assert UsersFile(users).verify("ada", "correct horse battery") is not None
    assert UsersFile(users).verify("ada", "wrong") is None

    assert graphcrm("users", "passwd", "bob", "--file", str(users), stdin="bob-new-secret\n").returncode == 0
    assert UsersFile(users).verify("bob", "bob-secret") is None
    assert UsersFile(users).verify("bob", "bob-new-secret").role == "viewer"
    assert graphcrm("users", "remove", "bob", "--file", str(users)).returncode == 0
    assert graphcrm("users", "list", "--file", str(users)).stdout.splitlines() == ["ada\tadmin"]
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "ada", "--role", "viewer"], "long-enough\n", "There is already a user 'ada'"),
        (["add", "eve", "--role", "viewer"], "short\n", "too short"),
        (["add", "../eve", "--role", "viewer"], "long-enough\n", "is not a user name"),
        (["remove", "nobody"], "", "There is no user 'nobody'"),
    ],
)
def test_users_cli_refuses_bad_input_in_one_sentence(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    users = tmp_path / "users.json"
    UsersFile(users).add("ada", "admin", "ada-password")
    done = graphcrm("users", *args, "--file", str(users), stdin=stdin)
    assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr


def test_audit_cli_filters_by_user_and_date(tmp_path: Path) -> None:
    trail = tmp_path / "audit.jsonl"
    old = {"time": "2026-01-02T10:00:00.000+00:00", "user": "ada", "event": "sign-in"}
    trail.write_text(json.dumps(old) + "\n")
    audit.append(trail, "ada", "query", text="=cmd|' /C calc'!A0", params={"limit": 3})
    audit.append(trail, "bob", "export", file="graphcrm-influencers.csv")
    found = graphcrm(
        "audit", "--file", str(trail), "--user", "ada", "--since", "2026-06-01", "--format", "json"
    )
    records = [json.loads(line) for line in found.stdout.splitlines()]
    assert [(r["user"], r["event"], r["params"]) for r in records] == [("ada", "query", {"limit": 3})]
    table = graphcrm("audit", "--file", str(trail), "--format", "csv").stdout.splitlines()
    assert table[0] == "time,user,event,details" and len(table) == 4
    assert all(not cell.startswith("=") for line in table for cell in line.split(","))
    assert graphcrm("audit", "--file", str(trail), "--since", "yesterday").returncode != 0


def test_audit_file_is_private_and_appended(tmp_path: Path) -> None:
    trail = tmp_path / "audit.jsonl"
    audit.append(trail, "ada", "sign-in")
    audit.append(trail, "ada", "sign-out")
    assert stat.S_IMODE(trail.stat().st_mode) == 0o600
    assert [json.loads(line)["event"] for line in trail.read_text().splitlines()] == ["sign-in", "sign-out"]


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_serve_refuses_a_non_loopback_address_without_auth(address: str) -> None:
    done = graphcrm("serve", "--address", address, "--port", "1")
    assert done.returncode != 0 and "Dashboard:" not in done.stdout
    assert done.stderr.count("\n") == 1 and "without --auth" in done.stderr


def test_serve_passes_the_shipped_streamlit_settings_from_any_folder() -> None:
    argv, _ = serve.streamlit_command(argparse.Namespace(address="127.0.0.1", port=8599, auth=None))
    flags = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i].startswith("--")}
    assert flags["--browser.gatherUsageStats"] == "false" and flags["--client.toolbarMode"] == "viewer"
    assert flags["--server.enableXsrfProtection"] == "true" and flags["--server.enableAgentApi"] == "false"
    assert int(flags["--server.maxUploadSize"]) <= 10
    assert flags["--server.fileWatcherType"] == "none" and flags["--runner.postScriptGC"] == "false", (
        "a served page run neither rescans the loaded modules nor collects all garbage"
    )
    assert argv.count("--server.address") == 1 and flags["--server.address"] == "127.0.0.1"
    assert (ROOT / ".streamlit" / "config.toml").resolve() == serve.CONFIG, (
        "streamlit run app.py reads the same"
    )


def test_serve_refuses_an_empty_users_file(tmp_path: Path) -> None:
    done = graphcrm("serve", "--auth", str(tmp_path / "none.json"), "--port", "1")
    assert done.returncode != 0 and "graphcrm users add NAME --role admin" in done.stderr
    default = graphcrm("serve", "--auth", "--port", "1", env={**os.environ, "GRAPHCRM_HOME": str(tmp_path)})
    assert default.returncode != 0 and f"{tmp_path / 'users.json'} has no users yet" in default.stderr


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture()
def signin_env(app_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Sign-in on, with the three users; yields the audit file."""
    users = tmp_path / "users.json"
    for name, password in PASSWORDS.items():
        UsersFile(users).add(name, ROLE_OF[name], password)
    trail = tmp_path / "audit.jsonl"
    monkeypatch.setenv("GRAPHCRM_AUTH_FILE", str(users))
    monkeypatch.setenv("GRAPHCRM_AUDIT_FILE", str(trail))
    st.cache_resource.clear()  # a fresh lockout
    yield trail
    st.cache_resource.clear()


def events(trail: Path) -> list[tuple[str, str]]:
    return [(r["user"], r["event"]) for r in audit.read(trail)]


def button(app: AppTest, label: str):  # noqa: ANN201 (AppTest's Button)
    return next(b for b in app.button if b.label == label)


def sign_in(name: str, password: str | None = None, page: str = "overview") -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.run()
    app.text_input(key="sign-in-name").input(name)
    app.text_input(key="sign-in-password").input(PASSWORDS.get(name, "") if password is None else password)
    app.button[0].click().run()
    if page != "overview":
        app.switch_page(PAGES[page])
        app.run()
    assert not app.exception, app.exception
    return app


def test_signed_out_sees_only_the_sign_in_form(sample_graph: Graph, signin_env: Path) -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.run()
    assert texts(app.title) == ["graphcrm"] and len(app.dataframe) == 0 and len(app.metric) == 0
    assert [t.label for t in app.text_input] == ["User name", "Password"]
    assert len(app.toggle) == 0 and events(signin_env) == []


def test_a_wrong_password_is_refused_and_slows_the_next_try(sample_graph: Graph, signin_env: Path) -> None:
    app = sign_in("anna", "not-her-password")
    assert "Wrong user name or password" in app.error[0].value and len(app.metric) == 0
    app.text_input(key="sign-in-password").input(PASSWORDS["anna"])
    app.button[0].click().run()
    assert "Too many failed sign-ins for 'anna'" in app.error[0].value and len(app.metric) == 0
    assert events(signin_env) == [("anna", "sign-in failed"), ("anna", "sign-in refused")]
    other = sign_in("vera")
    assert len(other.metric) > 0, "the lock is per user name: others still sign in"


def test_viewer_sees_pages_masked_and_only_canned_queries(sample_graph: Graph, signin_env: Path) -> None:
    app = sign_in("vera")
    assert len(app.metric) > 0 and "Signed in as **vera** (viewer)." in texts(app.caption)
    assert len(app.toggle) == 0, "no personal-data switch for a viewer"
    customer = next(c for c in CUSTOMERS if c["email"])
    app.session_state["show_personal"] = True  # forged: the server must still mask
    app.switch_page(PAGES["explore"])
    app.query_params["node"] = customer["id"]
    app.run()
    assert customer["email"] not in app.dataframe[0].value.to_string()

    app.switch_page(PAGES["cypher"])
    app.run()
    app.radio(key="cypher-mode").set_value("Your own query").run()
    assert texts(app.error) == [access.denial("own_query", "viewer")]
    assert "needs the analyst role" in app.error[0].value and len(app.text_area) == 0
    app.radio(key="cypher-mode").set_value("Canned query").run()
    app.selectbox(key="cypher-query").set_value("lifecycle_funnel")
    button(app, "Run").click().run()
    assert len(app.dataframe) == 1 and texts(app.error) == []
    trail = [r for r in audit.read(signin_env) if r["user"] == "vera"]
    assert [r["event"] for r in trail] == ["sign-in", "denied", "query"]
    assert trail[1]["action"] == "own_query" and "query" in trail[2]


def test_analyst_runs_own_queries_and_reveals_personal_data_but_not_recompute(
    sample_graph: Graph, signin_env: Path
) -> None:
    app = sign_in("anna", page="cypher")
    app.radio(key="cypher-mode").set_value("Your own query").run()
    app.text_area(key="cypher-text").input("MATCH (c:Customer {stage: $stage}) RETURN count(c) AS n")
    app.text_area(key="cypher-params").input("stage=dissolution")
    button(app, "Run").click().run()
    expected = sum(1 for c in CUSTOMERS if c["stage"] == "dissolution")
    assert int(app.dataframe[0].value["n"].iloc[0]) == expected
    app.toggle(key="show_personal").set_value(True).run()
    app.switch_page(PAGES["overview"])
    app.run()
    button(app, "Recompute scores").click().run()
    assert access.denial("recompute", "analyst") in texts(app.error)
    trail = [r for r in audit.read(signin_env) if r["user"] == "anna"]
    assert [r["event"] for r in trail] == ["sign-in", "query", "revealed personal data", "denied"]
    assert trail[1]["params"] == {"stage": "dissolution"} and "$stage" in trail[1]["text"]
    assert trail[3]["action"] == "recompute"
    assert not any(c["email"] and c["email"] in signin_env.read_text() for c in CUSTOMERS)


def test_admin_recomputes_and_it_is_recorded(writable_sample_graph: Graph, signin_env: Path) -> None:
    writable_sample_graph.write("MATCH (r:AnalyticsRun) DETACH DELETE r")
    app = sign_in("adam")
    button(app, "Recompute scores").click().run()
    assert texts(app.error) == []
    runs = writable_sample_graph.read("MATCH (r:AnalyticsRun) RETURN count(r) AS n")
    assert runs[0]["n"] > 0, "the recompute ran (test_app checks which runs it records)"
    assert events(signin_env) == [("adam", "sign-in"), ("adam", "recompute")]


def test_an_idle_session_expires_and_sign_out_ends_it(
    sample_graph: Graph, signin_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = sign_in("vera")
    app.session_state["_graphcrm_signed_in"] = {**app.session_state["_graphcrm_signed_in"], "seen": 0.0}
    app.run()
    assert "Your session expired; please sign in again." in texts(app.info) and len(app.metric) == 0
    app.text_input(key="sign-in-name").input("vera")
    app.text_input(key="sign-in-password").input(PASSWORDS["vera"])
    app.button[0].click().run()
    assert len(app.metric) > 0
    button(app, "Sign out").click().run()
    assert len(app.metric) == 0 and [t.label for t in app.text_input] == ["User name", "Password"]
    assert [e for _, e in events(signin_env)] == ["sign-in", "session expired", "sign-in", "sign-out"]

"""What every page shares: the cached connection, cached reads, error messages and settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FunctionType
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from graphcrm import results, settings
from graphcrm.analytics.run import StoredResult
from graphcrm.db import Graph, Settings
from graphcrm.errors import DatabaseUnavailable, GraphCRMError
from graphcrm.explore import mask_personal, mask_table
from graphcrm.export import frame_csv
from graphcrm.ui import auth

T = TypeVar("T")
# CommonMark lets any ASCII punctuation be escaped with a backslash, and then shows it literally;
# Streamlit's extras (`:red[..]`, `$math$`, `:emoji:`) all start with punctuation too.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub-flavoured autolinking turns bare URLs and e-mail addresses in *text* into links after the
# escapes are gone; an invisible word joiner inside `://`, after `www` and after `@` stops it.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
READ_TTL_SECONDS = int(settings.value("cache_ttl"))
ROWS_SHOWN = 500


@st.cache_resource(show_spinner=False)
def _graph(settings: Settings) -> Graph:
    return Graph(settings)


def graph() -> Graph:
    """The Neo4j connection for the current settings (one driver per process)."""
    return _graph(Settings.from_env())


def cached_read(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(graph, *args, **kwargs)` cached for READ_TTL_SECONDS per server and arguments, and
    read afresh once the graph's data has changed (a load, a sync, an erasure: an erased person
    must not go on being shown from the cache)."""
    current = graph()
    return _cached_read(current.settings, results.graph_changed_at(current), fn, *args, **kwargs)


@st.cache_data(
    ttl=READ_TTL_SECONDS,
    show_spinner=False,
    hash_funcs={
        FunctionType: lambda f: f"{f.__module__}.{f.__qualname__}",
        Settings: lambda s: f"{s.uri}|{s.database}|{s.username}",
    },
)
def _cached_read(
    settings: Settings, changed_at: datetime | None, fn: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """The cached call; `changed_at` is only part of the cache key."""
    return fn(_graph(settings), *args, **kwargs)


@contextmanager
def database_errors() -> Iterator[None]:
    """Show a graphcrm error as its one sentence (an unreachable database with how to start it) and
    stop the page; anything else is a bug and keeps its traceback."""
    try:
        yield
    except DatabaseUnavailable as err:
        st.error(f"The graph database is not reachable. {literal(err)}")
        st.info("Start the local server with `graphcrm neo4j start` (or `make demo`), then reload this page.")
        st.stop()
    except GraphCRMError as err:
        st.error(literal(err))
        st.stop()


def show_personal_data() -> bool:
    """Whether the user turned on showing email and phone (off by default) and their role allows it."""
    return bool(st.session_state.get("show_personal", False)) and auth.allowed("reveal_personal")


def masked(props: dict[str, Any]) -> dict[str, Any]:
    """Node properties with personal data masked unless the user turned it on."""
    return mask_personal(props, show=show_personal_data())


def show_stored(stored: StoredResult | None, analysis: str) -> None:
    """A stored run's tables under its "as of" line (a warning when the graph changed since), or
    how to compute them when the batch has not stored this analysis yet."""
    if stored is None:
        st.info(
            f"No stored {analysis} results yet: use Recompute on the Overview page "
            "(or run `graphcrm analyze all --write`)."
        )
        st.stop()
    if stored.run.stale:
        st.warning(stored.run.as_of())
    else:
        st.caption(stored.run.as_of())
    show_tables(stored.tables, capped=ROWS_SHOWN)


def literal(value: object) -> str:
    """`value` as text that Markdown (st.markdown, st.subheader, st.error, labels ...) shows as
    written: no links, images, emphasis, colours or maths from data or from a URL. Line breaks
    become spaces; bare URLs and addresses carry an invisible word joiner so they stay text."""
    text = _AUTOLINK.sub(WORD_JOINER, str(value).replace("\n", " "))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def data_table(frame: pd.DataFrame) -> None:
    """A table, with personal data masked unless the user turned it on."""
    st.dataframe(mask_table(frame, show=show_personal_data()), hide_index=True)


def download_csv(label: str, frame: pd.DataFrame, file_name: str) -> None:
    """A CSV download of `frame`: personal data masked unless turned on, formulas neutralised."""
    csv_text = frame_csv(mask_table(frame, show=show_personal_data()))
    download_button(label, csv_text, file_name, "text/csv")


def download_button(label: str, data: str | bytes, file_name: str, mime: str) -> None:
    """`st.download_button` whose click is recorded in the audit trail (what was exported, by whom)."""
    on_click = auth.recorder("export", file=file_name, personal=show_personal_data())
    st.download_button(label, data, file_name, mime, on_click=on_click)


def show_tables(tables: dict[str, pd.DataFrame], capped: int | None = None) -> None:
    """Each table under its own heading, with a CSV download; "None." for an empty one."""
    for name, frame in tables.items():
        st.subheader(literal(name.replace("_", " ").capitalize()))
        if frame.empty:
            st.caption("None.")
            continue
        if capped is not None and len(frame) >= capped:
            st.caption(f"The first {capped:,} rows; `graphcrm analyze` with --out has them all.")
        data_table(frame)
        download_csv(f"Download {literal(name)} (CSV)", frame, f"graphcrm-{name}.csv")

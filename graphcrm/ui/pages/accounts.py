"""Accounts: manager loads, unmanaged and double-managed accounts, stale relationships, accounts
in or heading to dissolution, and influential people no one looks after."""

import streamlit as st

from graphcrm.analytics.registry import ANALYSES
from graphcrm.analytics.run import run_analysis
from graphcrm.ui.common import cached_read, database_errors, literal, show_tables

st.title("Accounts")
STALE = ANALYSES["coverage"].param("stale_days")
linked = st.query_params.get("stale_days", str(STALE.default))
if not (linked.isdigit() and 14 <= int(linked) <= 365):
    st.warning(
        f"Ignored stale_days {literal(repr(linked))} from the link: it must be a whole number from 14 to 365."
    )
    linked = str(STALE.default)
stale_days = st.sidebar.slider("Stale after (days without touch)", 14, 365, int(linked), help=STALE.doc)
st.query_params["stale_days"] = str(stale_days)
with database_errors(), st.spinner("Analysing account coverage…"):
    report = cached_read(run_analysis, "coverage", stale_days=stale_days)
show_tables(report.tables)

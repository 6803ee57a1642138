"""Accounts: manager loads, unmanaged and double-managed accounts, stale relationships, accounts
in or heading to dissolution, and influential people no one looks after; read from the batch's
stored coverage run (the stale threshold narrows it, nothing is recomputed)."""

import streamlit as st

from graphcrm.analytics.registry import ANALYSES
from graphcrm.analytics.run import stored_result
from graphcrm.ui.common import ROWS_SHOWN, cached_read, database_errors, literal, show_stored

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
with database_errors():
    report = cached_read(stored_result, "coverage", stale_days=stale_days, limit=ROWS_SHOWN)
show_stored(report, "coverage")

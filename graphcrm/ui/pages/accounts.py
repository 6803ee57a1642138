"""Accounts: manager loads, unmanaged and double-managed accounts, stale relationships, accounts
in or heading to dissolution, and influential people no one looks after."""

import streamlit as st

from graphcrm.analytics.run import run_analysis
from graphcrm.ui.common import cached_read, database_errors

st.title("Accounts")
stale_days = st.sidebar.slider("Stale after (days without a touch point)", 14, 365, 90, 7)
with database_errors(), st.spinner("Analysing account coverage…"):
    report = cached_read(run_analysis, "coverage", stale_days=stale_days)
for name, table in report.tables.items():
    st.subheader(name.replace("_", " ").capitalize())
    if table.empty:
        st.caption("None.")
    else:
        st.dataframe(table, hide_index=True)
        st.download_button(
            f"Download {name} (CSV)", table.to_csv(index=False), f"graphcrm-{name}.csv", "text/csv"
        )

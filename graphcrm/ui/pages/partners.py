"""Partnerships: each partner's reach, sourced referrals and their value, overlap between
partners, and suggested partner -> company links with the reason."""

import streamlit as st

from graphcrm.analytics.run import run_analysis
from graphcrm.ui.common import cached_read, database_errors

st.title("Partnerships")
with database_errors(), st.spinner("Analysing partnerships…"):
    report = cached_read(run_analysis, "partners")
for name, table in report.tables.items():
    st.subheader(name.replace("_", " ").capitalize())
    if table.empty:
        st.caption("None.")
    else:
        st.dataframe(table, hide_index=True)
        st.download_button(
            f"Download {name} (CSV)", table.to_csv(index=False), f"graphcrm-{name}.csv", "text/csv"
        )

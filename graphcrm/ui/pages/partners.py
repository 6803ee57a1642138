"""Partnerships: each partner's reach, sourced referrals and their value, overlap between
partners, and suggested partner -> company links with the reason."""

import streamlit as st

from graphcrm.analytics.run import run_analysis
from graphcrm.ui.common import cached_read, database_errors, show_tables

st.title("Partnerships")
with database_errors(), st.spinner("Analysing partnerships…"):
    report = cached_read(run_analysis, "partners")
show_tables(report.tables)

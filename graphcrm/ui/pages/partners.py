"""Partnerships: each partner's reach, sourced referrals and their value, overlap between
partners, and suggested partner -> company links with the reason; read from the batch's stored
partners run."""

import streamlit as st

from graphcrm.analytics.run import stored_result
from graphcrm.ui.common import ROWS_SHOWN, cached_read, database_errors, show_stored

st.title("Partnerships")
with database_errors():
    report = cached_read(stored_result, "partners", limit=ROWS_SHOWN)
show_stored(report, "partners")

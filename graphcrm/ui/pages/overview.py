"""Overview: what the graph holds, and a first look at its most active referrer's network."""

import pandas as pd
import streamlit as st

from graphcrm import explore
from graphcrm.ui.common import cached_read, database_errors
from graphcrm.ui.components import network_view

st.title("Overview")
with database_errors():
    counts = cached_read(explore.graph_counts)
    referrers = cached_read(explore.top_referrers, limit=5)

columns = st.columns(len(counts["nodes"]))
for column, (label, count) in zip(columns, counts["nodes"].items(), strict=True):
    column.metric(f"{label} nodes", f"{count:,}")
st.dataframe(
    pd.DataFrame(counts["relationships"].items(), columns=["relationship type", "count"]),
    hide_index=True,
)

if not referrers:
    st.info("The graph is empty: load a data directory with `graphcrm load DIR`.")
    st.stop()
top = referrers[0]
st.subheader(f"Referral network of {top['name']} ({top['referrals']} referrals)")
with database_errors():
    view = cached_read(explore.neighbourhood, top["id"], depth=2, max_nodes=80, per_node=15)
for note in view.left_out:
    st.caption(note)
network_view(view, selected=top["id"], height=520, key="overview-network")

"""Influencers: who moves the network, with each component score and why; filter by partner,
community and stage; pick one to see their referral cascade."""

import pandas as pd
import streamlit as st

from graphcrm import around, explore, model, scores, summaries
from graphcrm.ui.common import cached_read, data_table, database_errors, download_csv, literal
from graphcrm.ui.components import network_view

st.title("Influencers")
params = st.query_params
with database_errors():
    partners = cached_read(summaries.nodes_of_label, model.PARTNER)
partner_names = {pid: name for pid, name in partners}

with st.sidebar:
    st.subheader("Filter")
    wanted_partner = params.get("partner")
    if wanted_partner and wanted_partner not in partner_names:
        st.warning(f"There is no partner {literal(repr(wanted_partner))}; showing everyone.")
        wanted_partner = None
    options = [None, *partner_names]
    partner = st.selectbox(
        "Within a partner's reach",
        options,
        index=options.index(wanted_partner),
        format_func=lambda p: "everyone" if p is None else f"{partner_names[p]} ({p})",
    )
    stages = st.multiselect("Stage", model.STAGES, [s for s in params.get_all("stage") if s in model.STAGES])
    community_text = st.text_input("Community number", params.get("community", ""))
    limit = st.slider("Rows", 10, 200, 50, 10)

community = None
if community_text.strip():
    if community_text.strip().isdigit():
        community = int(community_text)
    else:
        st.warning(f"{literal(repr(community_text))} is not a community number; showing all communities.")
params.from_dict(
    {
        **({"partner": partner} if partner else {}),
        **({"stage": stages} if stages else {}),
        **({"community": str(community)} if community is not None else {}),
    }
)

with database_errors(), st.spinner("Reading influence scores…"):
    table = cached_read(
        summaries.influencer_table, limit=limit, stages=stages, community=community, partner=partner
    )
    source = "stored scores" + (f", within {partner_names[partner]}'s reach" if partner else "")
    runs = {r["analysis"]: r for r in cached_read(scores.latest_runs)}

if table.empty:
    st.info(
        "No influencers to show. If scores were never computed, run `graphcrm analyze all --write` "
        "or use Recompute on the Overview page."
    )
    st.stop()
run = runs.get("influencers")
as_of = f" (as of {run['computed_at']:%Y-%m-%d %H:%M} UTC)." if run else "."
st.caption(literal(f"{len(table)} people, from {source}{as_of}"))
shown = [c for c in summaries.INFLUENCER_COLUMNS if c in table.columns]
data_table(table[shown])
download_csv("Download CSV", table[shown], "graphcrm-influencers.csv")

choices = list(table["id"])
names = dict(zip(table["id"], table["name"], strict=True))
picked = st.selectbox("Referral cascade of", choices, format_func=lambda i: f"{names[i]} ({i})")
with database_errors():
    tree = cached_read(around.cascade, picked)
if tree.empty:
    st.info(literal(f"{names[picked]} has not referred anyone."))
    st.stop()
st.caption(
    f"{len(tree)} people in the cascade, {int(tree['converted'].sum())} converted, "
    f"{tree['depth'].max()} levels deep, worth {tree.loc[tree['converted'], 'value'].sum():,.0f}."
)
view = explore.subgraph_from_elements(
    [(picked, str(table.loc[table["id"] == picked, "label"].iloc[0]), picked, {"name": names[picked]})]
    + [
        (row.id, row.label, row.id, {"name": row.name, "converted": row.converted})
        for row in tree.itertuples()
    ],
    [(row.referrer, row.id, model.REFERRED, {"converted": row.converted}) for row in tree.itertuples()],
)
left, right = st.columns([3, 2])
with left:
    network_view(view, selected=picked, height=520, key=f"cascade-{picked}")
with right:
    data_table(pd.DataFrame(tree))

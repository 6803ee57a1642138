"""Warm intro: the best paths from one of our people to a target account, hop by hop, with why
each tie is strong (recency, frequency and sentiment of touch points, and the kind of tie)."""

import streamlit as st

from graphcrm import around, explore, model, summaries
from graphcrm.analytics.registry import ANALYSES
from graphcrm.errors import AnalysisInputError
from graphcrm.ui.common import cached_read, data_table, database_errors, literal
from graphcrm.ui.components import network_view

st.title("Warm introductions")
params = st.query_params
with database_errors():
    employees = cached_read(summaries.nodes_of_label, model.EMPLOYEE)
names = dict(employees)
ids = list(names)
if not ids:
    st.info("There are no employees in the graph yet.")
    st.stop()
wanted = params.get("from")
source = st.selectbox(
    "From (one of our people)",
    ids,
    index=ids.index(wanted) if wanted in names else 0,
    format_func=lambda i: f"{names[i]} ({i})",
)
text = st.text_input("To (search a customer or company)", params.get("to", ""))
target = None
if text.strip():
    with database_errors():
        hits = [
            h
            for h in cached_read(explore.search_nodes, text, limit=15)
            if h.label in (model.CUSTOMER, model.COMPANY)
        ]
    if not hits:
        st.info(f"No customer or company matches {literal(repr(text.strip()))}.")
        st.stop()
    target = st.selectbox("Target", hits, format_func=lambda h: f"{h.name} — {h.label} {h.id}").id
paths_wanted = ANALYSES["intro"].param("k")
k = st.slider("Paths", 1, 5, paths_wanted.default, help=paths_wanted.doc)
if target is None:
    st.info("Choose a target account to find the warmest paths to it.")
    st.stop()
params.from_dict({"from": source, "to": target})

with database_errors(), st.spinner("Finding paths…"):
    try:
        found = cached_read(around.intro_paths, source, target, k=k)
    except AnalysisInputError as err:
        st.error(literal(err))
        st.stop()
paths, hops = found.result.tables["paths"], found.result.tables["hops"]
data_table(paths)
if found.caveat:
    st.caption(found.caveat)
for number, group in hops.groupby("path", sort=True):
    st.markdown(f"**Path {number}** — strength {group['path_strength'].iloc[0]:.2f}")
    for hop in group.itertuples():
        st.markdown(f"{hop.step}. {literal(hop.reason)} *(tie strength {hop.strength:.2f})*")

on_paths = sorted(set(hops["source"]) | set(hops["target"]))
with database_errors():
    nodes = cached_read(explore.nodes_by_id, on_paths)
view = explore.subgraph_from_elements(
    [(n, d["label"], n, d["props"]) for n, d in nodes.items()],
    [(h.source, h.target, h.kind, {"strength": round(h.strength, 2)}) for h in hops.itertuples()],
)
network_view(view, selected=target, height=480, key=f"intro-{source}-{target}-{k}")

"""Explore: search any node, open its neighbourhood, filter it, click a node for its details.

The view's state (node, depth, filters) lives in the URL, so a link opens the same view.
"""

import pandas as pd
import streamlit as st

from graphcrm import explore, model
from graphcrm.errors import GraphCRMError
from graphcrm.ui import state
from graphcrm.ui.common import (
    cached_read,
    data_table,
    database_errors,
    download_button,
    download_csv,
    literal,
    masked,
    show_personal_data,
)
from graphcrm.ui.components import network_view
from graphcrm.ui.network import legend_html, standalone_html

st.title("Explore")
view_state = state.explore_state(st.query_params)
for problem in view_state.problems:
    st.warning(literal(problem))

text = st.text_input("Search a customer, company, employee or partner by name or id", key="explore-search")
if text.strip():
    with database_errors():
        hits = cached_read(explore.search_nodes, text, limit=15)
    if hits:
        choice = st.selectbox(
            "Matches", hits, format_func=lambda h: f"{h.name} — {h.label} {h.id}", key="explore-hit"
        )
        if st.button("Open", type="primary") and choice is not None:
            view_state.node = choice.id
    else:
        st.info(f"Nothing matches {literal(repr(text.strip()))}.")

with st.sidebar:
    st.subheader("View")
    view_state.depth = st.slider("Depth", 1, 3, view_state.depth)
    view_state.labels = st.multiselect("Node labels", model.LABELS, view_state.labels)
    view_state.types = st.multiselect("Relationship types", tuple(model.REL_TYPES), view_state.types)
    view_state.stages = st.multiselect("Lifecycle stage (empty: all)", model.STAGES, view_state.stages)
    view_state.min_strength = st.slider("Minimum tie strength", 0.0, 1.0, view_state.min_strength, 0.05)
    max_nodes = st.number_input("Most nodes drawn", 20, 500, 150, 10)
state.store_explore_state(st.query_params, view_state)

if view_state.node is None:
    st.info("Search for a node above to open its neighbourhood.")
    st.stop()
with database_errors(), st.spinner("Reading the neighbourhood…"):
    try:
        view = cached_read(
            explore.neighbourhood,
            view_state.node,
            depth=view_state.depth,
            types=view_state.types,
            labels=view_state.labels,
            stages=view_state.stages,
            min_strength=view_state.min_strength,
            max_nodes=int(max_nodes),
        )
    except GraphCRMError as err:
        st.error(literal(err))
        st.stop()
start = view.nodes[view_state.node]
st.subheader(literal(f"{start['props'].get('name', view_state.node)} — {start['label']} {view_state.node}"))
st.caption(f"{len(view.nodes)} nodes, {len(view.edges)} relationships within {view.depth} hop(s).")
for note in view.left_out:
    st.caption(literal(note))
st.html(legend_html())

graph_column, details_column = st.columns([3, 1])
with graph_column:
    clicked = network_view(view, selected=view_state.node, height=620, key=f"explore-{view_state.node}")
selected = clicked if clicked in view.nodes else view_state.node
with details_column:
    with database_errors():
        details = cached_read(explore.node_details, selected)
    st.markdown(
        f"**{literal(details.props.get('name', selected))}** · {literal(details.label)} {literal(selected)}"
    )
    st.markdown(literal(f"Managed by: {', '.join(details.managers) or 'nobody'}"))
    st.markdown(literal(f"Referred by: {', '.join(details.referrers) or 'nobody'}"))
    if details.last_touch:
        touch = details.last_touch
        st.markdown(
            literal(
                f"Last touch point: {touch['at']:%Y-%m-%d} by {touch['employee']} ({touch['channel']}, "
                f"sentiment {touch.get('sentiment', '–')}); {details.touch_points} in all."
            )
        )
    else:
        st.markdown("No touch points recorded.")
    data_table(pd.DataFrame(sorted(masked(details.props).items()), columns=["property", "value"]).astype(str))
    if selected != view_state.node and st.button("Explore from here"):
        view_state.node = selected
        state.store_explore_state(st.query_params, view_state)
        st.rerun()

name = str(start["props"].get("name", view_state.node))
left, right = st.columns(2)
with left:
    download_button(
        "Download view as HTML",
        standalone_html(view, show_personal=show_personal_data(), title=f"graphcrm — {name}"),
        f"graphcrm-{view_state.node}.html",
        "text/html",
    )
with right:
    download_csv(
        "Download view as CSV", pd.DataFrame(explore.subgraph_table(view)), f"graphcrm-{view_state.node}.csv"
    )

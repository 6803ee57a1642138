"""Overview: what the graph holds, the lifecycle funnel, referral health, the top influencers,
accounts at risk, and when the scores were last computed (with a button to recompute them).

Everything but the count store's numbers comes from what the batch stored: at a million customers
the funnel and the referral totals are whole-graph aggregations, too slow for a page."""

import pandas as pd
import streamlit as st

from graphcrm import explore, results, scores, summaries
from graphcrm.analytics.run import stored_result, write_all
from graphcrm.ui import auth
from graphcrm.ui.common import cached_read, data_table, database_errors, graph, literal
from graphcrm.ui.components import network_view

st.title("Overview")
with database_errors():
    counts = cached_read(explore.graph_counts)
    funnel = cached_read(stored_result, "funnel")
    referral = cached_read(stored_result, "referrals")
    top_five = cached_read(summaries.influencer_table, limit=5)
    at_risk = cached_read(summaries.accounts_at_risk, limit=5)
    runs = cached_read(scores.latest_runs)
if not any(counts["nodes"].values()):
    st.info("The graph is empty: load a data directory with `graphcrm load DIR`.")
    st.stop()
totals = referral.tables["summary"].iloc[0] if referral is not None else None

columns = st.columns(len(counts["nodes"]) + 2)
for column, (label, count) in zip(columns, counts["nodes"].items(), strict=False):
    column.metric(f"{literal(label)} nodes", f"{count:,}")
columns[-2].metric(
    "Referral conversion",
    f"{totals['conversion_rate']:.0%}" if totals is not None else "—",
    help="converted / all referrals, as of the last batch",
)
columns[-1].metric(
    "k-factor",
    f"{totals['k_factor']:.2f}" if totals is not None else "—",
    help="referrals per referring customer, as of the last batch",
)

left, right = st.columns(2)
with left:
    st.subheader("Lifecycle funnel")
    if funnel is None:
        st.info("No stored funnel yet: use Recompute scores below (or `graphcrm analyze all --write`).")
    else:
        stages = funnel.tables["funnel"]
        st.caption(funnel.run.as_of())
        counts_by_stage = stages.pivot(index="stage", columns="label", values="count").reindex(
            stages["stage"].unique()
        )
        counts_by_stage.index = [
            f"{number}. {stage}" for number, stage in enumerate(counts_by_stage.index, 1)
        ]
        st.bar_chart(counts_by_stage, stack=False)
        data_table(stages.drop(columns="segment"))
with right:
    st.subheader("Relationships")
    data_table(pd.DataFrame(counts["relationships"].items(), columns=["relationship type", "count"]))

left, right = st.columns(2)
with left:
    st.subheader("Top five influencers")
    if top_five.empty:
        st.info(
            "No influence scores yet: compute them with the button below (or `graphcrm analyze all --write`)."
        )
    else:
        data_table(top_five[["name", "label", "influence", "influence_why"]])
with right:
    st.subheader("Accounts at risk")
    if at_risk.empty:
        st.caption("None at risk as of the last scores (or scores not computed yet).")
    else:
        data_table(at_risk)

st.subheader("Analytics scores")
with database_errors():
    running = results.batch_status(graph())
    latest = results.latest_run(graph(), "influencers")
if latest is not None and latest.stale:
    st.warning(latest.as_of())
if runs:
    data_table(pd.DataFrame(runs))
else:
    st.caption("Scores have not been computed yet.")
if running is not None:
    st.info(literal(running))
elif st.button("Recompute scores") and auth.permitted("recompute"):
    auth.record("recompute")
    with (
        database_errors(),
        st.status(
            "Computing influence, communities, rings, coverage, partners, referrals and the funnel…"
        ) as status,
    ):
        done = write_all(graph(), started_by="the dashboard")
        for name, result in done.items():
            status.write(f"{name}: stored in {result.compute_seconds + result.write_seconds:.1f} s")
        status.update(label="Scores recomputed.", state="complete")
    st.cache_data.clear()

cascades = referral.tables["cascades"] if referral is not None else pd.DataFrame()
if cascades.empty:
    st.stop()
top = cascades.iloc[0]
st.subheader(f"Largest referral cascade: {literal(top['name'])} ({top['size']:,} people and accounts)")
with database_errors():
    view = cached_read(explore.neighbourhood, top["root"], depth=2, max_nodes=80, per_node=15)
for note in view.left_out:
    st.caption(literal(note))
network_view(view, selected=top["root"], height=520, key="overview-network")

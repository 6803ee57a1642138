"""Cypher: canned queries from `cypher/` (their parameters become form fields) or your own,
always read-only, with a time limit and a row cap; results as a table, a network, CSV and JSON."""

import pandas as pd
import streamlit as st

from graphcrm import console, explore, queries
from graphcrm.errors import GraphCRMError
from graphcrm.ui import auth
from graphcrm.ui.common import (
    data_table,
    database_errors,
    download_button,
    graph,
    literal,
    show_personal_data,
)
from graphcrm.ui.components import network_view

PERSONAL_PARAM = console.PERSONAL_PARAM

st.title("Cypher")
params = st.query_params


def from_url(key: str, value: str) -> str:
    """Initialise a widget's state from the link once; afterwards the widget owns it."""
    return st.session_state.setdefault(key, value)


with database_errors():
    library = queries.library()
names = sorted(library)
from_url("cypher-mode", "Your own query" if params.get("mode") == "own" else "Canned query")
canned_mode = st.radio("Query", ["Canned query", "Your own query"], horizontal=True, key="cypher-mode")
if canned_mode == "Your own query" and not auth.permitted("own_query"):
    st.stop()

with st.form("cypher-form"):
    if canned_mode == "Canned query":
        wanted = params.get("query")
        if wanted and wanted not in library:
            st.warning(f"There is no canned query called {literal(repr(wanted))}; pick one from the list.")
        from_url("cypher-query", wanted if wanted in library else names[0])
        chosen = st.selectbox(
            "Canned query", names, key="cypher-query", format_func=lambda n: f"{n} — {library[n].description}"
        )
        query = library[chosen]
        st.caption(literal(query.question))
        raw: dict[str, str] = {}
        for param in query.params:
            default = "" if param.default in (None, "null") else param.default
            key = f"cypher-p-{chosen}-{param.name}"
            from_url(key, params.get(f"p.{param.name}", default) if chosen == wanted else default)
            locked = param.name == PERSONAL_PARAM and not show_personal_data()
            if locked:
                st.session_state[key] = "false"
            raw[param.name] = st.text_input(
                literal(f"{param.name} ({param.type}{', required' if param.required else ''})"),
                key=key,
                help="Turn on 'Show personal data' in the sidebar to change this."
                if locked
                else param.doc or None,
                disabled=locked,
            )
        st.code(query.text, language="cypher")
    else:
        example = "MATCH (c:Customer)-[r:REFERRED]->(d) RETURN c, r, d LIMIT 25"
        from_url("cypher-text", params.get("q", example))
        text = st.text_area("Cypher (read-only)", key="cypher-text", height=160)
        from_url("cypher-params", params.get("params", ""))
        raw_pairs = st.text_area("Parameters, one name=value per line", key="cypher-params", height=80)
    left, right = st.columns(2)
    timeout = left.number_input("Time limit (s)", 0.5, console.MAX_TIMEOUT, console.DEFAULT_TIMEOUT, 0.5)
    max_rows = right.number_input("Row limit", 1, console.MAX_ROWS, console.DEFAULT_MAX_ROWS, 100)
    submitted = st.form_submit_button("Run", type="primary")

if submitted:
    st.session_state.pop("cypher-result", None)
    try:
        with st.spinner("Running…"):
            if canned_mode == "Canned query":
                given = {k: v for k, v in raw.items() if v.strip()}
                params.from_dict({"query": chosen, **{f"p.{k}": v for k, v in given.items()}})
                auth.record("query", query=chosen, params=given)
                result = console.run_canned(
                    graph(),
                    chosen,
                    given,
                    timeout=timeout,
                    max_rows=int(max_rows),
                    personal=show_personal_data(),
                )
            else:
                lines = [line.strip() for line in raw_pairs.splitlines() if line.strip()]
                typed = {k: console.infer_value(v) for k, v in console.parse_assignments(lines).items()}
                params.from_dict({"mode": "own", "q": text, **({"params": raw_pairs} if lines else {})})
                auth.record("query", text=text, params=typed)
                result = console.run_query(
                    graph(),
                    text,
                    typed,
                    timeout=timeout,
                    max_rows=int(max_rows),
                    personal=show_personal_data(),
                )
        st.session_state["cypher-result"] = result
    except GraphCRMError as err:
        st.error(literal(err))

result = st.session_state.get("cypher-result")
if result is not None:
    result = console.mask_result(result, show=show_personal_data())
    st.caption(literal(console.summary_line(result)))
    if result.truncated:
        st.warning(f"Only the first {result.max_rows} rows are shown; raise the row limit to see more.")
    data_table(pd.DataFrame(result.rows, columns=result.columns).astype(str))
    left, right = st.columns(2)
    with left:
        download_button("Download CSV", console.render(result, "csv"), "graphcrm-query.csv", "text/csv")
    with right:
        download_button(
            "Download JSON", console.render(result, "json"), "graphcrm-query.json", "application/json"
        )
    if result.nodes:
        view = explore.subgraph_from_elements(
            [(n.element_id, n.labels[0] if n.labels else "", n.id, n.properties) for n in result.nodes],
            [(r.start, r.end, r.type, r.properties) for r in result.relationships],
        )
        st.subheader(f"As a network ({len(view.nodes)} nodes, {len(view.edges)} relationships)")
        for note in view.left_out:
            st.caption(note)
        network_view(view, height=520, key=f"cypher-network-{id(result)}")

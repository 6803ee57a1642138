"""Network views: a `Subgraph` drawn with pyvis (vis-network), with every asset in-line.

pyvis builds the nodes, edges and options; we render them with our own small page instead of
pyvis's template, because that template always loads Bootstrap from a CDN and the dashboard must
work with no internet. The same page serves two uses:

- `standalone_html` — a self-contained HTML file to download (vis-network's JS and CSS inlined);
- the Streamlit component in `graphcrm.ui.components`, which also sends a clicked node back to
  Python (pyvis alone cannot), so a click selects a node for the details panel and for expanding.

Physics runs until the layout is stable and then stops, so a view never keeps moving or holds the
browser's CPU.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from graphcrm import model
from graphcrm.explore import Subgraph, mask_subgraph

LABEL_STYLE: dict[str, dict[str, str]] = {
    model.CUSTOMER: {"color": "#4e79a7", "shape": "dot"},
    model.COMPANY: {"color": "#f28e2b", "shape": "square"},
    model.EMPLOYEE: {"color": "#59a14f", "shape": "triangle"},
    model.PARTNER: {"color": "#b07aa1", "shape": "diamond"},
}
TYPE_STYLE: dict[str, dict[str, Any]] = {
    model.MANAGES: {"color": "#59a14f", "dashes": False},
    model.WORKS_AT: {"color": "#f28e2b", "dashes": False},
    model.PARTNERS_WITH: {"color": "#b07aa1", "dashes": [6, 4]},
    model.REFERRED: {"color": "#e15759", "dashes": False},
    model.KNOWS: {"color": "#9c9c9c", "dashes": [2, 3]},
    model.SUPPLIES: {"color": "#edc948", "dashes": [8, 3]},
    model.REPORTS_TO: {"color": "#76b7b2", "dashes": [3, 3]},
    model.INTERACTED: {"color": "#bab0ac", "dashes": [1, 4]},
}
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
_OPTIONS: dict[str, Any] = {
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
        "stabilization": {"enabled": True, "iterations": 300, "fit": True},
    },
    "interaction": {"hover": True, "navigationButtons": False, "tooltipDelay": 150},
    "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
    "nodes": {"font": {"size": 12}},
}


def _tooltip(node_id: str, label: str, props: dict[str, Any]) -> str:
    shown = {k: v for k, v in props.items() if k != "name" and v not in (None, "")}
    lines = [f"{props.get('name', node_id)} ({label} {node_id})"]
    lines += [f"{k}: {v}" for k, v in sorted(shown.items())[:12]]
    return "\n".join(lines)


def _size(props: dict[str, Any]) -> float:
    """Node size grows with the written-back influence score (0..1), when there is one."""
    influence = props.get("influence")
    return 12 + 28 * float(influence) if isinstance(influence, int | float) else 14


def to_pyvis(subgraph: Subgraph, *, show_personal: bool, selected: str | None = None) -> Network:
    """A pyvis Network for `subgraph`: coloured and shaped by label, sized by influence, edges
    styled by type; the selected node is outlined.

    Personal data is masked here (unless `show_personal`), so no view can draw it by forgetting.
    """
    subgraph = mask_subgraph(subgraph, show=show_personal)
    net = Network(directed=True, cdn_resources="in_line")
    for node_id, node in subgraph.nodes.items():
        style = LABEL_STYLE.get(node["label"], {"color": "#999999", "shape": "dot"})
        props = node["props"]
        net.add_node(
            node_id,
            label=str(props.get("name", node_id)),
            title=_tooltip(node_id, node["label"], props),
            color={
                "background": style["color"],
                "border": "#222222" if node_id == selected else style["color"],
            },
            borderWidth=4 if node_id == selected else 1,
            shape=style["shape"],
            size=_size(props),
        )
    for source, target, rel_type, props in subgraph.edges:
        style = TYPE_STYLE.get(rel_type, {"color": "#999999", "dashes": False})
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(props.items()) if v not in (None, ""))
        net.add_edge(
            source,
            target,
            title=f"{rel_type}{' — ' + detail if detail else ''}",
            color=style["color"],
            dashes=style["dashes"],
            width=1 + 2 * float(props["strength"]) if isinstance(props.get("strength"), int | float) else 1,
        )
    return net


def legend_html() -> str:
    """A one-line legend: node colours and shapes by label, edge colours by type."""
    chips = [
        f'<span style="color:{style["color"]};font-size:1.2em">&#9679;</span> {label}'
        for label, style in LABEL_STYLE.items()
    ]
    chips += [
        f'<span style="color:{style["color"]};font-weight:bold">&#8213;</span> {rel_type}'
        for rel_type, style in TYPE_STYLE.items()
    ]
    return '<div style="font-size:0.85em;line-height:1.8">' + " &nbsp; ".join(chips) + "</div>"


def network_data(subgraph: Subgraph, *, show_personal: bool, selected: str | None = None) -> dict[str, Any]:
    """Nodes, edges and options as plain JSON-able data, for the component or the HTML page."""
    nodes, edges, *_ = to_pyvis(subgraph, show_personal=show_personal, selected=selected).get_network_data()
    return {"nodes": nodes, "edges": edges, "options": _OPTIONS}


@cache
def _assets() -> tuple[str, str]:
    return (
        (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
        (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
    )


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>{css}</style>
<style>html,body{{margin:0;padding:0;font-family:sans-serif}}#network{{width:100%;height:{height}px;}}</style>
<script>{js}</script>
</head><body>
<div id="network"></div>
<script>
{script}
</script>
</body></html>
"""

# Draws `data` into #network; physics stops once the layout is stable. `onSelect(id)` is called
# when a node is clicked. Shared by the standalone page and the Streamlit component.
_DRAW = """
function drawNetwork(data, onSelect) {
  const container = document.getElementById("network");
  const network = new vis.Network(container,
    {nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}, data.options);
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    document.body.setAttribute("data-stable", "true");
  });
  network.on("click", function (params) {
    if (params.nodes.length && onSelect) { onSelect(params.nodes[0]); }
  });
  window.graphcrmNetwork = network;
  return network;
}
"""


def standalone_html(
    subgraph: Subgraph, *, show_personal: bool, title: str = "graphcrm network", height: int = 750
) -> str:
    """A self-contained HTML page of the view (nothing fetched from the internet)."""
    js, css = _assets()
    data = script_json(network_data(subgraph, show_personal=show_personal))
    script = f"{_DRAW}\ndrawNetwork({data}, null);"
    return _PAGE.format(title=html.escape(title), css=css, js=js, height=height, script=script)


# Characters that could end a <script> element, open an HTML comment or end a JavaScript line.
_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> str:
    """`value` as JSON safe to put inside a <script> element: `<`, `>`, `&` and the JavaScript line
    separators are written as \\u escapes, so no data can close the element (`</script>`) or
    switch the parser into a comment (`<!--`)."""
    return json.dumps(value).translate(_SCRIPT_UNSAFE)


# The Streamlit component protocol, spoken directly (no npm build): announce readiness, draw on
# each render message, send the clicked node's id back as the component's value.
_COMPONENT_SCRIPT = """
function send(type, extra) {
  window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
}
let lastData = null;
window.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "streamlit:render") { return; }
  const args = event.data.args;
  document.getElementById("network").style.height = args.height + "px";
  const serialized = JSON.stringify(args.data);
  if (serialized !== lastData) {
    lastData = serialized;
    drawNetwork(args.data, function (id) {
      send("streamlit:setComponentValue", {value: id, dataType: "json"});
    });
  }
  send("streamlit:setFrameHeight", {height: args.height + 10});
});
send("streamlit:componentReady", {apiVersion: 1});
"""


@cache
def component_dir() -> Path:
    """A folder holding the component's index.html (vis-network inlined), written once per version."""
    js, css = _assets()
    page = _PAGE.format(
        title="graphcrm network", css=css, js=js, height=600, script=_DRAW + _COMPONENT_SCRIPT
    )
    digest = hashlib.sha1(page.encode()).hexdigest()[:12]
    folder = Path.home() / ".cache" / "graphcrm" / f"network-component-{digest}"
    index = folder / "index.html"
    if not index.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / "index.html.tmp"
        partial.write_text(page, encoding="utf-8")
        partial.replace(index)
    return folder

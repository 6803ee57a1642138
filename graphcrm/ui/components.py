"""The network view as a Streamlit component: draws a `Subgraph` and returns the clicked node's id."""

from __future__ import annotations

import streamlit.components.v1 as components

from graphcrm.explore import Subgraph
from graphcrm.ui.common import show_personal_data
from graphcrm.ui.network import component_dir, network_data

_network = components.declare_component("graphcrm_network", path=str(component_dir()))


def network_view(
    subgraph: Subgraph, *, selected: str | None = None, height: int = 600, key: str
) -> str | None:
    """Draw `subgraph` with personal data masked unless the user turned it on; the value is the id
    of the node last clicked (None before any click)."""
    data = network_data(subgraph, show_personal=show_personal_data(), selected=selected)
    return _network(data=data, height=height, key=key, default=None)

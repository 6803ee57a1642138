"""The dashboard as an ASGI app, what `graphcrm serve` runs (`streamlit run` finds `app`).

It is `app.py` itself, plus the loopback Host check (`graphcrm.ui.hosts`) whenever the server
listens on a loopback address, as it does by default.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from graphcrm.commands.serve import APP
from graphcrm.ui.hosts import LoopbackHostOnly, is_loopback_address

_guard = [Middleware(LoopbackHostOnly)] if is_loopback_address(config.get_option("server.address")) else []
app = st.App(APP, middleware=_guard)

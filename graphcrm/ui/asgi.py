"""The dashboard as an ASGI app, what `graphcrm serve` runs (`streamlit run` finds `app`).

It is `app.py` itself, plus the loopback Host check (`graphcrm.ui.hosts`) whenever the server
listens on a loopback address, as it does by default.

`app.py` sits beside `pages/`, which Streamlit would take for a legacy multipage folder: until some
session has run `st.navigation`, a first visit to `/cypher` would run `pages/cypher.py` by itself,
without the app's sign-in gate. Our pages are `st.navigation` pages only, so that mode is off.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from graphcrm.commands.serve import APP
from graphcrm.ui.hosts import LoopbackHostOnly, is_loopback_address

PagesManager.uses_pages_directory = False
_guard = [Middleware(LoopbackHostOnly)] if is_loopback_address(config.get_option("server.address")) else []
app = st.App(APP, middleware=_guard)

"""The graphcrm dashboard, shipped inside the package: `graphcrm serve` runs this file with
Streamlit (the top-level `app.py` of a checkout only calls `main`).

It builds the navigation and the shared sidebar; each page is a short script in
`graphcrm/ui/pages/` that reads its inputs, calls the package and renders the result.
"""

from pathlib import Path

import streamlit as st

from graphcrm.ui import auth
from graphcrm.ui.common import database_errors, graph

PAGES = Path(__file__).resolve().parent / "pages"


def main() -> None:
    """One run of the dashboard script: page config, navigation, sidebar, the chosen page."""
    st.set_page_config(page_title="graphcrm", layout="wide")
    # No page icons: Streamlit fetches Material icons for the favicon from the internet.
    navigation = st.navigation(
        [
            st.Page(PAGES / "overview.py", title="Overview", default=True),
            st.Page(PAGES / "explore.py", title="Explore", url_path="explore"),
            st.Page(PAGES / "influencers.py", title="Influencers", url_path="influencers"),
            st.Page(PAGES / "intro.py", title="Warm intro", url_path="intro"),
            st.Page(PAGES / "accounts.py", title="Accounts", url_path="accounts"),
            st.Page(PAGES / "partners.py", title="Partnerships", url_path="partners"),
            st.Page(PAGES / "cypher.py", title="Cypher", url_path="cypher"),
        ],
        position="hidden" if auth.signed_out() else "sidebar",
    )
    auth.gate()  # before any page or data: signed out, only the sign-in form
    with st.sidebar:
        if auth.allowed("reveal_personal"):
            st.toggle(
                "Show personal data",
                key="show_personal",
                help="Email and phone are masked unless this is on; campaign exports always honour consent.",
                on_change=auth.recorder("revealed personal data", when="show_personal"),
            )
        else:
            st.caption("Email and phone are masked: showing them needs the analyst role.")
    with database_errors():
        graph().verify()
    navigation.run()


if __name__ == "__main__":
    main()

"""`streamlit run app.py` from a checkout: the dashboard itself ships in the package
(`graphcrm/ui/app.py`, which `graphcrm serve` runs)."""

from graphcrm.ui.app import main

main()

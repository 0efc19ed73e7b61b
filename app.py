"""Badge Console: the router and frame.

`streamlit run app.py` opens the console against the embedded sandbox with demo data. This file only
sets the page config and routes to the page the URL names (the pages are listed in
`lib.ui.navigation`); each page begins with `lib.ui.page_setup`, which draws the
sidebar connection panel, so a page run on its own (AppTest, a direct URL) looks and works the same.
"""

import streamlit as st

from lib.sandbox.prepare import prepare_in_background

prepare_in_background()  # a first start: the demo data is made on another core while the console imports
from lib.ui.navigation import run_console  # noqa: E402

st.set_page_config(page_title="Badge Console", page_icon=":material/military_tech:", layout="wide")
run_console()

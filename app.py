"""Badge Console: the router and frame.

`streamlit run app.py` opens the console against the embedded sandbox with demo data. This file only
sets the page config and lists the pages; each page begins with `lib.ui.page_setup`, which draws the
sidebar connection panel, so a page run on its own (AppTest, a direct URL) looks and works the same.
"""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
PAGES = HERE / "pages"

st.set_page_config(page_title="Badge Console", page_icon=":material/military_tech:", layout="wide")

BADGES = [
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "badge_editor.py", title="Badge editor", icon=":material/edit_note:"),
]
CUSTOMERS = [st.Page(PAGES / "customer_view.py", title="Customer view", icon=":material/person_search:")]
BULK = [
    st.Page(PAGES / name, title=title, icon=icon)
    for name, title, icon in (
        ("bulk_enrol.py", "Bulk enrol", ":material/group_add:"),
        ("import_earned.py", "Import earned badges", ":material/upload_file:"),
    )
    if (PAGES / name).exists()
]
DIAGNOSTICS = [st.Page(PAGES / "request_log.py", title="Request log", icon=":material/receipt_long:")]

sections = {"Badges": BADGES, "Customers": CUSTOMERS, "Bulk": BULK, "Diagnostics": DIAGNOSTICS}
st.navigation({name: pages for name, pages in sections.items() if pages}, position="sidebar").run()

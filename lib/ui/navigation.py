"""The console's pages and the one place they are routed from.

app.py runs `run_console()`; every page's `page_setup` asks `framed_by_console()` whether this run came
through it. A page can run without it in one case on a real server: the first visitor of a freshly
started server opens a deep link (`/badge_editor?badge=...`) before any session ran `st.navigation`,
so Streamlit still treats `pages/` the legacy way and runs the page script alone, with the folder's
file list as the sidebar. `st.navigation` (public) switches the whole server to these pages, and a
rerun then goes through app.py to the same URL.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parents[2] / "pages"

_local = threading.local()


def console_pages() -> dict[str, list]:
    """The navigation's sections, in the sidebar's order; pages whose file is missing are left out."""

    def page(name: str, title: str, icon: str, **options) -> list:
        path = PAGES / name
        return [st.Page(path, title=title, icon=icon, **options)] if path.exists() else []

    sections = {
        "Badges": page("overview.py", "Overview", ":material/dashboard:", default=True)
        + page("badge_performance.py", "Badge performance", ":material/monitoring:")
        + page("badge_editor.py", "Badge editor", ":material/edit_note:")
        + page("promote.py", "Badges as code", ":material/compare_arrows:"),
        "Customers": page("customer_view.py", "Customer view", ":material/person_search:"),
        "Bulk": page("bulk_enrol.py", "Bulk enrol", ":material/group_add:")
        + page("import_earned.py", "Import earned badges", ":material/upload_file:"),
        "Diagnostics": page("request_log.py", "Request log", ":material/receipt_long:"),
    }
    return {name: pages for name, pages in sections.items() if pages}


def run_console() -> None:
    """Route this run to the page its URL names (app.py's whole job)."""
    _local.framed = True
    try:
        st.navigation(console_pages(), position="sidebar").run()
    finally:
        _local.framed = False


def framed_by_console() -> bool:
    return getattr(_local, "framed", False)


def route_through_console() -> None:
    """Called on a session's first run of a page that did not come through app.py on a real server:
    declare the console's pages (which retires the legacy folder navigation for every session) and
    run again, now through app.py."""
    st.navigation(console_pages(), position="hidden")
    st.rerun()

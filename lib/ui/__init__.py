"""The only Streamlit-aware code of the console, shared by the page scripts.

Every page starts with `conn = page_setup("Title")`: it sets the page config, creates the shared
session-state keys, draws the sidebar connection panel and returns the session's `ActiveConnection`
(client, request log, labels), so each page also runs alone under AppTest.
"""

from __future__ import annotations

import streamlit as st

from lib.ui.connection import ActiveConnection, connection_panel
from lib.ui.errors import call_api, describe_error, show_error
from lib.ui.state import Key, flash, init_state, open_in_editor, show_flash

__all__ = [
    "ActiveConnection",
    "Key",
    "call_api",
    "describe_error",
    "flash",
    "open_in_editor",
    "page_setup",
    "show_error",
]


def page_setup(title: str) -> ActiveConnection:
    """Frame every page the same way; stop the page until the session has a working connection."""
    st.set_page_config(
        page_title=f"{title} · Badge Console", page_icon=":material/military_tech:", layout="wide"
    )
    init_state()
    active = connection_panel()
    st.title(title)
    show_flash()
    if active is None:
        st.info("Choose a backend and enter credentials in the sidebar to start.", icon=":material/link_off:")
        st.stop()
    return active

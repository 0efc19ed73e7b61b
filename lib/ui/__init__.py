"""The only Streamlit-aware code of the console, shared by the page scripts.

Every page starts with `conn = page_setup("Title")`: it sets the page config, draws the sidebar
connection panel and returns the session's `ActiveConnection` (client, request log, labels), so each
page also runs alone under AppTest. The first page run of a connection in a process also resumes the
bulk jobs a previous process left running (`lib.ui.jobs`). What a page keeps between runs is in its
state object (`lib.ui.state`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from lib.console.timetravel import clock_note
from lib.sandbox.prepare import prepare_in_background
from lib.ui.connection import ActiveConnection, connection_panel
from lib.ui.errors import call_api, describe_error, show_error
from lib.ui.first_start import first_start_placeholder
from lib.ui.jobs import announce_resumed
from lib.ui.navigation import framed_by_console, route_through_console
from lib.ui.plotly_chart import load_chart_library
from lib.ui.state import ConnectionState, flash, open_in_editor, open_performance, show_flash

__all__ = [
    "ActiveConnection",
    "ConnectionState",
    "call_api",
    "describe_error",
    "flash",
    "open_in_editor",
    "open_performance",
    "page_setup",
    "show_error",
]


def page_setup(title: str, *, charts: bool = False) -> ActiveConnection:
    """Frame every page the same way; stop the page until the session has a working connection.

    `charts`: the page draws charts, so the chart library starts loading from the sidebar."""
    prepare_in_background()  # a first visit straight to a page URL skips app.py, where this starts
    _leave_folder_navigation()
    st.set_page_config(
        page_title=f"{title} · Badge Console", page_icon=":material/military_tech:", layout="wide"
    )
    if charts:
        with st.sidebar:
            load_chart_library()
    ConnectionState.get().focus_badge = None  # a page showing one badge names it again below
    st.title(title)
    waiting = first_start_placeholder()
    active = connection_panel()
    if waiting is not None:
        waiting.empty()
    if active is not None:
        _clock_note(active)
    show_flash()
    if active is None:
        st.info("Choose a backend and enter credentials in the sidebar to start.", icon=":material/link_off:")
        st.stop()
    announce_resumed(active)
    return active


def _clock_note(active: ActiveConnection) -> None:
    """Every page follows the backend's clock; when it is the sandbox's moved clock, it says so."""
    note = clock_note(active.now(), datetime.now(UTC))
    if note:
        st.caption(f":orange[:material/update: {note}]")


def _leave_folder_navigation() -> None:
    """Make a first visit straight to a page URL go through app.py's navigation (see
    `lib.ui.navigation`). Only a session's first run can be such a visit, so later runs (and their
    button clicks) are never repeated; AppTest runs a page alone on purpose and has no request
    headers, so it is left alone."""
    session = ConnectionState.get()
    first_run, session.framed = not session.framed, True
    if first_run and not framed_by_console() and st.context.headers:
        route_through_console()

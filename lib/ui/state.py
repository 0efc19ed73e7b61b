"""Every session-state key the console uses, declared once.

Streamlit's session state is per browser session, so it is where per-user things live: the API
client with its credentials and request log, the badge the editor has loaded, a message to show after a
page switch. Widget keys of one page carry that page's prefix (`ov_`, `ed_`, `cv_`, `bp_`, `log_`,
`conn_`, `clock_`) and are declared next to the widgets; the keys below are the ones shared between pages.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NoReturn

import streamlit as st


class Key(StrEnum):
    CONNECTION = "conn_active"
    """The `ActiveConnection` (client, request log, labels) of this session."""
    HEALTH = "conn_health"
    """The last `Health` check of the active connection."""
    EDITOR_LOADED_ID = "editor_loaded_id"
    """Id whose values are in the editor's widgets, to reload only when the selection changes."""
    FRAMED = "framed"
    """Set by the first page run of the session (see `lib.ui.page_setup`)."""
    FLASH = "flash"
    """A (level, text) message shown once at the top of the next page drawn."""
    RESUMED_NOTICE = "jobs_resumed_notice"
    """Set once this session was told that bulk jobs interrupted by a restart were resumed."""
    CLOCK_BADGE = "clock_badge"
    """The badge a page shows on its own (id), whose next cycle boundary the sidebar clock jumps to."""
    CLOCK_MESSAGE = "clock_message"
    """What the sidebar clock's last jump did ("Moved to ..."), shown once under it."""


def init_state() -> None:
    """Create the shared keys with their defaults (never overwriting a value already set)."""
    st.session_state.setdefault(Key.EDITOR_LOADED_ID, None)
    st.session_state.setdefault(Key.FLASH, None)


def get(key: Key) -> Any:
    return st.session_state.get(key)


def put(key: Key, value: Any) -> None:
    st.session_state[key] = value


EDITOR_PAGE = "pages/badge_editor.py"
PERFORMANCE_PAGE = "pages/badge_performance.py"


def open_in_editor(badge_id: str | None) -> NoReturn:
    """Switch to the badge editor showing this badge (None: an empty form for a new badge).

    The badge travels as `?badge=<id>` in the URL, so a refresh or a shared link opens it again.
    """
    st.switch_page(EDITOR_PAGE, query_params={"badge": badge_id} if badge_id else None)


def open_performance(badge_id: str) -> NoReturn:
    """Switch to the badge performance page of this badge (`?badge=<id>` in the URL, as the editor)."""
    st.switch_page(PERFORMANCE_PAGE, query_params={"badge": badge_id})


def flash(level: str, text: str) -> None:
    """Queue a message ("success", "info", "warning") for the next page drawn."""
    st.session_state[Key.FLASH] = (level, text)


def show_flash() -> None:
    message = st.session_state.get(Key.FLASH)
    if message:
        level, text = message
        getattr(st, level, st.info)(text)
        st.session_state[Key.FLASH] = None

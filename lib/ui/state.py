"""The console's per-session state: one typed object per page, each under one key declared here.

Streamlit's session state is per browser session, so it is where per-user things live: the API client
with its credentials and request log, a page's upload, a message to show after a page switch. Rather
than loose keys, each page keeps one dataclass (`ConnectionState` for the sidebar and what every page
shares, `BulkState`, `PromoteState`, `OverviewState`, `PerformanceState`) under one `StateKey`, reached
with `XState.get()` (created on first use) and changed through named methods such as
`bulk.reset_upload()`. Nothing else in `pages/` and `lib/ui` touches `st.session_state` (a test checks),
but the badge editor's own state module (`lib.ui.editor_state`, under `StateKey.EDITOR`).

Widget values are Streamlit's own: a widget keeps its `key=`, and a key that code also reads or sets
(to follow the URL, say) is a `WidgetKey` declared once on its page's state class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum, unique
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Self, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from lib.ui.connection import ActiveConnection


T = TypeVar("T")


@unique
class StateKey(StrEnum):
    """Every session-state key that holds a page's state object, declared once (`unique`: no two
    pages can share one)."""

    CONNECTION = "conn_state"
    """`ConnectionState`: the sidebar's connection and what every page of the session shares."""
    OVERVIEW = "ov_state"
    PERFORMANCE = "bp_state"
    PROMOTE = "pr_state"
    BULK_ENROL = "be_state"
    BULK_IMPORT = "ie_state"
    EDITOR = "editor_state"
    """`EditorState` of the badge editor (`lib.ui.editor_state`, with its path-keyed widgets)."""


class WidgetKey(str):
    """A widget's `key=` that code also reads or sets; Streamlit owns the value behind it."""

    __slots__ = ()

    def value(self, default: Any = None) -> Any:
        return st.session_state.get(self, default)

    def set(self, value: Any) -> None:
        """Set the widget's value before it is drawn (or in a callback)."""
        st.session_state[self] = value

    def set_default(self, value: Any) -> None:
        st.session_state.setdefault(self, value)


class PageState:
    """Base of the state dataclasses: one object per session under the class's `KEY`."""

    KEY: ClassVar[str]

    @classmethod
    def get(cls) -> Self:
        """This session's object, created on first use."""
        return stored(cls.KEY, cls)


def stored(key: str, make: type[T]) -> T:
    """The object under `key`, created with `make()` on first use (for state classes keyed per page
    variant, such as `BulkState.of(operation)`)."""
    state = st.session_state.get(key)
    if state is None:
        state = make()
        st.session_state[key] = state
    return state


@dataclass
class ConnectionState(PageState):
    """The sidebar's connection and the session-wide things every page shares.

    The connection's client holds the credentials: it stays in this session and is never logged.
    """

    KEY: ClassVar[str] = StateKey.CONNECTION
    NETWORK: ClassVar[WidgetKey] = WidgetKey("conn_network")
    """The sandbox's network profile control, which shows the profile in force whoever set it."""
    URL: ClassVar[WidgetKey] = WidgetKey("conn_url")

    active: ActiveConnection | None = field(default=None, repr=False)
    """Left out of the repr: its client holds the credentials."""
    framed: bool = False
    """Set by the session's first page run (see `lib.ui.page_setup`)."""
    flash_message: tuple[str, str] | None = None
    """A (level, text) message shown once at the top of the next page drawn."""
    resumed_announced: bool = False
    """This session was told that bulk jobs interrupted by a restart were resumed."""
    focus_badge: str | None = None
    """The badge a page shows on its own (id), whose next cycle boundary the sidebar clock jumps to."""
    clock_message: str | None = None
    """What the sidebar clock's last jump did ("Moved to ..."), shown once under it."""

    def connect(self, active: ActiveConnection) -> None:
        self.active = active

    def take_flash(self) -> tuple[str, str] | None:
        message, self.flash_message = self.flash_message, None
        return message

    def take_clock_message(self) -> str | None:
        message, self.clock_message = self.clock_message, None
        return message


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
    ConnectionState.get().flash_message = (level, text)


def show_flash() -> None:
    message = ConnectionState.get().take_flash()
    if message:
        level, text = message
        getattr(st, level, st.info)(text)

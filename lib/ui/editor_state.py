"""The badge editor's session state: one typed `EditorState` under one declared key, plus the editor's
widget keys and the only code that reads or writes them.

The form's widgets are keyed by path (`lib.console.badge_form.widget_key`) and never given a
`value=`: their values are put into session state when a badge is loaded (`load_form`) and filled in
again from that badge whenever a conditional widget comes back (`fill_missing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import streamlit as st

from lib.console.badge_form import BadgeForm, form_paths, widget_key, widget_values, with_values
from lib.ui.state import PageState, StateKey, WidgetKey

PICK_KEY = WidgetKey("ed_pick")
"""The badge selector (a badge id, or NEW); the URL's `?badge=<id>` decides it."""
SAMPLE_KEY = WidgetKey("ed_sample")
"""The preview's sample earn day."""
TABLE_KEYS = {
    "benefits": "ed_benefits_table",
    "tags": "ed_tags_table",
    "custom_fields": "ed_custom_fields_table",
}
"""The editor's tables (`st.data_editor`), by form field."""


@dataclass
class EditorState(PageState):
    """Which badge the widgets hold, the form it was loaded as, and the badge as the API returned it."""

    KEY: ClassVar[str] = StateKey.EDITOR

    loaded: str | None = None
    """The selector value whose badge is in the widgets (None: load again on the next run)."""
    base: BadgeForm | None = None
    """The form as loaded (the saved badge, or a new badge's defaults): what "untouched" compares to."""
    saved: dict[str, Any] | None = None
    """The saved badge (wire names), None for a new one."""

    def needs_load(self, pick: str) -> bool:
        return self.base is None or self.loaded != pick

    def reload(self) -> None:
        """Named reset: read the badge from the backend again on the next run (after a save)."""
        self.loaded = None


def follow_url(wanted: str) -> None:
    """Put the selector on the badge the URL names."""
    if PICK_KEY.value() != wanted:
        PICK_KEY.set(wanted)


def picked() -> str:
    return PICK_KEY.value()


def load_form(pick: str, form: BadgeForm, saved: Mapping[str, Any] | None) -> None:
    """Show `form` in the editor, replacing whatever was being edited."""
    state = EditorState.get()
    state.loaded, state.base, state.saved = pick, form, dict(saved) if saved is not None else None
    for key, value in widget_values(form).items():
        st.session_state[key] = value
    for key in TABLE_KEYS.values():
        st.session_state.pop(key, None)


def fill_missing() -> None:
    """Give widgets that were not drawn in the last run (a closed section) their loaded value."""
    base = EditorState.get().base
    assert base is not None, "load_form first"
    for key, value in widget_values(base).items():
        st.session_state.setdefault(key, value)


def widget_value(path: str) -> Any:
    """What the widget of `path` holds in this run."""
    return st.session_state.get(widget_key(path))


def form_from_widgets(base: BadgeForm) -> BadgeForm:
    """`base` with every simple value as the widgets hold it (tables as in `base`)."""
    return with_values(base, {path: widget_value(path) for path in form_paths()})


def keep_sample_in(bounds: tuple[date, date], default: Callable[[], date]) -> None:
    """Keep the preview's sample earn day inside `bounds` (an earn cannot fall outside the badge)."""
    current = SAMPLE_KEY.value()
    low, high = bounds
    if not isinstance(current, date) or not low <= current <= high:
        SAMPLE_KEY.set(default())

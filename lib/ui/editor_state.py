"""The badge editor's session state: one typed `EditorState` under one declared key, plus the editor's
widget keys and the only code that reads or writes them.

The form's widgets are keyed by path (`lib.console.badge_form.widget_key`) and never given a
`value=`: their values are put into session state when a badge is loaded (`load_form`). Only the open
tab's widgets are drawn, and Streamlit forgets a widget that a run does not draw, so every run hands
each value back to session state first (`keep_values`): an edit survives a visit to another tab, and a
widget never drawn yet starts from the loaded badge. The tables (`st.data_editor`) cannot be set that
way, so their rows are kept in `EditorState` (`table_rows`, `keep_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each table's rows as last edited (absent: as loaded)."""
    table_start: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each table's rows when its tab was last opened: what the table widget's edits apply to."""

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
    state.tables, state.table_start = {}, {}
    for key, value in widget_values(form).items():
        st.session_state[key] = value
    for key in TABLE_KEYS.values():
        st.session_state.pop(key, None)


def keep_values() -> None:
    """Hand every form value back to session state before the widgets are drawn: the values of tabs
    (and of sections switched off) that this run does not draw are kept, not forgotten; a widget with
    no value yet gets the loaded badge's."""
    base = EditorState.get().base
    assert base is not None, "load_form first"
    for key, value in widget_values(base).items():
        st.session_state[key] = st.session_state.get(key, value)


def table_rows(name: str, loaded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to give the table `name` in this run. While its widget lives, the rows it started
    from (its edits are kept relative to them); when its tab is opened again, the rows as last edited."""
    state = EditorState.get()
    if TABLE_KEYS[name] not in st.session_state or name not in state.table_start:
        state.table_start[name] = state.tables.get(name, loaded)
    return state.table_start[name]


def keep_table(name: str, rows: list[dict[str, Any]]) -> None:
    EditorState.get().tables[name] = rows


def kept_table(name: str, loaded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows while its tab is closed: as last edited, else as loaded."""
    return EditorState.get().tables.get(name, loaded)


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

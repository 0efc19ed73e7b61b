"""The badge editor draws only its open tab's widgets: tests open a tab as a click on it would."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.ui.badge_editor import TAB_KEY


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open the editor's tab `label` ("Dates & expiry", "Customer limits", "More"...) and run."""
    at.session_state[TAB_KEY] = label
    return at.run()

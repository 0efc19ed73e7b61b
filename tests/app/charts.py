"""The charts a page drew, read from an AppTest run (the console's chart element is a custom component)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

COMPONENT = "badge_console_plotly"


def drawn_figures(at: AppTest) -> list[dict[str, Any]]:
    """Each chart the run drew, in page order, as Plotly JSON: {"data": [...], "layout": {...}}."""
    return [
        json.loads(json.loads(element.proto.json)["figure"])
        for element in at.get("bidi_component")
        if element.proto.component_name == COMPONENT
    ]

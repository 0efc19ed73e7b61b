"""The charts a page drew, read from an AppTest run (the console's chart element is a custom component)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

COMPONENT = "badge_console_plotly"


def drawn_figures(at: AppTest) -> list[dict[str, Any]]:
    """Each chart the run drew, in page order, as Plotly JSON: {"data": [...], "layout": {...}}."""
    drawn = []
    for element in at.get("bidi_component"):
        data = json.loads(element.proto.json) if element.proto.component_name == COMPONENT else {}
        if "figure" in data:  # not the element that only loads the chart library
            drawn.append(json.loads(data["figure"]))
    return drawn

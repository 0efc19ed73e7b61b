"""The console's Plotly theme for Streamlit's light and dark themes, as a plain template dict.

The console draws its figures with Plotly's basic bundle (`lib/ui/plotly_chart.py`), so it themes
them itself, the way `st.plotly_chart` would: transparent backgrounds (the page shows through), text
and grid colours that read on the page, the badge palette as the colour order. Values a figure sets
itself (a bar's colour, a title's size) win over the template's.
"""

from __future__ import annotations

from typing import Any

from lib.palette import BADGE_PALETTE

FONT_FAMILY = '"Source Sans", sans-serif'
"""Streamlit's own font, so chart text matches the page's."""

_INK = {"light": "#31333f", "dark": "#fafafa"}
_GRID = {"light": "#e6eaf1", "dark": "#31333f"}
_HOVER = {"light": "#ffffff", "dark": "#262730"}


def chart_template(base: str = "light") -> dict[str, Any]:
    """A Plotly layout template for Streamlit's `base` theme ("light" or "dark")."""
    tone = "dark" if base == "dark" else "light"
    ink, grid = _INK[tone], _GRID[tone]
    axis = {
        "gridcolor": grid,
        "linecolor": grid,
        "zerolinecolor": grid,
        "tickcolor": grid,
        "title": {"font": {"color": ink}},
        "tickfont": {"color": ink},
        "automargin": True,
    }
    return {
        "layout": {
            "font": {"family": FONT_FAMILY, "color": ink, "size": 13},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "colorway": list(BADGE_PALETTE),
            "title": {"font": {"color": ink, "size": 16}, "x": 0, "xanchor": "left"},
            "legend": {"font": {"color": ink}, "bgcolor": "rgba(0,0,0,0)"},
            "hoverlabel": {"bgcolor": _HOVER[tone], "font": {"color": ink, "family": FONT_FAMILY}},
            "xaxis": axis,
            "yaxis": axis,
            "margin": {"l": 10, "r": 10, "t": 48, "b": 10},
        }
    }

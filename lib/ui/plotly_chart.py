"""Plotly figures on the page, drawn with Plotly's basic bundle instead of `st.plotly_chart`'s.

`st.plotly_chart` loads Streamlit's 4.7 MB Plotly element in every new browser tab, which costs more
than a second of the browser's time before the first chart shows (measured by `bench/bench_pages.py`).
The console's charts only use bar and scatter traces, which Plotly's basic bundle (1.2 MB, the same
plotly.js version, vendored in `static/` and served by Streamlit's static file serving) draws. The
figures stay the plotly.py figures `lib/charts*.py` build; this module only puts them on the page,
themed for Streamlit's light or dark theme (`lib/chart_theme.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from plotly.utils import PlotlyJSONEncoder

from lib.chart_theme import chart_template
from lib.plotly_bundle import STATIC_URL

_SCRIPT = Path(__file__).with_suffix(".js").read_text(encoding="utf-8")
_HTML = '<div class="badge-console-chart" style="width: 100%"></div>'

_TEMPLATES = {"light": chart_template("light"), "dark": chart_template("dark")}
"""Both themes' templates: the browser picks by the page's text colour, which is right on the first
paint and after a theme switch (the server learns the theme only later)."""

_component = st.components.v2.component(
    "badge_console_plotly", html=_HTML, js=_SCRIPT, isolate_styles=False
)


@dataclass(frozen=True)
class ChartClick:
    """The point a person clicked: its trace's `customdata` for that point, and where it sits."""

    customdata: Any
    x: Any
    y: Any
    curve: int


def figure_json(figure: go.Figure) -> str:
    """The figure as Plotly JSON without plotly.py's default template (the page's theme replaces it)."""
    spec = figure.to_plotly_json()
    layout = {name: value for name, value in spec.get("layout", {}).items() if name != "template"}
    return json.dumps({"data": spec.get("data", []), "layout": layout}, cls=PlotlyJSONEncoder)


def load_chart_library() -> None:
    """Start loading the chart library in this tab before the page's first chart asks for it.

    `page_setup(charts=True)` sends it first, at the top of the sidebar (an empty element), so the
    browser fetches and evaluates the library while the page's own elements are still being worked
    out and drawn, instead of after them.
    """
    _component(key="chart_library", data={"bundle": STATIC_URL, "loadOnly": True})


def rerun_after_charts(key: str) -> None:
    """Rerun the page once this tab has drawn its charts (at the latest after 3 s).

    For a new tab's first run: an element that is heavy to start and sits below the fold (a data
    grid takes the browser about 0.15 s) is drawn in the run this starts, so the charts above it are
    not kept waiting. Draws nothing."""
    _component(key=key, data={"afterCharts": True}, on_drawn_change=_ignore)


def _ignore() -> None:
    """The click is read from the component's result in the rerun it starts, not in a callback."""


def plotly_chart(
    figure: go.Figure, *, key: str, clickable: bool = False, config: dict[str, Any] | None = None
) -> ChartClick | None:
    """Draw `figure`; with `clickable`, the point clicked in the run that the click started."""
    data = {
        "figure": figure_json(figure),
        "templates": _TEMPLATES,
        "config": config or {},
        "clicks": clickable,
        "bundle": STATIC_URL,
    }
    if not clickable:
        _component(key=key, data=data)
        return None
    click = _component(key=key, data=data, on_click_change=_ignore).click
    if not isinstance(click, dict):
        return None
    return ChartClick(click.get("customdata"), click.get("x"), click.get("y"), int(click.get("curve") or 0))

"""Plotly figures of the badge performance page, built from plain DataFrames (pure, like `lib.charts`).

Each figure is light on purpose (a few bar and line traces, no subplots): a new browser tab draws
it in milliseconds. Each title says what is counted; the page prints where the numbers come from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts import empty_figure
from lib.palette import CAP_COLOUR, MEASURE_COLOURS

HEIGHT = 340
MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
OPERATION_NAMES = {"enrol": "Enrolled by this console", "import": "Earned (imported by this console)"}
OPERATION_COLOURS = {"enrol": MEASURE_COLOURS["Enrolled"], "import": "#b07aa1"}


def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values, utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")


def _span_text(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    first = np.datetime_as_string(starts.astype("datetime64[D]"), unit="D")
    last = np.datetime_as_string(ends.astype("datetime64[D]") - np.timedelta64(1, "D"), unit="D")
    return np.char.add(np.char.add(first, " .. "), last)


def earned_and_enrolled(cycles: pd.DataFrame, activity: pd.DataFrame, *, colour: str) -> go.Figure:
    """Earned per badge-level cycle (from the API) beside what this console enrolled or imported in
    the same periods (from its bulk journals), on one time axis.

    `cycles`: start, end (exclusive), earns. `activity`: start, end, operation, count
    (`lib.console.performance.console_activity`, bucketed on the same cycles when there are any).
    """
    title = "Enrolled and earned over time"
    if cycles.empty and activity.empty:
        return empty_figure(
            title,
            "No dated counts: the badge has no badge-level fixed window, and this console has not "
            "enrolled or imported anyone for it",
            height=HEIGHT,
            margin=MARGIN,
        )
    fig = go.Figure()
    if not cycles.empty:
        starts, ends = _days(cycles["start"]), _days(cycles["end"])
        fig.add_trace(
            go.Bar(
                name="Earned (API, per cycle)",
                x=starts,
                y=cycles["earns"].to_numpy(),
                marker_color=colour,
                customdata=_span_text(starts, ends),
                hovertemplate="%{customdata}: %{y:,} earned<extra></extra>",
            )
        )
    for operation, rows in activity.groupby("operation", sort=True):
        starts, ends = _days(rows["start"]), _days(rows["end"])
        fig.add_trace(
            go.Bar(
                name=OPERATION_NAMES.get(str(operation), str(operation)),
                x=starts,
                y=rows["count"].to_numpy(),
                marker_color=OPERATION_COLOURS.get(str(operation), MEASURE_COLOURS["Earned"]),
                customdata=_span_text(starts, ends),
                hovertemplate="%{customdata}: %{y:,}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        title=title,
        barmode="group",
        bargap=0.15,
        xaxis={"type": "date"},
        yaxis={"title": "enrolments and earns (count)", "rangemode": "tozero"},
        height=HEIGHT,
        legend={"orientation": "h", "y": -0.15},
        margin=MARGIN,
    )
    return fig


def limit_usage(usage: pd.DataFrame, *, colour: str) -> go.Figure:
    """Each badge-level cycle's earns as a share of its maximum, the maximum drawn at 100%.

    `usage`: start, end, earns, max, usage, running (`lib.console.performance.cycle_usage`). The
    running cycle is drawn lighter: it is still counting."""
    title = "Limit usage per cycle (badge-level fixed window)"
    known = usage[usage["max"].notna() & (usage["max"] > 0)] if not usage.empty else usage
    if known.empty:
        return empty_figure(
            title,
            "No badge-level fixed window with a maximum: the API counts earns per cycle only for those",
            height=HEIGHT,
            margin=MARGIN,
        )
    starts, ends = _days(known["start"]), _days(known["end"])
    percent = (known["usage"].astype(float) * 100).to_numpy()
    running = known["running"].to_numpy(dtype=bool)
    detail = np.stack(
        [
            _span_text(starts, ends),
            known["earns"].astype(int).astype(str),
            known["max"].astype(int).astype(str),
        ],
        axis=1,
    )
    fig = go.Figure(
        go.Bar(
            name="Earns, % of the cycle's maximum",
            x=starts,
            y=percent,
            marker={"color": colour, "opacity": np.where(running, 0.45, 1.0)},
            customdata=detail,
            hovertemplate="%{customdata[0]}: %{customdata[1]} of %{customdata[2]} (%{y:.0f}%)<extra></extra>",
        )
    )
    peak = float(np.nanmax(percent)) if len(percent) else 0.0
    fig.update_layout(
        title=title,
        shapes=[
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 100, "y1": 100,
             "line": {"color": CAP_COLOUR, "dash": "dash", "width": 2}}
        ],
        annotations=[
            {"xref": "paper", "x": 1, "yref": "y", "y": 100, "text": "maximum", "showarrow": False,
             "xanchor": "right", "yanchor": "bottom", "font": {"color": CAP_COLOUR}}
        ],
        xaxis={"type": "date"},
        yaxis={"title": "% of the maximum per cycle", "range": [0, max(110.0, peak * 1.1)]},
        height=HEIGHT,
        showlegend=False,
        margin=MARGIN,
    )  # fmt: skip
    return fig

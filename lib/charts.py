"""Plotly figures for the console, built from plain DataFrames.

Every function is pure: a DataFrame in, a `plotly.graph_objects.Figure` out, with no Streamlit and no
API calls. Pages decide where a figure goes; tests check the figures as values.

The badge timeline draws hundreds or thousands of limit cycles, so each lane is ONE horizontal bar
trace (one bar per cycle, the way `px.timeline` does it) and the date markers are ONE shapes list.
Adding a shape per cycle would make a five-year daily badge take seconds and megabytes. The first
cycles of each fixed-window lane carry their number, and the time axis can tick on cycle boundaries,
so the cycles read as dates without hovering.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TIMELINE_COLUMNS = ("lane", "kind", "start", "end", "label")
"""Columns of the windows frame given to `badge_timeline`: one row per bar."""

MARKER_COLUMNS = ("label", "at")
"""Columns of the markers frame given to `badge_timeline`: one vertical line per row."""

_KIND_COLOURS = {
    "period": ("#4c78a8", "#4c78a8"),
    "customer": ("#f58518", "#ffbf79"),
    "badge": ("#54a24b", "#9ecf8f"),
    "rolling": ("#b279a2", "#d6a5c9"),
    "lifetime": ("#9d755d", "#c9a88f"),
    "enrolment": ("#e45756", "#e45756"),
    "earned": ("#72b7b2", "#72b7b2"),
}
_NEUTRAL = ("#bab0ac", "#d8d2cf")
MEASURE_COLOURS = {"Enrolments": "#4c78a8", "Earns": "#f58518"}
"""One colour per measure, the same on every chart that shows it."""
CYCLE_KINDS = ("customer", "badge")
"""Window kinds that are fixed-window cycles: their first bars carry their number."""
LABELLED_CYCLES = 8


def empty_figure(title: str, message: str, *, height: int = 260, margin: dict | None = None) -> go.Figure:
    """A titled figure that says why there is nothing to draw (every chart of the console uses it)."""
    fig = go.Figure()
    fig.update_layout(
        title=title,
        annotations=[
            {"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}
        ],
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=height,
    )
    if margin is not None:
        fig.update_layout(margin=margin)
    return fig


def issued_vs_earned(badges: pd.DataFrame, *, top: int = 15) -> go.Figure:
    """Enrolments and earns per badge side by side, busiest badges first, each bar with its number.

    `badges` needs the columns `name`, `issued` and `earned` (one row per badge). Both measures count
    events (one customer can earn a badge many times), so the axis says so, not "customers".
    """
    title = "Enrolments and earns per badge"
    if badges.empty:
        return empty_figure(title, "No badges match the filters")
    data = badges.assign(total=badges["issued"] + badges["earned"]).nlargest(top, "total").iloc[::-1]
    fig = go.Figure(
        [
            go.Bar(name=name, y=data["name"], x=data[column], orientation="h", marker_color=MEASURE_COLOURS[name],
                   text=data[column], texttemplate="%{x:,}", textposition="outside", cliponaxis=False)
            for name, column in (("Enrolments", "issued"), ("Earns", "earned"))
        ]
    )  # fmt: skip
    fig.update_layout(
        title=title,
        barmode="group",
        height=max(260, 90 + 38 * len(data)),
        legend={"orientation": "h", "y": -0.15},
        xaxis_title="enrolments and earns (count)",
        margin={"l": 10, "r": 40, "t": 50, "b": 10},
    )
    return fig


def count_by(values: pd.Series, *, title: str, category: str) -> go.Figure:
    """Bar chart of how many badges fall in each value of one column (status, owner module...).

    A badge with several owners counts once per owner, so pass the exploded series for owners.
    """
    if values.empty:
        return empty_figure(title, "No badges match the filters")
    counts = values.value_counts().sort_index()
    fig = go.Figure(
        go.Bar(x=counts.index.astype(str), y=counts.to_numpy(), text=counts.to_numpy(), textposition="outside",
               cliponaxis=False)
    )  # fmt: skip
    fig.update_layout(
        title=title,
        xaxis_title=category,
        yaxis_title="badges",
        height=300,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def earns_over_time(series: pd.DataFrame) -> go.Figure:
    """Earns per limit cycle, one row per badge, each bar as wide as its cycle.

    `series` has the columns `start` (cycle start), `end` (cycle end, exclusive), `badge` and `earns`.
    Badges count in cycles of different lengths (a week, a month), so each gets its own row on a
    shared time axis, instead of stacking weekly bars behind monthly ones; the rows share their count
    axis too, so badges compare at a glance.
    """
    title = "Earns per fixed-window cycle"
    if series.empty:
        return empty_figure(title, "No badge with a badge-level fixed window in this date range")
    badges = sorted(series["badge"].unique())
    fig = make_subplots(
        rows=len(badges),
        cols=1,
        shared_xaxes=True,
        shared_yaxes="all",
        subplot_titles=badges,
        vertical_spacing=0.08,
    )
    for row, badge in enumerate(badges, start=1):
        rows = series[series["badge"] == badge]
        start = pd.to_datetime(rows["start"], utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
        end = pd.to_datetime(rows["end"], utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
        width = (end - start).astype("int64")
        fig.add_trace(
            go.Bar(
                name=str(badge),
                x=start + (width // 2).astype("timedelta64[ms]"),
                y=rows["earns"].to_numpy(),
                width=width * 0.92,
                customdata=np.stack(
                    [
                        np.datetime_as_string(start, unit="D"),
                        np.datetime_as_string(end - np.timedelta64(1, "D"), unit="D"),
                    ],
                    axis=1,
                ),
                hovertemplate="%{customdata[0]} .. %{customdata[1]}: %{y} earns<extra></extra>",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(type="date")
    fig.update_yaxes(title_text="earns", rangemode="tozero")
    fig.update_layout(
        title=title,
        height=120 + 170 * len(badges),
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    return fig


def marker_labels(
    markers: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp], *, min_gap: float = 0.06
) -> list[tuple[str, str]]:
    """One (x, text) label per group of markers closer than `min_gap` of the drawn span.

    Today and the sample earn are the same day by default: two labels there would print on top of
    each other, so markers that close share one label ("today · sample earn") at the first of them.
    """
    if markers.empty:
        return []
    ordered = markers.sort_values("at", kind="stable")
    times = pd.to_datetime(ordered["at"]).tolist()
    width = max((pd.Timestamp(span[1]) - pd.Timestamp(span[0])).total_seconds(), 1.0)
    groups: list[tuple[pd.Timestamp, list[str]]] = []
    for at, label in zip(times, ordered["label"], strict=True):
        if groups and (at - groups[-1][0]).total_seconds() / width < min_gap:
            groups[-1][1].append(str(label))
        else:
            groups.append((at, [str(label)]))
    return [(str(at.to_datetime64().astype("datetime64[ms]")), " · ".join(labels)) for at, labels in groups]


def badge_timeline(
    windows: pd.DataFrame,
    markers: pd.DataFrame,
    *,
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    ticks: list | None = None,
) -> go.Figure:
    """Timeline of a badge: its period, every limit cycle, rolling windows and expiries.

    `windows` has TIMELINE_COLUMNS (one row per bar, lanes drawn top to bottom in first-seen order;
    `kind` picks the colour, neighbouring bars of a lane alternate shades so cycle edges show; the
    first cycles of each fixed-window lane are numbered). `markers` has MARKER_COLUMNS (today, the
    sample event date...). `ticks`: datetimes for the time axis (cycle boundaries), else automatic.
    Times are UTC.
    """
    title = "Badge timeline (UTC)"
    if windows.empty:
        return empty_figure(title, "Set a start and an end date to see the timeline")
    fig = go.Figure()
    lanes = list(dict.fromkeys(windows["lane"]))
    for lane, rows in windows.groupby("lane", sort=False):
        start = rows["start"].to_numpy(dtype="datetime64[ms]")
        duration = (rows["end"].to_numpy(dtype="datetime64[ms]") - start).astype("int64")
        dark, light = _KIND_COLOURS.get(rows["kind"].iloc[0], _NEUTRAL)
        shade = np.arange(len(rows), dtype=np.int8) % 2
        numbers = np.arange(1, len(rows) + 1)
        cycles = rows["kind"].iloc[0] in CYCLE_KINDS
        text = np.where(numbers <= LABELLED_CYCLES, numbers.astype(str), "") if cycles else None
        fig.add_trace(
            go.Bar(
                orientation="h",
                base=start,
                x=duration,
                y=np.full(len(rows), lane, dtype=object),
                marker={
                    "color": shade,
                    "colorscale": [[0, dark], [1, light]],
                    "cmin": 0,
                    "cmax": 1,
                    "line": {"width": 0},
                },
                customdata=rows["label"].to_numpy(dtype=object),
                hovertemplate="%{customdata}<extra></extra>",
                text=text,
                textposition="inside",
                insidetextanchor="middle",
                textfont={"size": 10},
                name=lane,
                showlegend=False,
            )
        )
    at = markers["at"].to_numpy(dtype="datetime64[ms]").astype(str) if not markers.empty else []
    span = x_range or (windows["start"].min(), windows["end"].max())
    fig.update_layout(
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dot", "width": 1.5, "color": "#333"},
            }
            for x in at
        ],
        annotations=[
            {
                "x": x,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "text": label,
                "showarrow": False,
                "yanchor": "bottom",
                "yshift": 14 * (i % 2),
                "font": {"size": 11},
            }
            for i, (x, label) in enumerate(marker_labels(markers, span))
        ],
        title={"text": title, "y": 0.98},
        barmode="overlay",
        bargap=0.35,
        xaxis=_time_axis(x_range, ticks),
        yaxis={"categoryorder": "array", "categoryarray": lanes, "autorange": "reversed"},
        height=120 + 42 * len(lanes),
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    return fig


def _time_axis(x_range, ticks) -> dict:
    axis: dict = {"type": "date", "range": list(x_range) if x_range else None}
    if ticks:
        stamps = pd.to_datetime(pd.Series(ticks), utc=True).dt.tz_localize(None)
        axis |= {"tickmode": "array", "tickvals": stamps.tolist(), "tickformat": "%d %b"}
    return axis

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

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.palette import BADGE_PALETTE, MEASURE_COLOURS, NEUTRAL

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


def dotted(name: str, colour: str | None) -> str:
    """A badge's name led by a dot of its colour (plotly draws this small HTML in labels; the name
    itself is escaped, so a badge called "<b>" reads as such)."""
    name = html.escape(str(name), quote=False)
    return f"<span style='color:{colour}'>\u25cf</span> {name}" if colour else name


def issued_vs_earned(
    badges: pd.DataFrame, *, top: int = 15, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """Enrolled and earned per badge side by side, busiest badges first, each bar with its number.

    `badges` needs the columns `name`, `issued` and `earned` (one row per badge), and `id` when
    `colours` (badge id -> colour) is given: each badge's bars then take its colour, solid for earned
    and light for enrolled, and its name is led by its dot; the bars carry the id (customdata), so a
    click can open the badge. Both measures count events (one customer can earn a badge many times),
    so the axis says so, not "customers".
    """
    title = "Enrolled and earned per badge"
    if badges.empty:
        return empty_figure(title, "No badges match the filters")
    data = badges.assign(total=badges["issued"] + badges["earned"]).nlargest(top, "total").iloc[::-1]
    ids = data["id"].tolist() if "id" in data else [None] * len(data)
    if colours is not None:
        labels = [dotted(name, colours.get(i)) for name, i in zip(data["name"], ids, strict=True)]
        fills = {name: [colours.get(i, NEUTRAL) for i in ids] for name in MEASURE_COLOURS}
    else:
        labels = [dotted(name, None) for name in data["name"]]
        fills = {name: MEASURE_COLOURS[name] for name in MEASURE_COLOURS}
    fig = go.Figure()
    for name, column, offset in (("Enrolled", "issued", 0.0), ("Earned", "earned", -0.42)):
        light = name == "Enrolled" and colours is not None
        fig.add_trace(
            go.Bar(name=name, y=labels, x=data[column], orientation="h", width=0.4, offset=offset,
                   marker={"color": fills[name], "opacity": 0.45 if light else 1.0,
                           "line": {"color": fills[name], "width": 1}},
                   text=data[column], texttemplate="%{x:,}", textposition="outside", cliponaxis=False,
                   textfont={"size": 11}, customdata=ids, showlegend=colours is None,
                   hovertemplate=f"%{{y}}: %{{x:,}} {name.lower()}<extra></extra>")
        )  # fmt: skip
    if colours is not None:  # the legend says which shade is which, in grey
        for name, opacity in (("Enrolled (light)", 0.45), ("Earned (solid)", 1.0)):
            fig.add_trace(go.Bar(name=name, x=[None], y=[None], orientation="h", showlegend=True, hoverinfo="skip",
                                 marker={"color": NEUTRAL, "opacity": opacity, "line": {"color": NEUTRAL, "width": 1}}))  # fmt: skip
    fig.update_layout(
        title=title,
        barmode="overlay",  # each badge's two bars sit side by side through their offsets
        height=max(300, 100 + 32 * len(data)),
        legend={"orientation": "h", "y": 1.0, "x": 1.0, "xanchor": "right", "yanchor": "bottom"},
        xaxis={"title": None, "tickformat": "~s"},
        margin={"l": 10, "r": 40, "t": 70, "b": 10},
    )
    return fig


def status_and_owners(
    statuses: pd.Series, owners: pd.Series, *, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """Badges by status and by owner module, side by side in ONE light figure (two bar traces).

    A badge with several owners counts once per owner, so pass the exploded series for owners.
    `colours` (status -> colour) paints the status bars the way every page does."""
    title = "Badges by status and by owner module"
    if statuses.empty:
        return empty_figure(title, "No badges match the filters")
    fig = go.Figure()
    for values, axis, paint in ((statuses, "x", colours), (owners, "x2", None)):
        counts = values.value_counts().sort_index()
        keys = counts.index.astype(str)
        fig.add_trace(
            go.Bar(x=keys, y=counts.to_numpy(), text=counts.to_numpy(), textposition="outside", cliponaxis=False,
                   xaxis=axis, yaxis="y", showlegend=False,
                   marker={"color": [paint.get(k, NEUTRAL) for k in keys] if paint else BADGE_PALETTE[0]},
                   hovertemplate="%{x}: %{y} badges<extra></extra>")
        )  # fmt: skip
    fig.update_layout(
        title=title,
        xaxis={"domain": [0.0, 0.3], "title": "status"},
        xaxis2={"domain": [0.38, 1.0], "title": "owner module", "anchor": "y"},
        yaxis={"title": "badges", "rangemode": "tozero"},
        height=320,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def _utc_naive(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_localize(None).astype("datetime64[ms]")


WEEK = pd.Timedelta(days=7)


def _naive(at: object) -> pd.Timestamp:
    """An instant as naive UTC, the unit of the time axes."""
    stamp = pd.Timestamp(at)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def per_day(series: pd.DataFrame, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """Earns per day of each cycle, cycles shorter than a week summed per week (from Monday).

    A daily badge's 365 cycles would draw as noise beside weekly and monthly lines; summed per week
    they read on the same footing. A cycle still running at `now` is divided by the days it has run
    (at least one), and a cycle that starts after `now` is left out. Columns: badge, badge_id, start,
    end, earns, days, rate, cycles (how many API cycles the row sums).
    """
    data = series.assign(start=_utc_naive(series["start"]), end=_utc_naive(series["end"]))
    if "badge_id" not in data:
        data["badge_id"] = ""
    at = None if now is None else _naive(now)
    if at is not None:
        data = data[data["start"] < at]
    short = (data["end"] - data["start"]) < WEEK
    week = data["start"].dt.normalize() - pd.to_timedelta(data["start"].dt.day_of_week, unit="D")
    bucket = data["start"].where(~short, week)
    rows = (
        data.assign(bucket=bucket, cycles=1)
        .groupby(["badge", "badge_id", "bucket"], sort=False)
        .agg(start=("start", "min"), end=("end", "max"), earns=("earns", "sum"), cycles=("cycles", "sum"))
        .reset_index()
        .drop(columns="bucket")
    )
    counted_end = rows["end"] if at is None else rows["end"].clip(upper=at)
    rows["days"] = ((counted_end - rows["start"]) / pd.Timedelta(days=1)).clip(lower=1.0)
    rows["rate"] = rows["earns"] / rows["days"]
    return rows.sort_values(["badge", "start"]).reset_index(drop=True)


def earns_over_time(
    series: pd.DataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    top: int | None = None,
    now: pd.Timestamp | None = None,
) -> go.Figure:
    """Earns per day, one line per badge on ONE shared axis, the busiest `top` badges.

    `series` has the columns `badge` (name), `start` (cycle start), `end` (cycle end, exclusive) and
    `earns`, and `badge_id` when `colours` (badge id -> colour) is given. Badges count in cycles of
    different lengths (a day, a week, a month), so each cycle's count is divided by its days
    (`per_day`): a daily, a weekly and a monthly badge then read on the same scale, as steps that
    hold for their cycle.
    """
    title = "Earns per day, by badge"
    if series.empty:
        return empty_figure(title, "No badge with a badge-level fixed window in this date range", height=380)
    data = per_day(series, now)
    totals = data.groupby("badge", sort=False)["earns"].sum().sort_values(ascending=False, kind="stable")
    shown = list(totals.index[:top] if top else totals.index)
    fig = go.Figure()
    for position, badge in enumerate(shown):
        rows = data[data["badge"] == badge]
        last = rows["end"].iloc[-1] if now is None else min(rows["end"].iloc[-1], _naive(now))
        x = np.append(
            rows["start"].to_numpy(), np.array([last], dtype="datetime64[ms]")
        )  # a running step ends now
        y = np.append(rows["rate"].to_numpy(), rows["rate"].to_numpy()[-1:])
        first = np.datetime_as_string(rows["start"].to_numpy(dtype="datetime64[D]"), unit="D")
        last = np.datetime_as_string(
            rows["end"].to_numpy(dtype="datetime64[D]") - np.timedelta64(1, "D"), unit="D"
        )
        detail = np.stack([first, last, rows["earns"].astype(str), rows["days"].round(1).astype(str)], axis=1)
        badge_id = rows["badge_id"].iloc[0]
        colour = (colours or {}).get(badge_id, BADGE_PALETTE[position % len(BADGE_PALETTE)])
        fig.add_trace(
            go.Scatter(
                name=html.escape(str(badge), quote=False),
                x=x,
                y=y,
                mode="lines",
                line={"shape": "hv", "width": 2.2, "color": colour},
                customdata=np.vstack([detail, detail[-1:]]),
                hovertemplate="%{fullData.name}<br>%{customdata[0]} .. %{customdata[1]}: %{customdata[2]}"
                " earns in %{customdata[3]} days (%{y:.0f} a day)<extra></extra>",
            )
        )
    of = (
        f"the {len(shown)} busiest of {len(totals)} badges"
        if len(shown) < len(totals)
        else f"{len(shown)} badges"
    )
    fig.update_layout(
        title={"text": f"{title} ({of})"},
        xaxis={"type": "date"},
        yaxis={"title": "earns per day", "rangemode": "tozero"},
        height=380,
        legend={"orientation": "h", "y": -0.12},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
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

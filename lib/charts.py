"""Vega-Lite charts for the console (through Altair), built from plain DataFrames.

Every function is pure: a DataFrame in, an Altair chart out, with no Streamlit and no API calls. Pages
decide where a chart goes; tests check the charts as Vega-Lite specs (`chart.to_dict()`).

Vega-Lite rather than Plotly: the browser loads Streamlit's Plotly bundle (4.7 MB of JavaScript) in
every new tab before it paints, which alone kept the Overview and the Badge editor from their first
useful paint for about a second on a two-core machine; the Vega bundle is a fraction of it.

Times go to the browser as epoch milliseconds on a UTC scale, so every viewer sees the same dates
whatever the time zone of the browser. The badge timeline draws up to thousands of limit cycles as
one layer of bars (one row of data each) and the date markers as one rule layer.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

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

# The timeline of a long daily badge has thousands of rows; Altair's default refuses charts over 5,000.
alt.data_transformers.disable_max_rows()

_UTC = alt.Scale(type="utc")
_DAY_FORMAT = "%d %b %Y"


def _millis(values) -> np.ndarray:
    """Epoch milliseconds (UTC) of datetimes, naive ones taken as UTC."""
    stamps = pd.to_datetime(
        pd.Series(list(values) if not isinstance(values, pd.Series) else values), utc=True
    )
    return ((stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)).to_numpy(dtype="int64")


def _empty(title: str, message: str) -> alt.Chart:
    """A titled chart that says why there is nothing to draw."""
    return (
        alt.Chart(pd.DataFrame({"message": [message]}), title=title)
        .mark_text(size=13)
        .encode(text="message:N")
        .properties(height=200)
    )


def issued_vs_earned(badges: pd.DataFrame, *, top: int = 15) -> alt.Chart:
    """Enrolments and earns per badge side by side, busiest badges first, each bar with its number.

    `badges` needs the columns `name`, `issued` and `earned` (one row per badge). Both measures count
    events (one customer can earn a badge many times), so the axis says so, not "customers".
    """
    title = "Enrolments and earns per badge"
    if badges.empty:
        return _empty(title, "No badges match the filters")
    data = badges.assign(total=badges["issued"] + badges["earned"]).nlargest(top, "total")
    order = data["name"].astype(str).tolist()
    long = pd.DataFrame(
        {
            "badge": np.repeat(order, 2),
            "measure": ["Enrolments", "Earns"] * len(data),
            "count": np.column_stack([data["issued"], data["earned"]]).ravel().astype("int64"),
        }
    )
    y = alt.Y("badge:N", sort=order, title=None)
    offset = alt.YOffset("measure:N", sort=list(MEASURE_COLOURS))
    base = alt.Chart(long).encode(y=y, yOffset=offset)
    bars = base.mark_bar().encode(
        x=alt.X("count:Q", title="enrolments and earns (count)"),
        color=alt.Color(
            "measure:N",
            scale=alt.Scale(domain=list(MEASURE_COLOURS), range=list(MEASURE_COLOURS.values())),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=[alt.Tooltip("badge:N"), alt.Tooltip("measure:N"), alt.Tooltip("count:Q", format=",")],
    )
    numbers = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x="count:Q", text=alt.Text("count:Q", format=",")
    )
    # Streamlit fits the whole chart (title, axes, legend) into `height`: room for them on top of the bars.
    return (bars + numbers).properties(title=title, height=110 + 40 * len(data))


def count_by(values: pd.Series, *, title: str, category: str) -> alt.Chart:
    """How many badges fall in each value of one column (status, owner module...), with the numbers.

    A badge with several owners counts once per owner, so pass the exploded series for owners.
    """
    if values.empty:
        return _empty(title, "No badges match the filters")
    counts = values.astype(str).value_counts().sort_index()
    data = pd.DataFrame({"value": counts.index.tolist(), "badges": counts.to_numpy().astype("int64")})
    axis = alt.Axis(labelAngle=0 if len(data) <= 4 else -30, labelLimit=140)
    base = alt.Chart(data).encode(x=alt.X("value:N", title=category, sort=None, axis=axis))
    bars = base.mark_bar().encode(
        y=alt.Y("badges:Q", title="badges"), tooltip=[alt.Tooltip("value:N", title=category), "badges:Q"]
    )
    numbers = base.mark_text(baseline="bottom", dy=-3, fontSize=11).encode(y="badges:Q", text="badges:Q")
    return (bars + numbers).properties(title=title, height=300)


def earns_over_time(series: pd.DataFrame) -> alt.Chart:
    """Earns per limit cycle, one row per badge on a shared time axis and a shared count axis.

    `series` has the columns `start` (cycle start), `end` (cycle end, exclusive), `badge` and `earns`.
    Each bar is as wide as its cycle (a week, a month), so weekly bars never hide behind monthly
    ones; the shared y-axis keeps badges comparable.
    """
    title = "Earns per fixed-window cycle"
    if series.empty:
        return _empty(title, "No badge with a badge-level fixed window in this date range")
    start, end = _millis(series["start"]), _millis(series["end"])
    gap = ((end - start) * 0.04).astype("int64")
    data = pd.DataFrame(
        {
            "badge": series["badge"].astype(str).to_numpy(),
            "start": start + gap,
            "end": end - gap,
            "first_day": pd.to_datetime(start, unit="ms").strftime("%Y-%m-%d"),
            "last_day": (pd.to_datetime(end, unit="ms") - pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "earns": series["earns"].to_numpy().astype("int64"),
        }
    )
    badges = sorted(data["badge"].unique())
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("start:T", scale=_UTC, title="cycle (UTC)", axis=alt.Axis(format=_DAY_FORMAT)),
            x2="end:T",
            y=alt.Y("earns:Q", title="earns"),
            color=alt.Color("badge:N", sort=badges, legend=None),
            tooltip=[
                alt.Tooltip("badge:N"),
                alt.Tooltip("first_day:N", title="from"),
                alt.Tooltip("last_day:N", title="to"),
                alt.Tooltip("earns:Q", format=","),
            ],
        )
        .properties(height=110)
    )
    return chart.facet(
        row=alt.Row("badge:N", sort=badges, title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        title=title,
    ).resolve_scale(y="shared")


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


CYCLE_KINDS = ("customer", "badge")
"""Window kinds that are fixed-window cycles: their first bars carry their number."""
LABELLED_CYCLES = 8


def badge_timeline(
    windows: pd.DataFrame,
    markers: pd.DataFrame,
    *,
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    ticks: list | None = None,
) -> alt.Chart | alt.LayerChart:
    """Timeline of a badge: its period, every limit cycle, rolling windows and expiries.

    `windows` has TIMELINE_COLUMNS (one row per bar, lanes drawn top to bottom in first-seen order;
    `kind` picks the colour, neighbouring bars of a lane alternate shades so cycle edges show; the
    first cycles of each fixed-window lane are numbered). `markers` has MARKER_COLUMNS (today, the
    sample event date...). `ticks`: datetimes for the time axis (cycle boundaries), else automatic.
    Times are UTC.
    """
    title = "Badge timeline (UTC)"
    if windows.empty:
        return _empty(title, "Set a start and an end date to see the timeline")
    lanes = list(dict.fromkeys(windows["lane"]))
    shade = windows.groupby("lane", sort=False).cumcount().to_numpy() % 2
    tones = [f"{kind}:{s}" for kind, s in zip(windows["kind"], shade, strict=True)]
    data = pd.DataFrame(
        {
            "lane": windows["lane"].to_numpy(),
            "tone": tones,
            "start": _millis(windows["start"]),
            "end": _millis(windows["end"]),
            "label": windows["label"].astype(str).to_numpy(),
        }
    )
    domain = sorted(set(tones))
    palette = [_KIND_COLOURS.get(t.split(":")[0], _NEUTRAL)[int(t.split(":")[1])] for t in domain]
    span = x_range or (windows["start"].min(), windows["end"].max())
    scale = alt.Scale(type="utc", domain=[int(v) for v in _millis(list(x_range))]) if x_range else _UTC
    axis = alt.Axis(format=_DAY_FORMAT, labelOverlap=True)
    if ticks:
        days = pd.to_datetime(pd.Series(ticks), utc=True)
        values = [alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True) for d in days]
        axis = alt.Axis(format="%d %b", values=values, labelOverlap="greedy")
    x = alt.X("start:T", scale=scale, title=None, axis=axis)
    y = alt.Y("lane:N", sort=lanes, title=None, axis=alt.Axis(labelLimit=220))  # the same in every layer
    bars = (
        alt.Chart(data)
        .mark_bar(clip=True)
        .encode(
            x=x,
            x2="end:T",
            y=y,
            color=alt.Color("tone:N", scale=alt.Scale(domain=domain, range=palette), legend=None),
            tooltip=[alt.Tooltip("label:N", title="window")],
        )
    )
    layers = [bars]
    numbered = data[windows["kind"].isin(CYCLE_KINDS).to_numpy()].copy()
    if not numbered.empty:
        numbered["number"] = numbered.groupby("lane", sort=False).cumcount() + 1
        numbered = numbered[numbered["number"] <= LABELLED_CYCLES]
        numbered["middle"] = (numbered["start"] + numbered["end"]) // 2
        layers.append(
            alt.Chart(numbered)
            .mark_text(fontSize=10, color="#222", clip=True)
            .encode(x=alt.X("middle:T", scale=scale, title=None, axis=axis), y=y, text="number:Q")
        )
    labels = marker_labels(markers, span)
    if labels:
        at = pd.DataFrame({"at": _millis(markers["at"])})
        text = pd.DataFrame({"at": _millis([x for x, _ in labels]), "text": [t for _, t in labels]})
        at_x = alt.X("at:T", scale=scale, title=None, axis=axis)  # layers merge axes: give them one
        rules = alt.Chart(at).mark_rule(strokeDash=[3, 3], strokeWidth=1.5, color="#888").encode(x=at_x)
        names = (
            alt.Chart(text)
            .mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontSize=11, clip=False)
            .encode(x=at_x, y=alt.value(0), text="text:N")
        )
        layers += [rules, names]
    chart = alt.layer(*layers) if len(layers) > 1 else bars
    # The height covers title, marker labels and the time axis as well as the lanes.
    return chart.properties(title=alt.Title(title, anchor="start"), height=110 + 38 * len(lanes))

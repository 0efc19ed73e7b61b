"""Plotly figures of a bulk job's results, built from plain values (no Streamlit, no API calls).

Each figure carries its meaning without hovering: a title, axis titles that say what is counted and in
which unit, and the number on every bar that is compared. The time axis counts from the job's start
in the unit its length calls for, so a job of a second reads in seconds and one of hours in hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lib.bulk.wording import plural
from lib.charts import empty_figure

HEIGHT = 320
MARGIN = {"l": 10, "r": 10, "t": 70, "b": 50}  # room below for the x-axis title

OUTCOME_COLOURS = {
    "succeeded": "#54a24b",
    "failed": "#e45756",
    "skipped": "#bab0ac",
    "pending": "#4c78a8",
    "unknown": "#f58518",
}
_OTHER = "#9d755d"


@dataclass(frozen=True)
class TimeUnit:
    """How a span of time is shown on an axis: its name and how many seconds one unit holds."""

    name: str  # "s", "min", "h"
    seconds: float
    words: str  # "seconds", "minutes", "hours"


SECONDS = TimeUnit("s", 1.0, "seconds")
MINUTES = TimeUnit("min", 60.0, "minutes")
HOURS = TimeUnit("h", 3600.0, "hours")


def time_unit(span_seconds: float) -> TimeUnit:
    """Seconds up to two minutes, minutes up to two hours, hours beyond."""
    if span_seconds < 120:
        return SECONDS
    if span_seconds < 2 * 3600:
        return MINUTES
    return HOURS


def _duration(seconds: float) -> str:
    unit = time_unit(seconds)
    value = seconds / unit.seconds
    return f"{value:,.1f} {unit.name}" if value < 100 else f"{value:,.0f} {unit.name}"


def _rate(rows_per_second: float) -> str:
    if rows_per_second >= 10:
        return f"{rows_per_second:,.0f} rows/s"
    if rows_per_second >= 1:
        return f"{rows_per_second:,.1f} rows/s"
    return f"{rows_per_second * 60:,.1f} rows/min"


def _empty(title: str, message: str) -> go.Figure:
    return empty_figure(title, message, height=HEIGHT, margin=MARGIN)


def _count_axis(values: pd.Series | list[int]) -> dict:
    """A count axis from zero with whole-number ticks (no "0.5 rows")."""
    top = max([0, *[int(v) for v in values]])
    axis: dict = {"rangemode": "tozero", "tickformat": ",d", "range": [0, max(top, 1) * 1.15]}
    if top <= 5:
        axis.update(tick0=0, dtick=1)
    return axis


def outcome_bars(labels: pd.Series) -> go.Figure:
    """Rows per outcome ("succeeded", "failed · 816", "skipped · cancelled"...), each bar numbered.

    `labels` has one value per row of the job (see `lib.bulk.results.outcome_labels`).
    """
    title = "Rows by outcome"
    if labels.empty:
        return _empty(title, "The job has no rows")
    counts = labels.astype(str).value_counts().sort_index()
    status = [label.split(" · ", 1)[0] for label in counts.index]
    fig = go.Figure(
        go.Bar(
            x=counts.index.tolist(),
            y=counts.to_numpy(),
            text=[f"{n:,}" for n in counts.to_numpy()],
            textposition="outside",
            cliponaxis=False,
            marker={"color": [OUTCOME_COLOURS.get(s, _OTHER) for s in status]},
            hovertemplate="%{x}: %{y:,} rows<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "subtitle": {"text": f"{plural(len(labels), 'row')} in the job"}},
        xaxis_title="outcome · error code or reason",
        yaxis={"title": "rows", **_count_axis(counts)},
        height=HEIGHT,
        margin=MARGIN,
        showlegend=False,
    )
    return fig


def rows_over_time(points: pd.DataFrame, *, started_at: float | None = None) -> go.Figure:
    """Running total of rows sent and answered, from the job's start, in the unit its span calls for.

    `points` has the columns `at` (a batch's finish, UTC timestamps) and `cumulative` (rows answered so
    far), as `lib.bulk.results.throughput` returns them; `started_at` is the job's start (epoch seconds),
    else the first batch's finish.
    """
    title = "Rows sent over time"
    if points.empty:
        return _empty(title, "No rows were sent: every row was settled before sending")
    at = pd.to_datetime(points["at"], utc=True)
    finished = (at - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()  # whatever the resolution
    start = float(started_at) if started_at is not None else float(finished[0])
    elapsed = (finished - start).clip(min=0.0)
    span = max(float(elapsed[-1]), 1e-3)
    unit = time_unit(span)
    cumulative = points["cumulative"].astype("int64").tolist()
    total = cumulative[-1]
    x = [0.0, *(elapsed / unit.seconds).tolist()]
    y = [0, *cumulative]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers",
            line={"color": "#4c78a8"},
            hovertemplate=f"%{{x:,.2f}} {unit.name}: %{{y:,}} rows<extra></extra>",
        )
    )
    fig.update_layout(
        title={
            "text": title,
            "subtitle": {"text": f"{plural(total, 'row')} in {_duration(span)} ({_rate(total / span)})"},
        },
        xaxis={"title": f"time since the job started ({unit.words})", "rangemode": "tozero"},
        yaxis={"title": "rows answered (running total)", **_count_axis(y)},
        height=HEIGHT,
        margin=MARGIN,
        showlegend=False,
    )
    return fig


def badge_totals(name: str, *, issued: int, earned: int) -> go.Figure:
    """The badge's enrolments and earns as the server counts them now, one numbered bar each.

    They count different things (a customer is enrolled once but may earn many times), so they are
    two labelled bars side by side, never overlapping series on a "customers" axis.
    """
    categories = ["Earns", "Enrolments (issued)"]
    values = [int(earned), int(issued)]
    fig = go.Figure(
        go.Bar(
            y=categories,
            x=values,
            orientation="h",
            text=[f"{v:,}" for v in values],
            textposition="outside",
            cliponaxis=False,
            marker={"color": ["#72b7b2", "#4c78a8"]},
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": "The badge's totals now", "subtitle": {"text": f"{name}, all customers, all jobs"}},
        xaxis={"title": "enrolments or earns", "nticks": 4, **_count_axis(values)},
        yaxis={"title": None},
        height=HEIGHT,
        margin={**MARGIN, "r": 40},
        showlegend=False,
    )
    return fig

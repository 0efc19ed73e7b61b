"""The badge editor's live preview: the timeline of the edited badge and its cycles as dates.

Drawn from the unsaved form on every run. An invalid value hides only what it affects (the preview
says which part it left out and why); the sample earn stays inside the badge period; every
fixed-window limit gets a table of its cycles beside the timeline (customer and badge level side by
side), and a long badge's timeline zooms on its first or current cycles.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from lib import charts
from lib.console.cycle_table import (
    OPEN_END_DAYS,
    VIEWS,
    ZOOM_ABOVE,
    CycleTable,
    cycle_tables,
    default_view,
    ticks_within,
    zoom_range,
)
from lib.console.editor import PreviewRules
from lib.console.preview import timeline_frames
from lib.domain import BadgeRules
from lib.ui.editor_state import SAMPLE_KEY, keep_sample_in
from lib.ui.plotly_chart import plotly_chart


def _sample_bounds(rules: BadgeRules, now: datetime) -> tuple[date, date]:
    """The days an earn can happen on: the badge period (an open-ended badge: its next year)."""
    end = rules.end or max(rules.start, now) + timedelta(days=OPEN_END_DAYS)
    return rules.start.date(), max(end.date(), rules.start.date())


def _default_sample(rules: BadgeRules, now: datetime) -> date:
    """Today while the badge runs; otherwise its first day."""
    low, high = _sample_bounds(rules, now)
    return now.date() if low <= now.date() <= high else low


def draw_preview(parts: PreviewRules, now: datetime) -> None:
    """The live timeline and cycle tables of the edited (unsaved) badge, from its planned rules
    (`Evaluation.preview`): every valid part is drawn, each invalid one named with why."""
    st.subheader("Preview")
    for reason in parts.left_out:
        st.warning(f"Not drawn: {reason}", icon=":material/visibility_off:")
    rules = parts.rules
    if rules is None:
        return
    low, high = _sample_bounds(rules, now)
    keep_sample_in((low, high), lambda: _default_sample(rules, now))
    sample_day = st.date_input(
        "Sample earn on (UTC)",
        key=SAMPLE_KEY,
        min_value=low,
        max_value=high,
        help="Rolling windows are drawn back from this moment, and expiries counted from it. "
        "It stays inside the badge period: no earn can happen outside it.",
    )
    sample = datetime.combine(sample_day, time(12), tzinfo=UTC)
    tables = cycle_tables(rules, now)
    timeline = timeline_frames(rules, sample=sample, now=now)
    span, ticks = None, None
    longest = max(tables, key=lambda t: len(t.frame), default=None)
    if longest is not None:
        if len(longest.frame) > ZOOM_ABOVE:
            view = st.segmented_control(
                "Timeline shows", VIEWS, default=default_view(longest), key="ed_zoom", required=True
            )
            span = zoom_range(longest, view or default_view(longest))
        ticks = ticks_within(longest, span)
    x_range = timeline.x_range if span is None else tuple(_naive(moment) for moment in span)
    plotly_chart(
        charts.badge_timeline(timeline.windows, timeline.markers, x_range=x_range, ticks=ticks),
        key="ed_timeline",
    )
    expiry = rules.earned_expires_at(sample)
    if expiry is not None:
        st.caption(f"An earn processed {sample:%Y-%m-%d %H:%M} UTC expires {expiry:%Y-%m-%d %H:%M} UTC.")
    _draw_cycle_tables(tables)


def _naive(moment: datetime) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert(None)


def _draw_cycle_tables(tables: list[CycleTable]) -> None:
    """Each fixed-window limit's cycles as dates; customer and badge level side by side."""
    if not tables:
        return
    columns = st.columns(len(tables)) if len(tables) > 1 else [st.container()]
    for index, (column, table) in enumerate(zip(columns, tables, strict=True)):
        with column:
            st.markdown(f"**{table.title}**")
            st.caption(table.summary)
            page = 1
            if table.pages > 1:
                page = st.number_input(
                    f"Page (of {table.pages})",
                    min_value=1,
                    max_value=table.pages,
                    value=table.page_of_running(),
                    key=f"ed_cycles_page_{index}",
                )
            st.table(table.page(int(page)))

"""How the org's badges are doing: table with filters, KPIs, charts, drill-down to the editor, export."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from lib import charts
from lib.bulk.export import csv_bytes
from lib.console.overview import (
    DISPLAY_LABELS,
    TABLE_COLUMNS,
    TableFilter,
    display_table,
    filter_table,
    in_range,
    kpis,
    owners_series,
)
from lib.domain import BadgeStatus, EarnType, OwnerType
from lib.ui import call_api, open_in_editor, page_setup, reads
from lib.ui.tables import selected_row

conn = page_setup("Overview")

with st.container(horizontal=True):
    status = st.multiselect("Status", [s.value for s in BadgeStatus], key="ov_status")
    earn_type = st.selectbox(
        "Earn type",
        [None, *[e.value for e in EarnType]],
        key="ov_earn_type",
        format_func=lambda v: "Any" if v is None else v,
    )
    owner = st.selectbox(
        "Owner",
        [None, *[o.value for o in OwnerType]],
        key="ov_owner",
        format_func=lambda v: "Any" if v is None else v,
    )
    active = st.selectbox(
        "Active",
        [None, "ACTIVATED", "DE_ACTIVATED"],
        key="ov_active",
        format_func={None: "Any", "ACTIVATED": "Active", "DE_ACTIVATED": "Inactive"}.get,
    )

table = call_api(
    "Load badges", lambda: reads.badges(conn, status=status, earn_type=earn_type, owner=owner, action=active)
)
if table is None:
    st.stop()

with st.container(horizontal=True):
    search = st.text_input("Search by name", key="ov_search", placeholder="part of a badge name")
    group_names = sorted(g for g in table["group"].unique() if g)
    chosen_groups = st.multiselect("Group", group_names, key="ov_groups")
shown = filter_table(table, TableFilter(groups=tuple(chosen_groups), search=search))

numbers = kpis(shown)
with st.container(horizontal=True):
    st.metric("Badges", numbers.badges, border=True)
    st.metric("Live", numbers.live, border=True)
    st.metric("Active", numbers.active, border=True)
    st.metric("Enrolments (issued)", f"{numbers.issued:,}", border=True)
    st.metric("Earns", f"{numbers.earned:,}", border=True)

st.subheader("Badges")
st.caption("Select a row to open the badge in the editor.")
picked = selected_row(
    display_table(shown),
    key="ov_table",
    column_order=[column for column in TABLE_COLUMNS if column != "id"],
    column_config=DISPLAY_LABELS | {"active": st.column_config.CheckboxColumn("Active")},
)
with st.container(horizontal=True):
    st.download_button(
        "Export CSV",
        data=lambda: csv_bytes(shown),
        file_name="badges.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="ov_export",
    )
    if st.button("New badge", icon=":material/add:", key="ov_new"):
        open_in_editor(None)
if picked is not None:
    open_in_editor(shown.iloc[picked]["id"])

left, right = st.columns(2)
left.plotly_chart(charts.issued_vs_earned(shown), key="ov_chart_issued")
with right:
    st.plotly_chart(
        charts.count_by(shown["status"], title="Badges by status", category="status"), key="ov_chart_status"
    )
    st.plotly_chart(
        charts.count_by(owners_series(shown), title="Badges by owner module", category="owner"),
        key="ov_chart_owner",
    )

st.subheader("Earns over time")
today = datetime.now(UTC).date()
period = st.date_input("Date range (UTC)", (today - timedelta(days=365), today), key="ov_range")
if isinstance(period, tuple) and len(period) == 2:
    start = datetime.combine(period[0], time.min, tzinfo=UTC)
    end = datetime.combine(period[1], time.max, tzinfo=UTC)
    busiest = shown.sort_values("earned", ascending=False)
    series = call_api(
        "Load earn counts per cycle",
        lambda: reads.earn_series(conn, list(zip(busiest["id"], busiest["name"], strict=True)), start, end),
    )
    if series is not None:
        st.plotly_chart(charts.earns_over_time(in_range(series, start, end)), key="ov_chart_time")
st.caption(
    "Earns per cycle come from getFixedWindowDetails (includeEarnCount) of badges with a badge-level fixed "
    f"window (the {reads.MAX_SERIES_BADGES} busiest shown). The API keeps no dated history of enrolments or of "
    "badges without such a limit, so they have no time series; their totals are in the table above."
)

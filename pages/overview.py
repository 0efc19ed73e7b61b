"""How the org's badges are doing: KPIs and charts first, the badge table below, a report to share."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from lib import charts
from lib.bulk.export import csv_bytes
from lib.console.overview import (
    DISPLAY_LABELS,
    SOURCES,
    TABLE_COLUMNS,
    TableFilter,
    display_table,
    filter_summary,
    filter_table,
    in_range,
    kpis,
    overview_kpis,
    overview_report,
    owners_series,
)
from lib.console.report import report_bytes
from lib.domain import BadgeStatus, EarnType, OwnerType
from lib.palette import STATUS_COLOURS, badge_colours
from lib.ui import call_api, open_in_editor, open_performance, page_setup, reads
from lib.ui.overview import OverviewState
from lib.ui.plotly_chart import plotly_chart, rerun_after_charts
from lib.ui.presenting import draw_title_line, report_button, report_file_name, report_note
from lib.ui.tables import selected_row

TOP = {"5": 5, "10": 10, "All": None}

conn = page_setup("Overview", charts=True)
now = conn.now()
draw_title_line(conn, now)

state = OverviewState.get()
filters = st.expander("Filters", icon=":material/filter_list:", key=OverviewState.FILTERS, on_change="rerun")
choice = state.choice
if filters.open:  # drawn only while open: a closed panel keeps its choice in `state`
    state.restore_widgets()
    with filters, st.container(horizontal=True):
        keys = OverviewState.WIDGETS
        status = st.multiselect("Status", [s.value for s in BadgeStatus], key=keys["status"])
        earn_type = st.selectbox("Earn type", [None, *[e.value for e in EarnType]], key=keys["earn_type"],
                                 format_func=lambda v: "Any" if v is None else v)  # fmt: skip
        owner = st.selectbox("Owner", [None, *[o.value for o in OwnerType]], key=keys["owner"],
                             format_func=lambda v: "Any" if v is None else v)  # fmt: skip
        active = st.selectbox("Active", [None, "ACTIVATED", "DE_ACTIVATED"], key=keys["active"],
                              format_func={None: "Any", "ACTIVATED": "Active", "DE_ACTIVATED": "Inactive"}.get)  # fmt: skip
    state.keep(status=status, earn_type=earn_type, owner=owner, active=active)
    choice = state.choice
status, earn_type, owner, active = list(choice.status), choice.earn_type, choice.owner, choice.active

org_table = call_api("Load badges", lambda: reads.badges(conn))
table = call_api(
    "Load badges", lambda: reads.badges(conn, status=status, earn_type=earn_type, owner=owner, action=active)
)
if table is None or org_table is None:
    st.stop()
colours = badge_colours(org_table["id"])

last_year = (now.date() - timedelta(days=365), now.date())  # follows the sandbox clock unless changed
search, chosen_groups, period = choice.search, list(choice.groups), state.period(last_year)
if filters.open:  # the rest of the panel, which needs the badges' groups
    with filters, st.container(horizontal=True):
        search = st.text_input("Search by name", key=OverviewState.WIDGETS["search"],
                               placeholder="part of a badge name")  # fmt: skip
        chosen_groups = st.multiselect("Group", sorted(g for g in table["group"].unique() if g),
                                       key=OverviewState.WIDGETS["groups"])  # fmt: skip
        state.offer_range(last_year)
        period = st.date_input("Earns over time (UTC)", key=OverviewState.RANGE)
    state.keep(search=search, groups=chosen_groups)
    state.keep_range(period, last_year)
shown = filter_table(table, TableFilter(groups=tuple(chosen_groups), search=search))

numbers = kpis(shown)
with st.container(horizontal=True):
    for kpi in overview_kpis(numbers):
        st.metric(kpi.label, kpi.value, help=kpi.note, border=True)

left, right = st.columns([3, 2])
issued_figure = charts.issued_vs_earned(shown, colours=colours, top=12)
with right:
    picked_bar = plotly_chart(issued_figure, key="ov_chart_issued", clickable=True)
with left:
    top = st.segmented_control("Badges drawn", list(TOP), default="5", key="ov_top", required=True,
                               format_func=lambda k: "All badges" if k == "All" else f"Busiest {k}",
                               label_visibility="collapsed")  # fmt: skip
    time_figure = charts.empty_figure("Earns per day, by badge", "Choose the first and last day", height=380)
    if isinstance(period, tuple) and len(period) == 2:
        start = datetime.combine(period[0], time.min, tzinfo=UTC)
        end = datetime.combine(period[1], time.max, tzinfo=UTC)
        busiest = org_table.sort_values("earned", ascending=False)
        series = call_api(
            "Load earn counts per cycle",
            lambda: reads.earn_series(
                conn, list(zip(busiest["id"], busiest["name"], strict=True)), start, end
            ),
        )
        if series is not None:
            series = in_range(series[series["badge_id"].isin(shown["id"])], start, end)
            time_figure = charts.earns_over_time(series, colours=colours, top=TOP[top], now=now)
    plotly_chart(time_figure, key="ov_chart_time")
st.caption(SOURCES + " Click a badge's bar to see its performance.")

clicked = picked_bar.customdata if picked_bar else None
if clicked:
    open_performance(str(clicked[0] if isinstance(clicked, list) else clicked))

status_figure = charts.status_and_owners(shown["status"], owners_series(shown), colours=STATUS_COLOURS)
with st.container(horizontal=True, vertical_alignment="bottom"):
    names = dict(zip(org_table["id"], org_table["name"], strict=True))
    one = st.selectbox("Badge performance", list(names), index=None, format_func=names.get, key="ov_open_badge",
                       placeholder="Choose a badge to see its performance")  # fmt: skip
    scope = filter_summary(len(shown), len(org_table), status=status, earn_type=earn_type, owner=owner,
                           active=active, search=search, groups=chosen_groups)  # fmt: skip
    report_button(
        lambda: report_bytes(
            overview_report(
                org=conn.org, backend=conn.backend, as_of=now, generated_at=datetime.now(UTC),
                clock_note=report_note(now), numbers=numbers, figures=(time_figure, issued_figure),
                status_figures=(status_figure,), table=shown, filters=scope,
            )
        ),
        file_name=report_file_name("overview", conn.org, now),
        key="ov_report",
    )  # fmt: skip
    st.download_button("Export CSV", data=lambda: csv_bytes(shown), file_name="badges.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:", key="ov_export")  # fmt: skip
    if st.button("New badge", icon=":material/add:", key="ov_new"):
        open_in_editor(None)
if one:
    open_performance(one)

st.subheader("Badges")
st.caption("Select a row to open the badge in the editor.")
if state.table_waits():
    rerun_after_charts(key="ov_table_after_charts")
else:
    rows = display_table(shown).assign(
        name=[[name] for name in shown["name"]], status=[[status] for status in shown["status"]]
    )
    picked = selected_row(
        rows,
        key="ov_table",
        column_order=[column for column in TABLE_COLUMNS if column != "id"],
        column_config=DISPLAY_LABELS
        | {
            "active": st.column_config.CheckboxColumn("Active"),
            "name": st.column_config.MultiselectColumn(
                "Name", options=list(org_table["name"]), color=[colours[i] for i in org_table["id"]]
            ),
            "status": st.column_config.MultiselectColumn(
                "Status",
                options=list(STATUS_COLOURS),
                color=list(STATUS_COLOURS.values()),
                help="LIVE, UPCOMING or EXPIRED by the badge's dates; a switched-off badge is unticked under Active",
            ),
        },
    )
    if picked is not None:
        open_in_editor(shown.iloc[picked]["id"])

plotly_chart(status_figure, key="ov_chart_status")

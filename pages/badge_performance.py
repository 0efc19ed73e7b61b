"""One badge's performance: enrolled vs earned over time, limit usage per cycle, the next cycle
boundaries, what expires soon and the jobs of this console on it (`?badge=<id>`)."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from lib.api.convert import badge_rules
from lib.charts_performance import earned_and_enrolled, limit_usage
from lib.console.expiring import expiring_soon
from lib.console.performance import (
    EARNED_SOURCE,
    EXPIRY_SOURCE,
    USAGE_SOURCE,
    badge_caps,
    badge_facts,
    badge_figures,
    badge_report,
    boundaries_table,
    console_activity,
    cycle_usage,
    jobs_table,
    overall_cap,
)
from lib.console.report import report_bytes
from lib.console.timetravel import moment
from lib.palette import STATUS_BADGE, badge_colours
from lib.ui import call_api, open_in_editor, page_setup, reads
from lib.ui.performance import PerformanceState, console_jobs
from lib.ui.plotly_chart import plotly_chart
from lib.ui.presenting import draw_title_line, report_button, report_file_name, report_note

HISTORY = timedelta(days=365)

conn = page_setup("Badge performance", charts=True)
now = conn.now()
draw_title_line(conn, now)

org = call_api("Load badges", lambda: reads.badges(conn))
if org is None:
    st.stop()
if org.empty:
    st.info("This org has no badges yet.", icon=":material/info:")
    st.stop()
names = dict(zip(org["id"], org["name"], strict=True))
busiest = org.sort_values("earned", ascending=False)["id"].iloc[0]
wanted = st.query_params.get("badge", busiest)
state = PerformanceState.get()
state.follow_url(wanted, names, busiest)


def _follow_pick() -> None:
    st.query_params["badge"] = state.picked()


with st.container(horizontal=True, vertical_alignment="bottom"):
    badge_id = st.selectbox(
        "Badge", list(names), format_func=names.get, key=PerformanceState.PICK, on_change=_follow_pick
    )
    edit = st.button("Open in editor", icon=":material/edit_note:", key="bp_edit")
    report_slot = st.empty()
if edit:
    open_in_editor(badge_id)
state.show(badge_id)  # the sidebar's "Next cycle" jumps to this badge's boundary

row = org[org["id"] == badge_id].iloc[0]
last_day = datetime.combine(now.date(), time.max, tzinfo=UTC)
first_day = datetime.combine((now - HISTORY).date(), time.min, tzinfo=UTC)
read = call_api(
    "Load the badge and its cycles", lambda: reads.badge_page(conn, badge_id, first_day, last_day)
)
if read is None:
    st.stop()
rules = badge_rules(read.badge)
colour = badge_colours(org["id"])[badge_id]
enrol_type = row["earn_type"] == "ISSUE_EARN"
facts = badge_facts(rules)

with st.container(horizontal=True, vertical_alignment="center"):
    st.badge(row["status"], color=STATUS_BADGE.get(row["status"], "gray"))
    if not row["active"]:
        st.badge("switched off", color=STATUS_BADGE["INACTIVE"])
    st.caption(facts)

usage = cycle_usage(read.cycles, badge_caps(read.badge), now)
figures = badge_figures(
    issued=int(row["issued"]), earned=int(row["earned"]), enrol_type=enrol_type, usage=usage,
    overall=overall_cap(read.badge),
)  # fmt: skip
with st.container(horizontal=True):
    for figure in figures:
        st.metric(figure.label, figure.value, help=figure.help, border=True)

jobs, console = console_jobs(conn, badge_id)
left, right = st.columns(2)
over_time = earned_and_enrolled(read.cycles, console_activity(console, read.cycles), colour=colour)
with left:
    plotly_chart(over_time, key="bp_chart_time")
left.caption(EARNED_SOURCE)
usage_figure = limit_usage(usage, colour=colour)
with right:
    plotly_chart(usage_figure, key="bp_chart_usage")
right.caption(USAGE_SOURCE)

boundaries = boundaries_table(badge_id, names[badge_id], rules, now)
expiring = expiring_soon(
    rules, issued=int(row["issued"]), earned=int(row["earned"]), cycles=read.cycles, console=console, now=now
)
left, right = st.columns(2)
with left:
    st.subheader("Next cycle boundaries")
    if boundaries.empty:
        st.caption("No fixed-window limit: the counts never reset.")
    else:
        st.table(boundaries, hide_index=True)  # a few rows: a plain table draws sooner than a grid
with right:
    st.subheader("Expiring in the next 30 days")
    st.table(expiring, hide_index=True)
    st.caption(EXPIRY_SOURCE)

st.subheader("Bulk jobs of this console on this badge")
jobs_frame = jobs_table(jobs)
if jobs_frame.empty:
    st.caption("None yet: enrolments and imports sent from the Bulk pages appear here, with their counts.")
else:
    st.dataframe(jobs_frame, hide_index=True, key="bp_jobs")

with report_slot:
    report_button(
        lambda: report_bytes(
            badge_report(
                name=names[badge_id], badge_id=badge_id, org=conn.org, backend=conn.backend, as_of=now,
                generated_at=datetime.now(UTC), clock_note=report_note(now), facts=facts, figures=figures,
                charts=(over_time, usage_figure), boundaries=boundaries, expiring=expiring, jobs=jobs_frame,
            )
        ),
        file_name=report_file_name(names[badge_id], conn.org, now),
        key="bp_report",
    )  # fmt: skip
st.caption(f"Cycles read from {moment(first_day)} to {moment(last_day)}.")

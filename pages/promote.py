"""Badges as code: compare two orgs' badges side by side, export them, promote selected ones."""

import streamlit as st

from lib.ui import page_setup
from lib.ui import promote as ui
from lib.ui.promote_target import target_panel

conn = page_setup("Badges as code")
st.caption(
    "Compare the badges of two orgs (say a test org and production, on the same or another cluster), "
    "download them as a reviewable file, and promote selected badges with their groups and custom "
    "fields. Badges, groups and custom fields are matched by name; the plan shows every change and every "
    "rule that would refuse one before anything is sent."
)
state = ui.PromoteState.get()

source_column, target_column = st.columns(2, gap="large")
with source_column, st.container(border=True):
    st.subheader("Source")
    document = ui.source_document(conn, state)
with target_column, st.container(border=True):
    st.subheader("Target")
    target = target_panel(conn)
if document is None or target is None:
    st.stop()

left, right = st.columns([3, 1])
historical = left.toggle(
    "Create badges that have already started as historical badges",
    key="pr_historical",
    help="The API refuses a new badge whose start has passed (722) unless it is created as a historical "
    "badge (X-CAP-BADGES-MIGRATION header); switch this on to copy live badges as they are.",
)
if right.button("Read both orgs again", key="pr_refresh", icon=":material/refresh:"):
    state.forget_reads()
    st.rerun()

snapshot = ui.target_snapshot(target, document, state)
if snapshot is None:
    st.stop()
st.subheader(f"{conn.org if state.source_key[:1] == ('org',) else 'File'} → {target.org}")
selected = ui.draw_compare(document, snapshot, target, historical)
ui.draw_export(document, selected, conn.org)
ui.draw_promotion(state, document, snapshot, target, selected, historical)

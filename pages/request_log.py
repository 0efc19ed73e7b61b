"""Every API call of this session: status, latency, Capillary error codes and copy-as-curl."""

import streamlit as st

from lib.console.display import readable
from lib.console.request_log import log_frame
from lib.ui import page_setup
from lib.ui.tables import selected_row

conn = page_setup("Request log")
entries = conn.request_log.latest()
st.caption(
    f"The last {conn.request_log.maxlen} requests of this session to {conn.base_url}, newest first. "
    "Secrets are replaced by shell variables (`$CAPILLARY_AUTH`) in the curl commands."
)
left, right = st.columns([4, 1])
only_failures = left.toggle("Only failed calls", key="log_failures")
if right.button("Clear log", key="log_clear"):
    conn.request_log.clear()
    st.rerun()

if only_failures:
    entries = [entry for entry in entries if not entry.ok]
if not entries:
    st.info("No requests yet." if not only_failures else "No failed calls.")
    st.stop()

frame = log_frame(entries)
picked = selected_row(
    readable(frame, formats={"time": "%Y-%m-%d %H:%M:%S"}),
    key="log_table",
    column_config={
        "time": st.column_config.TextColumn("Time (UTC)"),
        "latency_ms": st.column_config.NumberColumn("Latency (ms)", format="%.1f"),
        "codes": st.column_config.TextColumn("Capillary codes"),
    },
)
entry = entries[picked or 0]
st.subheader(f"{entry.method} {entry.path}")
st.caption("Selected row" if picked is not None else "Latest call (select a row to inspect another)")
st.code(entry.to_curl(), language="bash", wrap_lines=True)
if entry.request_body:
    with st.expander("Request body"):
        st.code(entry.request_body, language="json", wrap_lines=True)

"""Enrol many customers into an enrol & issue badge from a file (issueBulk, in batches, resumable)."""

import streamlit as st

from lib.bulk.model import Operation
from lib.ui import bulk, page_setup

OPERATION = Operation.ENROL

conn = page_setup("Bulk enrol")

job_id = bulk.attached_job()
if job_id:
    bulk.job_panel(conn, OPERATION, job_id)
    st.stop()

st.caption(
    "Upload customer ids (and optionally an issueEventDate per row), check them, rehearse the job with "
    "a dry run, then enrol. A job survives a closed tab: reopen it from Recent jobs or its link."
)
bulk.template_downloads(OPERATION)
bulk.recent_jobs(conn, OPERATION)

st.header("1. File", divider="gray")
upload = bulk.upload_step(OPERATION)
if upload is None:
    st.stop()

st.header("2. Columns and badge", divider="gray")
mapping = bulk.mapping_step(OPERATION, upload)
badge = bulk.badge_step(conn, OPERATION)
if mapping is None or badge is None:
    st.stop()

st.header("3. Check", divider="gray")
validated = bulk.validation_step(conn, OPERATION, upload, mapping, badge)
if validated is None:
    st.stop()

st.header("4. Dry run and start", divider="gray")
default_date = bulk.default_event_date(OPERATION, validated)
report = bulk.dry_run_step(conn, OPERATION, upload, validated, badge, default_date)
if report is not None:
    bulk.start_step(conn, OPERATION, upload, validated, badge, report, default_date)

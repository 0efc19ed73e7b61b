"""Undo a finished bulk job from its results: what it would revoke, a confirmation, then the undo job.

The undo is a job of its own (`lib.bulk.undo`): the same journal, runner and progress panel, so it
survives a closed tab and never revokes anything twice. Only what the job created is revoked; the
preview says what is left alone (customers enrolled before the job, duplicates, refused rows).
"""

from __future__ import annotations

import streamlit as st

from lib.bulk.journal import Job
from lib.bulk.model import Operation
from lib.bulk.undo import REVOKE, UNDO_OF, UndoError, plan_undo, undo_jobs, undo_preview
from lib.bulk.wording import plural
from lib.ui.bulk_common import JOB_PARAM, PREVIEW_ROWS, escape_md, key
from lib.ui.connection import ActiveConnection
from lib.ui.jobs import registry

WHAT = {Operation.ENROL: "enrolment", Operation.IMPORT: "imported earn"}


def undo_section(conn: ActiveConnection, operation: Operation, job: Job) -> None:
    """Under an enrol or import job's results: open its undo, or preview, confirm and start one."""
    if Operation(job.operation) not in UNDO_OF:
        return
    journal = registry().journal
    earlier = undo_jobs(journal, job.job_id)
    if earlier:
        undo = earlier[0]
        counts = journal.counts(undo.job_id)
        st.caption(
            f"Undone by job {escape_md(undo.job_id)} ({undo.state.value.lower()}: "
            f"{counts.succeeded:,} revoked, {counts.skipped:,} already gone, {counts.failed:,} refused)."
        )
        if st.button("Open the undo job", key=key(operation, "open_undo"), icon=":material/undo:"):
            st.query_params[JOB_PARAM] = undo.job_id
            st.rerun()
        return
    if not st.toggle("Undo this job…", key=key(operation, f"undo_{job.job_id}")):
        return
    preview = undo_preview(journal, job.job_id)
    if not preview.can_undo:
        st.warning(escape_md(preview.describe()), icon=":material/block:")
        return
    with st.container(border=True):
        st.markdown(f"**{escape_md(preview.describe()[:1].upper() + preview.describe()[1:])}.**")
        rows = preview.rows[preview.rows["action"] == REVOKE]
        st.dataframe(rows.head(PREVIEW_ROWS), hide_index=True, key=key(operation, "undo_rows"))
        if len(rows) > PREVIEW_ROWS:
            st.caption(f"First {PREVIEW_ROWS:,} of {len(rows):,} rows to revoke.")
        if preview.to_revoke == 0:
            st.info("This job created nothing that can be revoked.", icon=":material/info:")
            return
        sentence = f"revoke {plural(preview.to_revoke, WHAT[Operation(job.operation)])} this job made"
        confirmed = st.checkbox(f"I confirm: {sentence}", key=key(operation, f"undo_confirm_{job.job_id}"))
        if not st.button("Undo job", type="primary", disabled=not confirmed, key=key(operation, "undo_start"),
                         icon=":material/undo:"):  # fmt: skip
            return
    try:
        undo = plan_undo(journal, job.job_id)
    except UndoError as exc:
        st.error(escape_md(str(exc)))
        return
    registry().start(undo.job_id, conn.client)
    st.query_params[JOB_PARAM] = undo.job_id
    st.rerun()

"""The job half of the bulk pages: progress while a job runs, then its results, charts and files.

Jobs run outside the script: a process-wide registry holds one runner thread per job, the SQLite
journal is the truth, and the page only reads it (a fragment polls it once a second). `?job=<id>` in
the URL re-attaches a refreshed tab to its job; a job is only shown to a session connected to the same
org and backend that planned it.
"""

from __future__ import annotations

import streamlit as st

from lib.bulk import results
from lib.bulk.journal import Job, JobState
from lib.bulk.model import Operation
from lib.bulk.undo import UNDO_OF
from lib.bulk.wording import plural
from lib.charts_bulk import badge_totals, outcome_bars, rows_over_time
from lib.console.display import readable
from lib.ui import reads
from lib.ui.bulk_common import CHART_CONFIG, JOB_PARAM, PREVIEW_ROWS, escape_md, key
from lib.ui.bulk_undo import undo_section
from lib.ui.connection import ActiveConnection
from lib.ui.errors import call_api
from lib.ui.jobs import registry, same_connection
from lib.ui.plotly_chart import plotly_chart


def job_for(conn: ActiveConnection, operation: Operation, job_id: str) -> Job | None:
    """The job if this page shows it: its operation or the undo of it, on this session's connection."""
    job = registry().journal.job(job_id)
    if job is None or not same_connection(job, conn) or job.operation not in _shown_here(operation):
        return None
    return job


def _shown_here(operation: Operation) -> tuple[str, str]:
    return operation.value, UNDO_OF[operation].value


def attached_job() -> str | None:
    return st.query_params.get(JOB_PARAM) or None


def leave_job(operation: Operation) -> None:
    if st.button("New upload", key=key(operation, "leave"), icon=":material/upload_file:"):
        del st.query_params[JOB_PARAM]
        st.rerun()


def job_panel(conn: ActiveConnection, operation: Operation, job_id: str) -> None:
    job = job_for(conn, operation, job_id)
    if job is None:
        st.warning("This job does not exist for the current connection and page.")
        leave_job(operation)
        return
    what = (
        f"Undo of job {job.parent_job_id}" if Operation(job.operation) not in UNDO_OF else f"Job {job.job_id}"
    )
    st.caption(
        escape_md(f"{what} · badge {job.badge_id} · file {job.file_name or '-'} · key {job.job_key[:16]}")
    )
    if job.run_id:
        _run_links(conn, operation, job)
    running = _live(job_id)
    st.fragment(run_every=1 if running else None)(_progress)(conn, operation, job_id, running)
    job = registry().journal.job(job_id)
    if not running and job.state in (
        JobState.COMPLETED,
        JobState.CANCELLED,
        JobState.PAUSED,
        JobState.STOPPED,
    ):
        _results(conn, operation, job)
    leave_job(operation)


def _run_links(conn: ActiveConnection, operation: Operation, job: Job) -> None:
    """The other jobs planned from the same file (one per badge): one button each to open it."""
    journal = registry().journal
    run = sorted((j for j in journal.jobs() if j.run_id == job.run_id and same_connection(j, conn)),
                 key=lambda j: j.created_at)  # fmt: skip
    listed = call_api("Load badges", lambda: reads.badges(conn))
    names = dict(zip(listed["id"], listed["name"], strict=True)) if listed is not None else {}
    st.caption(f"This file's rows went to {plural(len(run), 'badge')}, one job each:")
    with st.container(horizontal=True):
        for other in run:
            counts = journal.counts(other.job_id)
            name = names.get(other.badge_id) or other.badge_id
            label = f"{name} · {other.state.value.lower()} · {counts.settled:,}/{counts.input_rows:,}"
            if st.button(label, key=key(operation, f"run_{other.job_id}"), disabled=other.job_id == job.job_id,
                         icon=":material/badge:"):  # fmt: skip
                st.query_params[JOB_PARAM] = other.job_id
                st.rerun()


def _live(job_id: str) -> bool:
    """Running here, or in another console process (then this view follows the journal)."""
    return registry().runner(job_id) is not None or registry().running_elsewhere(job_id)


def _progress(conn: ActiveConnection, operation: Operation, job_id: str, was_running: bool) -> None:
    journal = registry().journal
    job = journal.job(job_id)
    counts = journal.counts(job_id)
    runner = registry().runner(job_id)
    if was_running and not _live(job_id):
        reads.clear_reads()  # the overview and editor must show the counts this job changed
        st.rerun()  # the job stopped since this view was drawn: redraw with results
    done = counts.settled / counts.input_rows if counts.input_rows else 1.0
    state = f"{job.state.value}" + (f" ({job.reason})" if job.reason else "")
    st.progress(
        min(done, 1.0), text=f"{state}: {counts.settled:,} of {plural(counts.input_rows, 'row')} settled"
    )
    if runner is not None and not job.state.finished:
        st.caption(f"Pace: {runner.pace().describe()}; the job adapts it to the server's answers.")
    with st.container(horizontal=True):
        st.metric("Succeeded", f"{counts.succeeded:,}", border=True)
        st.metric("Failed", f"{counts.failed:,}", border=True)
        st.metric("Skipped", f"{counts.skipped:,}", border=True)
        st.metric("Pending", f"{counts.pending:,}", border=True)
    if not counts.consistent:
        st.error("The journal's row counts do not add up to the job's rows; do not rerun it before checking.")
    with st.container(horizontal=True):
        if runner is not None and not job.state.finished:
            if st.button("Pause", key=key(operation, "pause"), icon=":material/pause:"):
                registry().pause(job_id)
            if st.button("Cancel", key=key(operation, "cancel"), icon=":material/cancel:"):
                registry().cancel(job_id)
        elif registry().running_elsewhere(job_id):
            st.info("Another console process is running this job; this view only follows it.")
        elif not job.state.finished:
            if st.button("Resume", key=key(operation, "resume"), icon=":material/play_arrow:"):
                registry().start(job_id, conn.client)
                st.rerun()
            if st.button("Cancel", key=key(operation, "cancel"), icon=":material/cancel:",
                         help="Sends nothing new; rows never sent are marked skipped."):  # fmt: skip
                registry().cancel(job_id, conn.client)
                st.rerun()


def _results(conn: ActiveConnection, operation: Operation, job: Job) -> None:
    journal = registry().journal
    table = results.outcome_table(journal, job.job_id)
    st.subheader("Results")
    left, middle, right = st.columns(3)
    with left:
        plotly_chart(outcome_bars(results.outcome_labels(table)), key=key(operation, "outcome_chart"),
                     config=CHART_CONFIG)  # fmt: skip
    with middle:
        speed = rows_over_time(results.throughput(journal, job.job_id), started_at=job.started_at)
        plotly_chart(speed, key=key(operation, "speed_chart"), config=CHART_CONFIG)
    with right:
        _badge_counts(conn, operation, job)
    st.dataframe(
        readable(table.head(PREVIEW_ROWS)),
        hide_index=True,
        column_config={"errorMessage": st.column_config.TextColumn("errorMessage", width="large")},
        key=key(operation, "results"),
    )
    if len(table) > PREVIEW_ROWS:
        st.caption(f"First {PREVIEW_ROWS:,} of {len(table):,} rows; the results files have all of them.")
    stem = (job.file_name or job.job_id).rsplit(".", 1)[0]
    with st.container(horizontal=True):
        st.download_button("Results as CSV", lambda: results.results_csv(journal, job.job_id), f"{stem}-results.csv",
                           mime="text/csv", on_click="ignore", key=key(operation, "res_csv"))  # fmt: skip
        st.download_button("Results as XLSX", lambda: results.results_xlsx(journal, job.job_id),
                           f"{stem}-results.xlsx", on_click="ignore", key=key(operation, "res_xlsx"))  # fmt: skip
        # Rows refused by validation are not retried: they need a fixed file, not another attempt.
        failed = int(((table["status"] == "failed") & (table["reason"] != "invalid-row")).sum())
        failed = failed if Operation(job.operation) in UNDO_OF else 0  # an undo is undone again, not retried
        if failed and st.button(f"Retry {plural(failed, 'failed row')}", key=key(operation, "retry")):
            child = results.retry_failed_job(journal, job.job_id)
            if child is None:
                st.info(
                    "No failed rows can be retried (rows refused by validation must be fixed in the file)."
                )
            else:
                registry().start(child.job_id, conn.client)
                st.query_params[JOB_PARAM] = child.job_id
                st.rerun()
    undo_section(conn, operation, job)


def _badge_counts(conn: ActiveConnection, operation: Operation, job: Job) -> None:
    """The badge's enrolment and earn totals as the server counts them now, after the job."""
    badge = call_api(
        "Read the badge's counts",
        lambda: conn.client.get_badge(badge_id=job.badge_id, include_statistics=True),
    )
    if badge is None:
        return
    figure = badge_totals(badge.name or job.badge_id, issued=int(badge.issued_count or 0),
                          earned=int(badge.earned_count or 0))  # fmt: skip
    plotly_chart(figure, key=key(operation, "badge_counts"), config=CHART_CONFIG)


def recent_jobs(conn: ActiveConnection, operation: Operation) -> None:
    jobs = [j for j in registry().journal.jobs() if j.org == conn.org and j.base_url == conn.base_url
            and j.operation in _shown_here(operation)][:20]  # fmt: skip
    if not jobs:
        return
    with st.expander(f"Recent jobs ({len(jobs)})"):
        labels = {
            j.job_id: f"{'undo · ' if j.parent_job_id and Operation(j.operation) not in UNDO_OF else ''}"
            f"{j.state.value} · {j.file_name or '-'} · {plural(j.input_rows, 'row')} · {j.job_id}"
            for j in jobs
        }
        chosen = st.selectbox("Job", list(labels), format_func=labels.get, key=key(operation, "recent"))
        if st.button("Open", key=key(operation, "open_job")):
            st.query_params[JOB_PARAM] = chosen
            st.rerun()

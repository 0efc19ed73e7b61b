"""The steps both bulk pages share: upload -> map -> validate (and fix) -> dry run -> confirm -> job -> results.

Per-user things (the upload, its validation, the dry run) live in `st.session_state`, under the page's
prefix (`be_` bulk enrol, `ie_` import earned). Jobs run outside the script: a process-wide registry
holds one runner thread per job, the SQLite journal is the truth, and the page only reads it (a
fragment polls it once a second). `?job=<id>` in the URL re-attaches a refreshed tab to its job; a job
is only shown to a session connected to the same org and backend that planned it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib.api.models import Badge
from lib.bulk import export, results
from lib.bulk.contained import read_untrusted
from lib.bulk.dryrun import DryRunReport, badge_period
from lib.bulk.journal import Job, JobState
from lib.bulk.mapping import ColumnMapping, fields_for, guess_identifier, mapping_problems, suggest_mapping
from lib.bulk.model import CUSTOMER_ID, ISSUE_EVENT_DATE, Operation, ValidatedInput
from lib.bulk.planner import (
    DEFAULT_CONCURRENCY,
    MAX_BATCH_SIZE,
    MAX_CONCURRENCY,
    PlanError,
    PlanSettings,
    plan_job,
)
from lib.bulk.reader import FileReadError, SheetTable
from lib.bulk.templates import template_csv, template_filename, template_xlsx
from lib.bulk.validate import (
    MappingError,
    apply_edits,
    error_report,
    ledger_already_done,
    preview,
    validate,
)
from lib.charts import count_by, issued_vs_earned
from lib.console.display import readable
from lib.console.overview import badge_table
from lib.console.tasks import BackgroundTask
from lib.domain import EarnType
from lib.ui import reads
from lib.ui.connection import ActiveConnection
from lib.ui.dry_run import dry_run_step
from lib.ui.errors import call_api
from lib.ui.jobs import registry, same_connection

UPLOAD_LABEL = {
    Operation.ENROL: "Customer file (CSV, XLSX, XLS or ODS)",
    Operation.IMPORT: "Earned badges file (CSV, XLSX, XLS or ODS)",
}
PREFIX = {Operation.ENROL: "be", Operation.IMPORT: "ie"}
VERB = {Operation.ENROL: "Enrol", Operation.IMPORT: "Import earned badges for"}
INTRO = {
    Operation.ENROL: "Upload customer ids (and optionally an issueEventDate per row), check them, rehearse "
    "the job with a dry run, then enrol.",
    Operation.IMPORT: "Upload customerId, earnEventDate and earnExpiresOn per row, check them, rehearse "
    "the import with a dry run, then import.",
}
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"]
MAX_UPLOAD_MB = 50
PREVIEW_ROWS = 1000
EDITABLE_ROWS = 500
NOT_MAPPED = "(not in the file)"
JOB_PARAM = "job"


def key(operation: Operation, name: str) -> str:
    return f"{PREFIX[operation]}_{name}"


def escape_md(text: str) -> str:
    """Names from files and the API shown inside Markdown-rendering widgets (labels, alerts)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~$" else ch for ch in str(text))


# --- Process-wide job machinery -------------------------------------------------------------------


def job_for(conn: ActiveConnection, operation: Operation, job_id: str) -> Job | None:
    job = registry().journal.job(job_id)
    if job is None or not same_connection(job, conn) or job.operation != operation.value:
        return None
    return job


# --- Upload state ---------------------------------------------------------------------------------


@dataclass
class Upload:
    """One uploaded file on one page of one session, and everything derived from it."""

    name: str
    sha256: str
    data: bytes
    table: SheetTable
    source: pd.DataFrame  # the table's cells, with the user's in-place fixes applied
    edits: int = 0  # bumped on every re-validation, so the editor restarts from the new source
    validated: ValidatedInput | None = None
    validated_for: str = ""
    report: DryRunReport | None = None
    report_for: tuple[str, int | None] | None = None  # the validation and default date it assumed
    dry_task: BackgroundTask[DryRunReport] | None = None  # a dry run still running
    dry_task_for: tuple[str, int | None] | None = None


def template_downloads(operation: Operation) -> None:
    with st.container(horizontal=True):
        st.download_button("CSV template", template_csv(operation), template_filename(operation, "csv"),
                           mime="text/csv", on_click="ignore", icon=":material/download:",
                           key=key(operation, "tpl_csv"))  # fmt: skip
        st.download_button("XLSX template", lambda: template_xlsx(operation), template_filename(operation, "xlsx"),
                           on_click="ignore", icon=":material/download:", key=key(operation, "tpl_xlsx"))  # fmt: skip


def upload_step(operation: Operation) -> Upload | None:
    file = st.file_uploader(
        UPLOAD_LABEL[operation],
        type=FILE_TYPES,
        max_upload_size=MAX_UPLOAD_MB,
        key=key(operation, "file"),
    )
    if file is None:
        st.session_state.pop(key(operation, "upload"), None)
        return None
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    upload: Upload | None = st.session_state.get(key(operation, "upload"))
    if upload is None or upload.sha256 != digest:
        try:
            with st.spinner("Reading the file…"):
                table = read_untrusted(data, file.name)
        except FileReadError as exc:
            st.error(escape_md(str(exc)), icon=":material/error:")
            return None
        upload = Upload(file.name, digest, data, table, table.frame)
        st.session_state[key(operation, "upload")] = upload
    if len(upload.table.sheets) > 1:
        sheets = list(upload.table.sheets)
        chosen = st.selectbox("Sheet", sheets, index=sheets.index(upload.table.sheet),
                              key=key(operation, f"sheet_{digest[:12]}"))  # fmt: skip
        if chosen != upload.table.sheet:
            try:
                with st.spinner("Reading the sheet…"):
                    table = read_untrusted(upload.data, upload.name, sheet=chosen)
            except FileReadError as exc:
                st.error(escape_md(str(exc)), icon=":material/error:")
                return None
            upload = Upload(upload.name, digest, upload.data, table, table.frame)
            st.session_state[key(operation, "upload")] = upload
    st.caption(escape_md(upload.table.describe()))
    return upload


def mapping_step(operation: Operation, upload: Upload) -> ColumnMapping | None:
    headers = upload.table.headers
    suggested = suggest_mapping(operation, headers, upload.source.head(200))
    options = [NOT_MAPPED, *headers]
    chosen: dict[str, str | None] = {}
    specs = fields_for(operation)
    for spec, column in zip(specs, st.columns(len(specs)), strict=True):
        default = suggested.source(spec.name)
        with column:
            picked = st.selectbox(
                f"{spec.api_name}{' *' if spec.required else ''}",
                options,
                index=options.index(default) if default in options else 0,
                help=spec.help,
                key=key(operation, f"map_{spec.name}_{upload.sha256[:12]}"),
            )
        chosen[spec.name] = None if picked == NOT_MAPPED else picked
    identifier = suggested.identifier
    if chosen[CUSTOMER_ID] and chosen[CUSTOMER_ID] != suggested.source(CUSTOMER_ID):
        identifier = guess_identifier(upload.source[chosen[CUSTOMER_ID]])
    mapping = ColumnMapping(operation, chosen, identifier)
    problems = mapping_problems(mapping, headers)
    for problem in problems:
        st.error(escape_md(problem), icon=":material/view_column:")
    return None if problems else mapping


# --- Badge ----------------------------------------------------------------------------------------


def badge_step(conn: ActiveConnection, operation: Operation) -> Badge | None:
    """Pick the badge from the shared cached list, so a badge saved in the editor shows up here."""
    table = call_api("Load badges", lambda: reads.badges(conn))
    if table is None:
        return None
    if operation is Operation.ENROL:  # issueBulk only takes enrol & issue badges
        table = table[table["earn_type"] == EarnType.ISSUE_EARN.value]
    if table.empty:
        st.warning(
            "No suitable badge in this org." if operation is Operation.ENROL else "No badge in this org."
        )
        return None
    labels = {
        row.id: f"{row.name} · {row.status or '?'} · {row.earn_type or '?'} · {row.id}"
        for row in table.itertuples()
    }
    badge_id = st.selectbox("Badge", list(labels), format_func=labels.get, key=key(operation, "badge"))
    return call_api("Load the badge", lambda: reads.badge(conn, badge_id))


# --- Validation -----------------------------------------------------------------------------------


def validation_step(
    conn: ActiveConnection, operation: Operation, upload: Upload, mapping: ColumnMapping, badge: Badge
) -> ValidatedInput | None:
    # The badge's period is part of what the rows were checked against: a new period re-validates.
    signature = repr((mapping, badge.id, badge_period(badge), upload.edits))
    if upload.validated_for != signature:
        ledger = registry().journal.ledger_lookup(
            org=conn.org, base_url=conn.base_url, badge_id=badge.id, operation=operation.value
        )
        try:
            upload.validated = validate(upload.source, mapping, badge_period=badge_period(badge),
                                        already_done=ledger_already_done(ledger, operation) if ledger else None)  # fmt: skip
        except MappingError as exc:
            for problem in exc.problems:
                st.error(escape_md(problem))
            return None
        upload.validated_for, upload.report = signature, None
    validated = upload.validated
    with st.container(horizontal=True):
        st.metric("Rows in file", f"{validated.source_rows:,}", border=True)
        st.metric("To send", f"{validated.valid_count:,}", border=True)
        st.metric("With errors", f"{validated.error_count:,}", border=True)
        st.metric("Skipped", f"{validated.skipped_count:,}", border=True)
        st.metric("Warnings", f"{validated.warning_count:,}", border=True)
    for note in validated.notes:
        st.info(escape_md(note), icon=":material/info:")
    tabs = st.tabs(["Rows to send", f"Problems ({len(validated.issues):,})", "Fix rows"])
    with tabs[0]:
        st.dataframe(preview(validated, limit=PREVIEW_ROWS), hide_index=True, key=key(operation, "preview"))
        if validated.valid_count > PREVIEW_ROWS:
            st.caption(f"First {PREVIEW_ROWS:,} of {validated.valid_count:,} rows.")
    with tabs[1]:
        _problems(operation, upload, validated)
    with tabs[2]:
        _fix_rows(operation, upload, validated)
    return validated


def _problems(operation: Operation, upload: Upload, validated: ValidatedInput) -> None:
    if validated.issues.empty:
        st.success("No problems found.")
        return
    shown = validated.issues.head(PREVIEW_ROWS)[["row", "severity", "message"]]
    st.dataframe(shown, hide_index=True, key=key(operation, "issues"))
    report = error_report(validated, source=upload.source)
    stem = upload.name.rsplit(".", 1)[0]
    with st.container(horizontal=True):
        st.download_button("Problems as CSV", lambda: export.csv_bytes(report), f"{stem}-problems.csv",
                           mime="text/csv", on_click="ignore", key=key(operation, "err_csv"))  # fmt: skip
        st.download_button("Problems as XLSX", lambda: export.xlsx_bytes({"Problems": report}),
                           f"{stem}-problems.xlsx", on_click="ignore", key=key(operation, "err_xlsx"))  # fmt: skip


def _fix_rows(operation: Operation, upload: Upload, validated: ValidatedInput) -> None:
    invalid = validated.invalid
    if invalid.empty:
        st.caption("Nothing to fix.")
        return
    if len(invalid) > EDITABLE_ROWS:
        st.caption(f"{len(invalid):,} rows have errors; fix them in the file (in-place fixing is for up to "
                   f"{EDITABLE_ROWS} rows) or download the problems file.")  # fmt: skip
        return
    errors = validated.issues[validated.issues["severity"] == "error"]
    problem = errors.groupby("row")["message"].agg(" / ".join)
    # The editor's source stays fixed until "Re-validate"; its key changes with every round.
    source = invalid.assign(problem=invalid["row"].map(problem).fillna(""), remove=False)
    edited = st.data_editor(
        source,
        hide_index=True,
        num_rows="fixed",
        disabled=["row", "problem"],
        column_config={
            "remove": st.column_config.CheckboxColumn("Leave out", help="Drop the row from the upload")
        },
        key=key(operation, f"editor_{upload.edits}"),
    )
    if st.button("Re-validate", key=key(operation, "revalidate"), icon=":material/refresh:"):
        removed = edited.loc[edited["remove"].astype(bool), "row"].tolist()
        # The patched file is validated again as a whole (badge period, ledger, repeats across rows).
        upload.source = apply_edits(
            upload.source, edited.drop(columns=["problem", "remove"]), removed=removed
        )
        upload.edits += 1
        upload.validated_for = ""
        st.rerun()


# --- Dry run and start ----------------------------------------------------------------------------


def default_event_date(operation: Operation, validated: ValidatedInput) -> int | None:
    """Enrolment only: the issueEventDate sent for rows without one (None = the server's time of sending)."""
    if operation is not Operation.ENROL or not validated.valid[ISSUE_EVENT_DATE].isna().any():
        return None
    day = st.date_input(
        "issueEventDate for rows without one",
        value=None,
        key=key(operation, "default_date"),
        help="Taken as 00:00 UTC. Leave empty to let Capillary use the time each batch is sent.",
    )
    return None if day is None else int(pd.Timestamp(day, tz="UTC").timestamp())


def start_step(
    conn: ActiveConnection, operation: Operation, upload: Upload, validated: ValidatedInput, badge: Badge,
    report: DryRunReport, default_date: int | None = None,
) -> None:  # fmt: skip
    with st.expander("Job settings"):
        batch_size = st.number_input("Rows per request", 1, MAX_BATCH_SIZE[operation], 100,
                                     key=key(operation, "batch_size"))  # fmt: skip
        concurrency = st.number_input(
            "Most requests in flight",
            1,
            MAX_CONCURRENCY,
            DEFAULT_CONCURRENCY,
            key=key(operation, "concurrency"),
            help="The job finds the server's pace by itself, up to this many requests at once.",
        )
        job_key = st.text_input("Job key", upload.sha256, key=key(operation, f"job_key_{upload.sha256[:12]}"),
                                help="The same key resumes the same job instead of sending the rows again. "
                                "Change it only to repeat a job on purpose.")  # fmt: skip
    sentence = f"{VERB[operation]} {validated.valid_count:,} customers: badge '{badge.name}'"
    confirmed = st.checkbox(
        f"I confirm: {escape_md(sentence)}", key=key(operation, f"confirm_{upload.sha256[:12]}")
    )
    if not st.button("Start job", type="primary", disabled=not (confirmed and report.can_run),
                     key=key(operation, "start"), icon=":material/play_arrow:"):  # fmt: skip
        return
    try:
        job = plan_job(
            registry().journal,
            validated,
            org=conn.org,
            base_url=conn.base_url,
            badge_id=badge.id,
            job_key=job_key.strip(),
            file_sha256=upload.sha256,
            file_name=upload.name,
            settings=PlanSettings(
                batch_size=int(batch_size), concurrency=int(concurrency), issue_event_date=default_date
            ),
        )
    except PlanError as exc:
        st.error(escape_md(str(exc)))
        return
    registry().start(job.job_id, conn.client)
    st.query_params[JOB_PARAM] = job.job_id
    st.rerun()


# --- Job progress and results ---------------------------------------------------------------------


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
    st.caption(
        escape_md(
            f"Job {job.job_id} · badge {job.badge_id} · file {job.file_name or '-'} · key {job.job_key[:16]}"
        )
    )
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
    st.progress(min(done, 1.0), text=f"{state}: {counts.settled:,} of {counts.input_rows:,} rows settled")
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
        outcomes = count_by(
            results.outcome_labels(table), title="Rows by outcome and error code", category="outcome"
        )
        outcomes.update_layout(yaxis_title="rows")
        st.plotly_chart(outcomes, key=key(operation, "outcome_chart"))
    with middle:
        speed = results.throughput(journal, job.job_id)
        if len(speed) > 1:
            st.line_chart(speed, x="at", y="cumulative", x_label="time (UTC)", y_label="rows settled")
        elif job.started_at and job.finished_at:
            st.metric("Duration", f"{job.finished_at - job.started_at:,.1f} s", border=True)
    with right:
        _badge_counts(conn, operation, job)
    st.dataframe(readable(table.head(PREVIEW_ROWS)), hide_index=True, key=key(operation, "results"))
    stem = (job.file_name or job.job_id).rsplit(".", 1)[0]
    with st.container(horizontal=True):
        st.download_button("Results as CSV", lambda: results.results_csv(journal, job.job_id), f"{stem}-results.csv",
                           mime="text/csv", on_click="ignore", key=key(operation, "res_csv"))  # fmt: skip
        st.download_button("Results as XLSX", lambda: results.results_xlsx(journal, job.job_id),
                           f"{stem}-results.xlsx", on_click="ignore", key=key(operation, "res_xlsx"))  # fmt: skip
        # Rows refused by validation are not retried: they need a fixed file, not another attempt.
        failed = int(((table["status"] == "failed") & (table["reason"] != "invalid-row")).sum())
        if failed and st.button(f"Retry {failed:,} failed rows", key=key(operation, "retry")):
            child = results.retry_failed_job(journal, job.job_id)
            if child is None:
                st.info(
                    "No failed rows can be retried (rows refused by validation must be fixed in the file)."
                )
            else:
                registry().start(child.job_id, conn.client)
                st.query_params[JOB_PARAM] = child.job_id
                st.rerun()


def _badge_counts(conn: ActiveConnection, operation: Operation, job: Job) -> None:
    """The badge's issued and earned totals as the server counts them now, after the job."""
    badge = call_api(
        "Read the badge's counts",
        lambda: conn.client.get_badge(badge_id=job.badge_id, include_statistics=True),
    )
    if badge is None:
        return
    figure = issued_vs_earned(badge_table([badge]))
    figure.update_layout(
        title="The badge's totals now", height=300, legend={"orientation": "h", "y": -0.45}, xaxis_title=None
    )
    st.plotly_chart(figure, key=key(operation, "badge_counts"))


def recent_jobs(conn: ActiveConnection, operation: Operation) -> None:
    jobs = [j for j in registry().journal.jobs() if j.org == conn.org and j.base_url == conn.base_url
            and j.operation == operation.value][:20]  # fmt: skip
    if not jobs:
        return
    with st.expander(f"Recent jobs ({len(jobs)})"):
        labels = {
            j.job_id: f"{j.state.value} · {j.file_name or '-'} · {j.input_rows:,} rows · {j.job_id}"
            for j in jobs
        }
        chosen = st.selectbox("Job", list(labels), format_func=labels.get, key=key(operation, "recent"))
        if st.button("Open", key=key(operation, "open_job")):
            st.query_params[JOB_PARAM] = chosen
            st.rerun()


def bulk_page(conn: ActiveConnection, operation: Operation) -> None:
    """The whole page: the job the URL points at, or the steps from upload to starting a job."""
    job_id = attached_job()
    if job_id:
        job_panel(conn, operation, job_id)
        return
    st.caption(f"{INTRO[operation]} A job survives a closed tab: reopen it from Recent jobs or its link.")
    template_downloads(operation)
    recent_jobs(conn, operation)

    st.header("1. File", divider="gray")
    upload = upload_step(operation)
    if upload is None:
        return
    st.header("2. Columns and badge", divider="gray")
    mapping = mapping_step(operation, upload)
    badge = badge_step(conn, operation)
    if mapping is None or badge is None:
        return
    st.header("3. Check", divider="gray")
    validated = validation_step(conn, operation, upload, mapping, badge)
    if validated is None:
        return
    st.header("4. Dry run and start", divider="gray")
    default_date = default_event_date(operation, validated)
    report = dry_run_step(conn, upload, validated, badge, default_date, prefix=key(operation, ""))
    if report is not None:
        start_step(conn, operation, upload, validated, badge, report, default_date)

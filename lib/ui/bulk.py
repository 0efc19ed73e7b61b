"""The steps both bulk pages share: upload -> map -> validate (and fix) -> dry run -> confirm -> job -> results.

This module holds the page's flow and the upload, mapping, badge and start steps; checking the rows is
in `lib.ui.bulk_check`, the job's progress and results in `lib.ui.bulk_job`, and what the steps share
(widget keys, the session's `Upload`) in `lib.ui.bulk_common`.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from lib.api.models import Badge
from lib.bulk.contained import keep_reader_ready, read_untrusted
from lib.bulk.dryrun import DryRunReport
from lib.bulk.limits import MAX_UPLOAD_MB
from lib.bulk.mapping import (
    ColumnMapping,
    IdentifierType,
    fields_for,
    guess_identifier,
    mapping_problems,
    suggest_mapping,
)
from lib.bulk.model import BADGE, CUSTOMER_ID, ISSUE_EVENT_DATE, Operation, ValidatedInput
from lib.bulk.planner import (
    DEFAULT_CONCURRENCY,
    MAX_BATCH_SIZE,
    MAX_CONCURRENCY,
    PlanError,
    PlanSettings,
)
from lib.bulk.reader import FileReadError
from lib.bulk.session import SessionError
from lib.bulk.templates import template_csv, template_filename, template_xlsx
from lib.bulk.wording import plural
from lib.domain import EarnType
from lib.ui import reads
from lib.ui.bulk_badges import per_row_badges
from lib.ui.bulk_check import validation_step
from lib.ui.bulk_common import JOB_PARAM, BulkState, Upload, escape_md, key
from lib.ui.bulk_job import attached_job, job_panel, recent_jobs
from lib.ui.connection import ActiveConnection
from lib.ui.dry_run import dry_run_step
from lib.ui.errors import call_api
from lib.ui.jobs import registry

__all__ = ["Upload", "bulk_page", "escape_md", "key", "registry"]

UPLOAD_LABEL = {
    Operation.ENROL: "Customer file (CSV, XLSX, XLS or ODS)",
    Operation.IMPORT: "Earned badges file (CSV, XLSX, XLS or ODS)",
}
INTRO = {
    Operation.ENROL: "Upload customer ids (and optionally an issueEventDate per row), check them, rehearse "
    "the job with a dry run, then enrol.",
    Operation.IMPORT: "Upload customerId, earnEventDate and earnExpiresOn per row, check them, rehearse "
    "the import with a dry run, then import.",
}
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"]
NOT_MAPPED = "(not in the file)"
IDENTIFIER_LABELS = {
    IdentifierType.CUSTOMER_ID: "Customer id",
    IdentifierType.MOBILE: "Mobile",
    IdentifierType.EMAIL: "Email",
    IdentifierType.EXTERNAL_ID: "External id",
    IdentifierType.CARD_NUMBER: "Card number",
}


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
    state = BulkState.of(operation)
    if file is None:
        state.reset_upload()
        keep_reader_ready()  # the file's reader starts now, while the person picks a file
        return None
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    upload = state.upload
    if upload is None or upload.sha256 != digest:
        try:
            with st.spinner("Reading the file…"):
                table = read_untrusted(data, file.name)
        except FileReadError as exc:
            st.error(escape_md(str(exc)), icon=":material/error:")
            return None
        upload = Upload(file.name, digest, data, table, table.frame)
        state.upload = upload
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
            state.upload = upload
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
    kinds = list(IdentifierType)
    identifier = (
        st.segmented_control(
            "The customer column holds",
            kinds,
            default=identifier,
            format_func=IDENTIFIER_LABELS.get,
            key=key(operation, f"identifier_{upload.sha256[:12]}_{chosen[CUSTOMER_ID]}"),
            help="Mobile numbers, emails, external ids and card numbers are looked up to customer ids in the "
            "dry run, and rows whose customer is not found fail with 1026.",
        )
        or identifier
    )
    if suggested.source(BADGE):  # a badgeMetaId / badge name column: each row may name its badge
        chosen[BADGE] = suggested.source(BADGE)
    mapping = ColumnMapping(operation, chosen, identifier)
    problems = mapping_problems(mapping, headers)
    for problem in problems:
        st.error(escape_md(problem), icon=":material/view_column:")
    return None if problems else mapping


# --- Badge ----------------------------------------------------------------------------------------


def _badge_per_row(operation: Operation, mapping: ColumnMapping) -> bool:
    """A file with a badge column: each row's badge from it (the default), or one badge for all rows."""
    column = mapping.source(BADGE)
    options = {"rows": f"Each row's badge (column '{column}')", "one": "One badge for the whole file"}
    chosen = st.segmented_control(
        "Badges", list(options), default="rows", format_func=options.get, key=key(operation, "badge_source"),
        help="The column may hold badgeMetaIds or exact badge names (names are case-sensitive).",
    )  # fmt: skip
    return chosen != "one"


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


def _what(operation: Operation, rows: int) -> str:
    """ "Enrol 5 customers" (repeats are gone, so rows are customers); an import sends earns, and one
    customer may have several."""
    if operation is Operation.ENROL:
        return f"Enrol {plural(rows, 'customer')}"
    return f"Import {plural(rows, 'earned badge')}"


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
    rows = upload.resolved if upload.resolved is not None else validated  # with looked-up customer ids
    sentence = f"{_what(operation, rows.valid_count)}: badge '{badge.name}'"
    confirmed = st.checkbox(
        f"I confirm: {escape_md(sentence)}", key=key(operation, f"confirm_{upload.sha256[:12]}")
    )
    if not st.button("Start job", type="primary", disabled=not (confirmed and report.can_run),
                     key=key(operation, "start"), icon=":material/play_arrow:"):  # fmt: skip
        return
    settings = PlanSettings(
        batch_size=int(batch_size), concurrency=int(concurrency), issue_event_date=default_date
    )
    try:
        [job] = upload.session.plan(registry().journal, org=conn.org, base_url=conn.base_url,
                                    job_key=job_key.strip(), settings=settings)  # fmt: skip
    except (PlanError, SessionError) as exc:
        st.error(escape_md(str(exc)))
        return
    registry().start(job.job_id, conn.client)
    st.query_params[JOB_PARAM] = job.job_id
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
    if mapping is not None and mapping.source(BADGE) and _badge_per_row(operation, mapping):
        per_row_badges(conn, operation, upload, mapping)
        return
    badge = badge_step(conn, operation)
    if mapping is None or badge is None:
        return
    st.header("3. Check", divider="gray")
    validated = validation_step(conn, operation, upload, mapping, badge)
    if validated is None or validated.valid_count == 0:
        return  # nothing to rehearse or send; the check step said why
    st.header("4. Dry run and start", divider="gray")
    default_date = default_event_date(operation, validated)
    report = dry_run_step(conn, upload, validated, badge, default_date, prefix=key(operation, ""))
    if report is not None:
        start_step(conn, operation, upload, validated, badge, report, default_date)

"""Step 3 of the bulk pages: the checked rows, what a job would send (in words), the problems, fixing rows.

A file whose rows were all sent by an earlier job gets an information state naming that job, not a
request to fix anything; its rows are done.
"""

from __future__ import annotations

import streamlit as st

from lib.api.models import Badge
from lib.bulk import export
from lib.bulk.badge_column import badge_ref
from lib.bulk.dryrun import badge_period
from lib.bulk.mapping import ColumnMapping
from lib.bulk.model import Operation, ValidatedInput
from lib.bulk.outlook import EarlierJob, Outlook, Tone, earlier_job
from lib.bulk.session import BulkSession, SessionError, journal_ledger
from lib.bulk.validate import apply_edits, error_report, preview
from lib.bulk.wording import plural, problem_table, row_list
from lib.ui.bulk_common import JOB_PARAM, PREVIEW_ROWS, Upload, escape_md, key
from lib.ui.connection import ActiveConnection
from lib.ui.jobs import registry

EDITABLE_ROWS = 500
WRAP_AFTER = 70
"""Characters of a problem that fit on one line of the table; longer ones get rows tall enough to wrap."""
WRAPPING_ROW_HEIGHT = 72  # px: Streamlit wraps cell text only in rows taller than 4rem


def validation_step(
    conn: ActiveConnection, operation: Operation, upload: Upload, mapping: ColumnMapping, badge: Badge
) -> ValidatedInput | None:
    # The badge's period is part of what the rows were checked against: a new period re-validates.
    signature = repr((mapping, badge.id, badge_period(badge), upload.edits))
    if upload.validated_for != signature:
        session = BulkSession.of_table(
            operation, upload.data, upload.name, upload.table, mapping, frame=upload.source
        )
        done_before = journal_ledger(
            registry().journal, org=conn.org, base_url=conn.base_url, operation=operation
        )
        try:
            session.check(conn.client, badge=badge_ref(badge), already_done=done_before)
        except SessionError as exc:
            st.error(escape_md(str(exc)))
            return None
        upload.session, upload.validated = session, session.parts[0].validated
        upload.validated_for, upload.report, upload.resolved = signature, None, None
    validated = upload.validated
    table = upload.table
    blank = (
        f"; {plural(table.blank_rows, 'blank line')} ignored ({row_list(table.blank_row_numbers, table.blank_rows)})"
        if table.blank_rows
        else ""
    )
    with st.container(horizontal=True):
        st.metric("Rows in file", f"{validated.source_rows:,}", border=True,
                  help=f"Data rows, the header not counted{blank}.")  # fmt: skip
        st.metric("To send", f"{validated.valid_count:,}", border=True)
        st.metric("With errors", f"{validated.error_count:,}", border=True)
        st.metric("Skipped", f"{validated.skipped_count:,}", border=True,
                  help="Repeats of an earlier row of the file, and rows an earlier job already sent.")  # fmt: skip
        st.metric("Warnings", f"{validated.warning_count:,}", border=True)
    _outlook(conn, operation, upload, validated, badge)
    for note in validated.notes:
        st.info(escape_md(note), icon=":material/info:")
    tabs = st.tabs(["Rows to send", f"Problems ({len(validated.issues):,})", "Fix rows"])
    with tabs[0]:
        if validated.valid.empty:
            st.caption("No row to send.")
        else:
            st.dataframe(
                preview(validated, limit=PREVIEW_ROWS), hide_index=True, key=key(operation, "preview")
            )
        if validated.valid_count > PREVIEW_ROWS:
            st.caption(f"First {PREVIEW_ROWS:,} of {validated.valid_count:,} rows.")
    with tabs[1]:
        _problems(operation, upload, validated)
    with tabs[2]:
        _fix_rows(operation, upload, validated)
    return validated


def _outlook(
    conn: ActiveConnection, operation: Operation, upload: Upload, validated: ValidatedInput, badge: Badge
) -> None:
    """One sentence on what a job would send, when it is not simply "the rows above"."""
    outlook = Outlook.of(validated)
    earlier: EarlierJob | None = None
    if outlook.already_done:
        earlier = earlier_job(registry().journal.jobs(), org=conn.org, base_url=conn.base_url, badge_id=badge.id,
                              operation=operation, file_sha256=upload.sha256)  # fmt: skip
        outlook = Outlook.of(validated, earlier)
    headline = outlook.headline()
    if headline is None:
        return
    if headline.tone is Tone.ERROR:
        st.error(escape_md(headline.text), icon=":material/block:")
        return
    st.info(
        escape_md(headline.text), icon=":material/task_alt:" if outlook.all_done_before else ":material/info:"
    )
    if (
        outlook.all_done_before
        and earlier is not None
        and st.button(
            "Open that job's results", key=key(operation, "open_earlier"), icon=":material/open_in_new:"
        )
    ):
        st.query_params[JOB_PARAM] = earlier.job_id
        st.rerun()


def _problems(operation: Operation, upload: Upload, validated: ValidatedInput) -> None:
    if validated.issues.empty:
        st.success("No problems found.")
        return
    shown = problem_table(validated, limit=PREVIEW_ROWS)
    long = bool((shown["problem"].str.len() > WRAP_AFTER).any())
    st.dataframe(
        shown,
        hide_index=True,
        row_height=WRAPPING_ROW_HEIGHT if long else None,
        column_config={
            "row": st.column_config.NumberColumn("row", width="small", format="%d"),
            "severity": st.column_config.TextColumn("severity", width="small"),
            "column": st.column_config.TextColumn("column", width="small"),
            "problem": st.column_config.TextColumn("problem", width="large"),
        },
        key=key(operation, "issues"),
    )
    if len(validated.issues) > PREVIEW_ROWS:
        st.caption(
            f"First {PREVIEW_ROWS:,} of {len(validated.issues):,} problems; the files below have all of them."
        )
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
        st.caption(f"{plural(len(invalid), 'row')} have errors; fix them in the file (in-place fixing is for up to "
                   f"{EDITABLE_ROWS} rows) or download the problems file.")  # fmt: skip
        return
    lines = problem_table(validated, limit=len(validated.issues))
    errors = lines[lines["severity"] == "error"]
    problem = (errors["column"] + ": " + errors["problem"]).groupby(errors["row"]).agg(" / ".join)
    # The editor's source stays fixed until "Re-validate"; its key changes with every round.
    source = invalid.assign(problem=invalid["row"].map(problem).fillna(""), remove=False)
    long = bool((source["problem"].str.len() > WRAP_AFTER).any())
    edited = st.data_editor(
        source,
        hide_index=True,
        num_rows="fixed",
        disabled=["row", "problem"],
        row_height=WRAPPING_ROW_HEIGHT if long else None,
        column_config={
            "problem": st.column_config.TextColumn("problem", width="large"),
            "remove": st.column_config.CheckboxColumn("Leave out", help="Drop the row from the upload"),
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

"""Steps 3 and 4 of the bulk pages for a file whose column names each row's badge.

A campaign file can send rows to several badges ("Gold welcome", "Silver welcome"). The page hands the
file and its mapping to the bulk session (`lib.bulk.session`), which matches the column against the
org's badges, checks each badge's rows against that badge's period, looks customers up and runs each
badge's dry run; starting plans one job per badge (one run) and opens the first, whose panel links
the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from lib.bulk.badge_column import BadgeRef
from lib.bulk.dryrun import DryRunReport
from lib.bulk.mapping import ColumnMapping
from lib.bulk.model import Operation
from lib.bulk.planner import PlanError, PlanSettings
from lib.bulk.session import BadgePart, BulkSession, SessionError
from lib.bulk.validate import BadgePeriod
from lib.bulk.wording import plural, problem_table
from lib.console.fanout import Progress, fan_out
from lib.console.tasks import BackgroundTask
from lib.ui import reads
from lib.ui.bulk_common import JOB_PARAM, BulkState, Upload, escape_md, key
from lib.ui.connection import ActiveConnection
from lib.ui.errors import call_api
from lib.ui.jobs import registry

POLL_SECONDS = 0.5
Rehearsal = list[tuple[BadgePart, DryRunReport]]


@dataclass
class RunDraft:
    """The session of one upload under one mapping, and its dry run (kept on the page's `BulkState`)."""

    session: BulkSession
    signature: str
    task: BackgroundTask[Rehearsal] | None = None
    reports: Rehearsal = field(default_factory=list)


def badge_refs(table: pd.DataFrame) -> list[BadgeRef]:
    """The org's badges as the shared cached list has them (id, name, period, earn type)."""
    refs = []
    for row in table.itertuples():
        start = _seconds(row.start)
        period = BadgePeriod(start, _seconds(row.end)) if start is not None else None
        refs.append(BadgeRef(str(row.id).lower(), row.name or None, period, row.earn_type or None))
    return refs


def _seconds(value) -> int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return int(pd.Timestamp(value).timestamp())


def per_row_badges(
    conn: ActiveConnection, operation: Operation, upload: Upload, mapping: ColumnMapping
) -> None:
    draft = _draft(conn, operation, upload, mapping)
    if draft is None:
        return
    st.header("3. Check", divider="gray")
    _check_table(draft.session)
    if not any(p.validated.valid_count for p in draft.session.parts):
        return
    st.header("4. Dry run and start", divider="gray")
    _pick_up(draft)
    running = draft.task is not None
    if st.button("Dry run", key=key(operation, "run_dry"), icon=":material/fact_check:", disabled=running,
                 help="Looks customers up and checks every badge using reads only; nothing is written."):  # fmt: skip
        draft.reports = []
        draft.task = _rehearse(conn, draft.session)
        running = True
    if running:
        st.fragment(run_every=POLL_SECONDS)(_follow)(draft)
        return
    if not draft.reports:
        st.caption("Run the dry run to see each badge's summary before starting.")
        return
    _reports(draft.reports)
    _start(conn, operation, upload, draft)


def _draft(
    conn: ActiveConnection, operation: Operation, upload: Upload, mapping: ColumnMapping
) -> RunDraft | None:
    signature = repr((mapping, upload.edits))
    state = BulkState.of(operation)
    draft = state.run_draft
    if draft is not None and draft.signature == signature and draft.session.file_sha256 == upload.sha256:
        return draft
    listed = call_api("Load badges", lambda: reads.badges(conn))
    if listed is None:
        return None
    session = BulkSession.of_table(
        operation, upload.data, upload.name, upload.table, mapping, frame=upload.source
    )
    try:
        session.check(conn.client, badges=badge_refs(listed))
    except SessionError as exc:
        st.error(escape_md(str(exc)), icon=":material/block:")
        return None
    draft = RunDraft(session, signature)
    state.run_draft = draft
    return draft


def _check_table(session: BulkSession) -> None:
    rows = [
        {
            "badge": part.badge.name or "",
            "badgeMetaId": part.badge.badge_id,
            "rows": part.validated.source_rows,
            "to send": part.validated.valid_count,
            "with errors": part.validated.error_count,
            "skipped": part.validated.skipped_count,
        }
        for part in session.parts
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{session.operation.value}_per_badge")
    if session.no_badge_rows:
        st.warning(
            f"{plural(len(session.no_badge_rows), 'row')} of the column '{escape_md(session.badge_column)}' "
            "name no badge of this org; they are not sent and the results list them as failed.",
            icon=":material/warning:",
        )
    issues = pd.concat([problem_table(p.validated) for p in session.parts], ignore_index=True)
    if not issues.empty:
        with st.expander(f"Problems ({len(issues):,})"):
            st.dataframe(issues.sort_values("row", kind="stable"), hide_index=True)


def _rehearse(conn: ActiveConnection, session: BulkSession) -> BackgroundTask[Rehearsal]:
    journal = registry().journal

    def work(progress: Progress) -> Rehearsal:
        session.resolve(conn.client, journal, org=conn.org, base_url=conn.base_url,
                        on_progress=lambda p: progress(p.done, p.total))  # fmt: skip
        return session.dry_run(conn.client, on_progress=progress, read_many=fan_out)

    return BackgroundTask.start(work, name="console-run-dry-run")


def _pick_up(draft: RunDraft) -> None:
    task = draft.task
    if task is not None and task.finished:
        draft.task = None
        draft.reports = call_api("Dry run", task.result) or []


def _follow(draft: RunDraft) -> None:
    task = draft.task
    if task is None or task.finished:
        st.rerun()
    done = task.progress()
    text = (
        f"Dry run: {done.done:,} of {done.total:,} looked up ({done.seconds:.0f} s)"
        if done.total
        else "Dry run…"
    )
    st.progress(done.fraction, text=text)


def _reports(reports: Sequence[tuple[BadgePart, DryRunReport]]) -> None:
    rows = []
    for part, report in reports:
        rows.append(
            {
                "badge": part.badge.name or part.badge.badge_id,
                "to send": report.rows_to_send,
                "errors (not sent)": report.rows_with_errors,
                "predicted 1040": report.predicted_1040,
                "predicted 816": report.predicted_816,
                "predicted to succeed": report.predicted_success,
                "checks": "; ".join(f"{c.name}: {c.message}" for c in report.blocking) or "ok",
            }
        )
    with st.container(border=True):
        st.subheader("Summary per badge")
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        if any(report.blocking for _, report in reports):
            st.error("Fix the failed checks before starting.", icon=":material/block:")


def _start(conn: ActiveConnection, operation: Operation, upload: Upload, draft: RunDraft) -> None:
    parts = draft.session.parts
    sending = sum(p.validated.valid_count for p in parts)
    verb = "Enrol" if operation is Operation.ENROL else "Import"
    sentence = f"{verb} {plural(sending, 'row')} into {plural(len(parts), 'badge')}"
    confirmed = st.checkbox(
        f"I confirm: {escape_md(sentence)}", key=key(operation, f"run_confirm_{upload.sha256[:12]}")
    )
    can_run = all(report.can_run for _, report in draft.reports)
    if not st.button("Start jobs", type="primary", disabled=not (confirmed and can_run),
                     key=key(operation, "run_start"), icon=":material/play_arrow:"):  # fmt: skip
        return
    try:
        jobs = draft.session.plan(
            registry().journal, org=conn.org, base_url=conn.base_url, settings=PlanSettings()
        )
    except (PlanError, SessionError) as exc:
        st.error(escape_md(str(exc)))
        return
    for job in jobs:
        registry().start(job.job_id, conn.client)
    BulkState.of(operation).forget_run()
    st.query_params[JOB_PARAM] = jobs[0].job_id
    st.rerun()

"""The bulk pages' dry run: started by a click, run on a worker thread, followed by a polling fragment.

A dry run reads the badge and up to 200 customers; at 150 ms per call that is seconds even with the
reads side by side, too long for the script thread, which any click stops. So the click starts a
`BackgroundTask` kept on the session's `Upload`; a fragment polls it twice a second and draws its
progress; the first script run that finds it finished takes the report. A rerun in between (any
click) loses nothing. A task started for other rows or another default date is dropped unseen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lib.api.models import Badge
from lib.bulk.dryrun import DryRunReport
from lib.bulk.model import ValidatedInput
from lib.bulk.session import BulkSession
from lib.console.display import readable
from lib.console.fanout import Progress, fan_out
from lib.console.tasks import BackgroundTask
from lib.ui.connection import ActiveConnection
from lib.ui.errors import call_api
from lib.ui.jobs import registry

if TYPE_CHECKING:
    from lib.ui.bulk import Upload

POLL_SECONDS = 0.5


def _rehearse(
    conn: ActiveConnection, session: BulkSession, default_date: int | None
) -> BackgroundTask[tuple[ValidatedInput, DryRunReport]]:
    """The upload's session looks customers up first when the file names them by mobile, email...
    (answers kept in the jobs' journal, so starting the job asks nobody twice), then rehearses."""
    journal = registry().journal

    def work(progress: Progress) -> tuple[ValidatedInput, DryRunReport]:
        session.resolve(conn.client, journal, org=conn.org, base_url=conn.base_url,
                        on_progress=lambda p: progress(p.done, p.total))  # fmt: skip
        [(part, report)] = session.dry_run(
            conn.client, default_event_date=default_date, on_progress=progress, read_many=fan_out
        )
        return part.validated, report

    return BackgroundTask.start(work, name="console-dry-run")


def _pick_up(upload: Upload, wanted: tuple[str, int | None]) -> None:
    """Drop a report or task made for other input; take the report of a finished task."""
    if upload.report is not None and upload.report_for != wanted:
        upload.report, upload.resolved = None, None
    task = upload.dry_task
    if task is not None and upload.dry_task_for != wanted:
        upload.dry_task = None  # its thread ends by itself; nobody reads what it found
    elif task is not None and task.finished:
        upload.dry_task = None
        rehearsed = call_api("Dry run", task.result)
        upload.resolved, upload.report = rehearsed if rehearsed is not None else (None, None)
        upload.report_for = wanted


def _follow(upload: Upload) -> None:
    """Polled by the fragment: the task's progress, or a full rerun once it is finished."""
    task = upload.dry_task
    if task is None or task.finished:
        st.rerun()  # the whole page: the report and the start step appear
    done = task.progress()
    if done.total:
        text = f"Dry run: {done.done:,} of {done.total:,} customers looked up ({done.seconds:.0f} s)"
        if upload.validated is not None and upload.validated.identifier != "id":
            text = f"Dry run: {done.done:,} of {done.total:,} {upload.validated.identifier} values looked up ({done.seconds:.0f} s)"
    else:
        text = "Dry run: reading the badge..."
    st.progress(done.fraction, text=text)


def dry_run_step(
    conn: ActiveConnection,
    upload: Upload,
    validated: ValidatedInput,
    badge: Badge,
    default_date: int | None,
    *,
    prefix: str,
) -> DryRunReport | None:
    """The Dry run button, its progress while it runs, then its summary card (widget keys start
    with the page's `prefix`, e.g. `be_`)."""
    wanted = (upload.validated_for, default_date)
    _pick_up(upload, wanted)
    running = upload.dry_task is not None
    if st.button("Dry run", key=f"{prefix}dry_run", icon=":material/fact_check:", disabled=running,
                 help="Checks the badge and predicts refusals using reads only; nothing is written."):  # fmt: skip
        upload.report, upload.resolved = None, None
        upload.dry_task = _rehearse(conn, upload.session, default_date)
        upload.dry_task_for = wanted
    if upload.dry_task is not None:
        st.fragment(run_every=POLL_SECONDS)(_follow)(upload)
        return None
    report = upload.report
    if report is None:
        st.caption("Run the dry run to see the summary before starting.")
        return None
    with st.container(border=True):
        st.subheader("Summary")
        st.dataframe(pd.DataFrame(report.summary(), columns=["", "value"]), hide_index=True,
                     key=f"{prefix}summary")  # fmt: skip
        checks = pd.DataFrame(
            [(c.status.value.upper(), c.name, c.message, c.code) for c in report.checks],
            columns=["result", "check", "detail", "code"],
        )
        st.dataframe(readable(checks), hide_index=True, key=f"{prefix}checks")
        if report.blocking:
            st.error("Fix the failed checks before starting.", icon=":material/block:")
    return report

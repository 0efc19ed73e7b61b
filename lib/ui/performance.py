"""The badge performance page's reads beyond the API: this console's bulk jobs on the badge.

The jobs come from the console's journal (`lib.ui.jobs`), filtered to the badge and to the jobs
planned on this session's org and backend. The rows a job settled as succeeded are the only dated
enrolments there are (the API keeps none), so they are read once per job state (`updated_at`) and
cached: a finished job's rows never change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from lib.bulk.journal import ItemState
from lib.console.performance import CONSOLE_COLUMNS, ConsoleJob
from lib.ui.connection import ActiveConnection
from lib.ui.jobs import journal_path, registry, same_connection

MAX_ENTRIES = 64


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _succeeded_rows(journal: str, job_id: str, operation: str, updated_at: float) -> pd.DataFrame:
    rows = [
        (job_id, operation, item.settled_at, item.earn_expires_on)
        for item in registry().journal.items(job_id)
        if item.state is ItemState.SUCCEEDED and item.settled_at is not None
    ]
    frame = pd.DataFrame(rows, columns=CONSOLE_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], unit="s", utc=True)
    return frame


def console_jobs(conn: ActiveConnection, badge_id: str) -> tuple[list[ConsoleJob], pd.DataFrame]:
    """This console's bulk jobs on the badge (newest first) and their succeeded rows (`CONSOLE_COLUMNS`)."""
    journal = registry().journal
    jobs = [job for job in journal.jobs() if job.badge_id == badge_id and same_connection(job, conn)]
    listed, frames = [], []
    for job in jobs:
        counts = journal.counts(job.job_id)
        listed.append(
            ConsoleJob(
                job_id=job.job_id,
                operation=str(job.operation),
                state=str(job.state),
                created_at=datetime.fromtimestamp(job.created_at, UTC),
                file_name=job.file_name,
                rows=job.input_rows,
                succeeded=counts.succeeded,
                failed=counts.failed,
                skipped=counts.skipped,
            )
        )
        if counts.succeeded:
            frames.append(_succeeded_rows(str(journal_path()), job.job_id, str(job.operation), job.updated_at))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CONSOLE_COLUMNS)
    return listed, rows

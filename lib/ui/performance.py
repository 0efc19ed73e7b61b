"""The badge performance page's reads beyond the API: this console's bulk jobs on the badge.

The jobs come from the console's journal (`lib.ui.jobs`), filtered to the badge and to the jobs
planned on this session's org and backend. The rows a job settled as succeeded are the only dated
enrolments there are (the API keeps none), so they are read once per job state (`updated_at`) and
cached: a finished job's rows never change.

The page's own state is only its badge picker (`PerformanceState`): the badge itself travels in the URL
(`?badge=<id>`), so a refresh or a shared link shows the same badge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pandas as pd
import streamlit as st

from lib.bulk.journal import ItemState
from lib.console.performance import CONSOLE_COLUMNS, ConsoleJob
from lib.ui.connection import ActiveConnection
from lib.ui.jobs import journal_path, registry, same_connection
from lib.ui.state import ConnectionState, PageState, StateKey, WidgetKey

MAX_ENTRIES = 64


@dataclass
class PerformanceState(PageState):
    KEY: ClassVar[str] = StateKey.PERFORMANCE
    PICK: ClassVar[WidgetKey] = WidgetKey("bp_pick")
    """The badge picker, which follows the URL's `?badge=<id>`."""

    def follow_url(self, wanted: str, known: Mapping[str, str], fallback: str) -> None:
        """The URL decides which badge is picked; an id the org does not have shows `fallback`."""
        if self.PICK.value() != wanted:
            self.PICK.set(wanted if wanted in known else fallback)

    def picked(self) -> str:
        return self.PICK.value()

    def show(self, badge_id: str) -> None:
        """The page shows this badge: the sidebar's "Next cycle" jumps to its boundary."""
        ConnectionState.get().focus_badge = badge_id


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
            frames.append(
                _succeeded_rows(str(journal_path()), job.job_id, str(job.operation), job.updated_at)
            )
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CONSOLE_COLUMNS)
    return listed, rows

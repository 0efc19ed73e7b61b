"""The console's bulk jobs beyond one page: the process-wide registry, and resuming after a restart.

Jobs run in worker threads owned by `lib.bulk.registry` (one registry per journal file and process);
the SQLite journal in the console's data folder is their truth. A console process that dies while a
job runs leaves it RUNNING there. The first page run of a connection in a new process resumes that
connection's interrupted jobs (same org and backend URL) with the session's client, the way the
Resume button would: once per process and connection (`st.cache_resource`), each in its own runner
thread, so the page is not held up.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.bulk.journal import Job
from lib.bulk.registry import JobRegistry, registry_for
from lib.ui.connection import ActiveConnection, data_dir
from lib.ui.state import ConnectionState

JOURNAL_FILE = "bulk-jobs.sqlite"


def journal_path() -> Path:
    return data_dir() / JOURNAL_FILE


def registry() -> JobRegistry:
    """The process-wide runners of the console's journal; pages filter jobs per connection."""
    return registry_for(journal_path())


def same_connection(job: Job, conn: ActiveConnection) -> bool:
    """A job belongs to the sessions connected to the org and backend that planned it."""
    return job.org == conn.org and job.base_url == conn.base_url


@st.cache_resource(show_spinner=False)
def _resume_once(journal: str, fingerprint: str, _conn: ActiveConnection) -> tuple[str, ...]:
    jobs = registry_for(journal)
    return tuple(jobs.resume_unfinished(lambda job: _conn.client if same_connection(job, _conn) else None))


def resume_interrupted_jobs(conn: ActiveConnection) -> tuple[str, ...]:
    """Restart this connection's jobs that a previous process left RUNNING; their ids.

    Runs once per process and connection; later calls return the same ids without looking again.
    A job whose lease another live process holds is left to that process.
    """
    return _resume_once(str(journal_path()), conn.fingerprint, conn)


def forget_resumed() -> None:
    """Make the next page run look for interrupted jobs again, as a new process would (tests)."""
    _resume_once.clear()


def announce_resumed(conn: ActiveConnection) -> None:
    """Resume interrupted jobs; tell each session once while they still run."""
    resumed = resume_interrupted_jobs(conn)
    running = [job_id for job_id in resumed if registry().runner(job_id) is not None]
    session = ConnectionState.get()
    if running and not session.resumed_announced:
        session.resumed_announced = True
        count = f"{len(running)} bulk job{'s' if len(running) > 1 else ''}"
        st.toast(
            f"{count} interrupted by a restart of the console resumed by itself; "
            "follow them under Recent jobs on the bulk pages.",
            icon=":material/replay:",
        )

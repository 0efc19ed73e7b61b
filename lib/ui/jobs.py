"""The console's bulk jobs beyond one page: the process-wide registry of their runners.

Jobs run in worker threads owned by `lib.bulk.registry` (one registry per journal file and process);
the SQLite journal in the console's data folder is their truth.
"""

from __future__ import annotations

from pathlib import Path

from lib.bulk.journal import Job
from lib.bulk.registry import JobRegistry, registry_for
from lib.ui.connection import ActiveConnection, data_dir

JOURNAL_FILE = "bulk-jobs.sqlite"


def journal_path() -> Path:
    return data_dir() / JOURNAL_FILE


def registry() -> JobRegistry:
    """The process-wide runners of the console's journal; pages filter jobs per connection."""
    return registry_for(journal_path())


def same_connection(job: Job, conn: ActiveConnection) -> bool:
    """A job belongs to the sessions connected to the org and backend that planned it."""
    return job.org == conn.org and job.base_url == conn.base_url

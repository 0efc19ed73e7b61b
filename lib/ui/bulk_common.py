"""What the bulk pages' steps share: widget keys per page, Markdown escaping, the upload kept per session.

Per-user things (the upload, its validation, the dry run) live in the page's `BulkState`, one per page
and session (`StateKey.BULK_ENROL`, `StateKey.BULK_IMPORT`); widget keys carry the page's prefix
(`be_` bulk enrol, `ie_` import earned), made by `key()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from lib.bulk.dryrun import DryRunReport
from lib.bulk.model import Operation, ValidatedInput
from lib.bulk.reader import SheetTable
from lib.bulk.session import BulkSession
from lib.console.tasks import BackgroundTask
from lib.ui.state import StateKey, stored

if TYPE_CHECKING:
    from lib.ui.bulk_badges import RunDraft

PREFIX = {Operation.ENROL: "be", Operation.IMPORT: "ie"}
STATE_KEY = {Operation.ENROL: StateKey.BULK_ENROL, Operation.IMPORT: StateKey.BULK_IMPORT}
PREVIEW_ROWS = 1000
JOB_PARAM = "job"
CHART_CONFIG = {"displayModeBar": False}
"""Plotly's toolbar would sit over the titles of the narrow result charts; nothing there needs it."""


def key(operation: Operation, name: str) -> str:
    return f"{PREFIX[operation]}_{name}"


def escape_md(text: str) -> str:
    """Names from files and the API shown inside Markdown-rendering widgets (labels, alerts)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~$" else ch for ch in str(text))


@dataclass
class Upload:
    """One uploaded file on one page of one session, and everything derived from it."""

    name: str
    sha256: str
    data: bytes
    table: SheetTable
    source: pd.DataFrame  # the table's cells, with the user's in-place fixes applied
    edits: int = 0  # bumped on every re-validation, so the editor restarts from the new source
    session: BulkSession | None = None  # the checks, look-ups, dry run and planning of this upload
    validated: ValidatedInput | None = None
    validated_for: str = ""
    report: DryRunReport | None = None
    report_for: tuple[str, int | None] | None = None  # the validation and default date it assumed
    resolved: ValidatedInput | None = None  # the rows with customer ids once the dry run looked them up
    dry_task: BackgroundTask[tuple[ValidatedInput, DryRunReport]] | None = None  # a dry run still running
    dry_task_for: tuple[str, int | None] | None = None


@dataclass
class BulkState:
    """One bulk page's state in this session: the upload, and the run of a file whose column names each
    row's badge. A rerun or a click keeps both; removing the file from the uploader drops the upload."""

    upload: Upload | None = None
    run_draft: RunDraft | None = None

    @classmethod
    def of(cls, operation: Operation) -> BulkState:
        """The state of the page of this operation (created on first use)."""
        return stored(STATE_KEY[operation], cls)

    def reset_upload(self) -> None:
        """The file was removed from the uploader: nothing of it is kept."""
        self.upload = None

    def forget_run(self) -> None:
        """The run's jobs were started: its draft and dry run are done with."""
        self.run_draft = None

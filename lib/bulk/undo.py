"""Undo a job: revoke exactly the enrolments (or imported earns) that an enrol (or import) job created.

What a job created is what its journal says it created: the rows it settled SUCCEEDED, each with the
issuedId or earnedBadgeId the server gave (``result_id``). Nothing else is touched. Rows the job
skipped (the customer was enrolled before the job, a duplicate line, a cancelled row) and rows it
failed created nothing, so they are left alone: an enrolment that existed before the job stays.

An undo is its own job in the same journal, run by the same runner (`lib.bulk.runner`) with the same
queue, lease, pace, breaker and write-ahead journal, so it survives a closed tab or a crash and
resumes without revoking anything twice:

- one row per row the job created, with the same row number, customer and ``target_id`` = the id to
  revoke; its batches are frozen when it is planned: revokeIssue (#10) takes up to 20 enrolments per
  call, revokeEarn (#13) one earn per call, so an undo-import batch holds one row;
- the undo job's id follows from the job it undoes (and an optional job key), so planning it twice
  returns the same job, and running a finished undo again sends nothing;
- revoking twice is revoking once, so an unclear attempt (lost answer, 5xx, crash) is sent again,
  never read back; a resend that finds the id no longer active settles the row SUCCEEDED
  (confirmed-on-resend) when an earlier attempt of its batch may have been applied, else SKIPPED
  (already-revoked: revoked by someone else, or expired, before this job);
- each revoked row's entry in the ledger is removed when the row settles, so a later enrol or import
  of the same customers is sent instead of being skipped as already done.

An undo job cannot itself be undone, and a job still running or with rows still pending cannot be
undone until it has finished (or been cancelled).
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass

import pandas as pd

from lib.api.models import MAX_REVOKE_ITEMS
from lib.bulk.journal import ItemState, Job, JobState, Journal, Reason
from lib.bulk.model import Operation
from lib.bulk.planner import batch_request_id, job_id_for

UNDO_OF = {Operation.ENROL: Operation.UNDO_ENROL, Operation.IMPORT: Operation.UNDO_IMPORT}
UNDONE_BY = {undo: done for done, undo in UNDO_OF.items()}
# revokeIssue takes at most 20 enrolments per call; revokeEarn one earn, so one row per batch.
BATCH_SIZE = {Operation.UNDO_ENROL: MAX_REVOKE_ITEMS, Operation.UNDO_IMPORT: 1}

# What the preview says will happen to each row of the job being undone.
REVOKE, REVOKED, FAILED_TO_REVOKE, NOT_SENT, CANNOT_REVOKE, LEAVE = (
    "revoke", "revoked", "failed to revoke", "not revoked (undo cancelled)", "cannot revoke", "leave alone",
)  # fmt: skip


class UndoError(ValueError):
    """The job cannot be undone (now); the message is meant for the user."""


def undo_job_key(job: Job) -> str:
    """The default key of a job's undo: one undo per job unless a new key is given on purpose."""
    return f"undo/{job.job_id}"


def undo_job_id(job: Job, job_key: str | None = None) -> str:
    return job_id_for(UNDO_OF[Operation(job.operation)], job.org, job.base_url, job.badge_id,
                      job_key or undo_job_key(job))  # fmt: skip


def undo_jobs(journal: Journal, job_id: str) -> list[Job]:
    """The undo jobs planned for this job, newest first."""
    return [j for j in journal.children(job_id) if j.operation in UNDONE_BY]


def latest_run(journal: Journal) -> list[Job]:
    """The enrol or import jobs planned last: every job of the newest run (one file, one job per
    badge, sharing ``run_id``), oldest first; just the newest job when it has no run id."""
    jobs = [j for j in journal.jobs() if j.operation in UNDO_OF]  # newest first
    if not jobs:
        raise UndoError("this journal holds no enrol or import job to undo")
    newest = jobs[0]
    if newest.run_id is None:
        return [newest]
    return sorted((j for j in jobs if j.run_id == newest.run_id), key=lambda j: j.created_at)


# ---- preview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoPreview:
    """What undoing a job would do, before anything is planned or sent.

    to_revoke:     rows the undo would (still) revoke: the job's own enrolments or earns
    revoked:       rows an undo of this job has already revoked (or found no longer active)
    failed:        rows an undo of this job tried and the server refused
    not_sent:      rows this undo job settled without sending them (it was cancelled)
    cannot_revoke: rows the job created without recording an id (nothing to revoke them by)
    left_alone:    the job's other rows per reason (already enrolled before it, duplicates, failed...)
    rows:          one line per row of the job: row, customerId, status, reason, id, action; ``action`` one of the names above
                   (revoke, revoked, failed to revoke, not revoked (undo cancelled), cannot revoke,
                   leave alone)
    undo_job:      the undo job of this job (for this key), if it has been planned already
    refusal:       why the job cannot be undone now, None when it can
    """

    job: Job
    operation: Operation
    to_revoke: int
    revoked: int
    failed: int
    not_sent: int
    cannot_revoke: int
    left_alone: dict[str, int]
    rows: pd.DataFrame
    undo_job: Job | None
    refusal: str | None

    @property
    def can_undo(self) -> bool:
        return self.refusal is None

    @property
    def finished(self) -> bool:
        """The undo job has run to its end: undoing again sends nothing."""
        return self.undo_job is not None and self.undo_job.state.finished

    def describe(self) -> str:
        """One paragraph for the CLI and the confirmation on the page."""
        if self.refusal is not None:
            return self.refusal
        enrol = self.operation is Operation.UNDO_ENROL
        things = "enrolment(s)" if enrol else "earned badge(s)"
        made = "made" if enrol else "imported"
        where = f"by job {self.job.job_id} in badge {self.job.badge_id}"
        if self.finished and self.undo_job.state is JobState.CANCELLED:
            head = (f"the undo of job {self.job.job_id} (job {self.undo_job.job_id}) was cancelled: nothing"
                    " more to revoke under it")  # fmt: skip
        elif self.finished:
            head = f"job {self.job.job_id} was undone by job {self.undo_job.job_id}: nothing more to revoke"
        elif self.undo_job is not None and self.undo_job.state is not JobState.PLANNED:
            head = f"will resume undo job {self.undo_job.job_id}: {self.to_revoke:,} {things} {made} {where} still to revoke"
        else:
            head = f"will revoke {self.to_revoke:,} {things} {made} {where}"
        parts = [head]
        before = self.left_alone.get(
            Reason.ALREADY_ENROLLED.value if enrol else Reason.ALREADY_IMPORTED.value, 0
        )
        if before:
            who = "customer(s) enrolled" if enrol else "row(s) imported"
            parts.append(f"{before:,} {who} before the job are left alone")
        other = sum(self.left_alone.values()) - before
        if other:
            detail = ", ".join(
                f"{n:,} {why}"
                for why, n in sorted(self.left_alone.items())
                if n and why != (Reason.ALREADY_ENROLLED.value if enrol else Reason.ALREADY_IMPORTED.value)
            )
            parts.append(f"{other:,} other row(s) created nothing and are left alone ({detail})")
        if self.revoked:
            parts.append(f"{self.revoked:,} already revoked by an undo of this job")
        if self.failed:
            parts.append(f"{self.failed:,} refused by the server when undoing (see the undo's results)")
        if self.not_sent:
            parts.append(
                f"{self.not_sent:,} not revoked: the undo was cancelled (undo again with a new job key)"
            )
        if self.cannot_revoke:
            parts.append(f"{self.cannot_revoke:,} created without a recorded id cannot be revoked here")
        return "; ".join(parts)


def undo_preview(journal: Journal, job_id: str, *, job_key: str | None = None) -> UndoPreview:
    """What undoing the job (with this undo job key) would revoke and what it leaves alone."""
    job, operation, undo_job, frame = _classified(journal, job_id, job_key)
    action = frame["action"]
    left = frame.loc[action == LEAVE]
    why = left["reason"].where(left["reason"].notna(), left["state"].str.lower())
    why = why.where(left["state"] != ItemState.FAILED.value, "failed")
    rows = pd.DataFrame(
        {
            "row": frame["row"].astype("int64"),
            "customerId": pd.array(frame["customer_id"], dtype="Int64"),
            "status": frame["state"].str.lower(),
            "reason": frame["reason"].fillna("").astype(str),
            "id": frame["result_id"].fillna("").astype(str),
            "action": action,
        }
    )
    counts = action.value_counts()
    return UndoPreview(
        job=job,
        operation=operation,
        to_revoke=int(counts.get(REVOKE, 0)),
        revoked=int(counts.get(REVOKED, 0)),
        failed=int(counts.get(FAILED_TO_REVOKE, 0)),
        not_sent=int(counts.get(NOT_SENT, 0)),
        cannot_revoke=int(counts.get(CANNOT_REVOKE, 0)),
        left_alone={str(k): int(n) for k, n in why.value_counts().items()},
        rows=rows,
        undo_job=undo_job,
        refusal=None if undo_job is not None else _refusal(journal, job),
    )


def _classified(
    journal: Journal, job_id: str, job_key: str | None
) -> tuple[Job, Operation, Job | None, pd.DataFrame]:
    """The job, its undo operation, its undo job for this key (if planned), and its rows (in row order)
    with the ``action`` an undo takes on each."""
    job = _job(journal, job_id)
    operation = UNDO_OF.get(job.operation)
    if operation is None:
        raise UndoError(
            f"job {job_id} is itself an undo ({job.operation}) and cannot be undone; to restore what it"
            " revoked, enrol or import those customers again with a new job"
        )
    undo_job = journal.job(undo_job_id(job, job_key))
    frame = journal.item_frame(
        job_id,
        columns=("row", "customer_id", "raw_customer", "state", "reason", "result_id", "issue_event_date",
                 "earn_event_date", "earn_expires_on"),
    )  # fmt: skip
    created = frame["state"] == ItemState.SUCCEEDED.value
    with_id = created & frame["result_id"].notna() & frame["customer_id"].notna()
    action = pd.Series(LEAVE, index=frame.index, dtype="object")
    action[created & ~with_id] = CANNOT_REVOKE
    action[with_id] = REVOKE
    revoked_rows, failed_rows = _undone_rows(journal, job_id)
    if undo_job is None:
        # A new undo sends whatever no earlier undo has revoked, the rows they failed included.
        action[with_id & frame["row"].isin(revoked_rows)] = REVOKED
    else:
        # Resuming (or rerunning) this undo sends only the rows it has not settled yet.
        mine = journal.item_frame(undo_job.job_id, columns=("row", "state"))
        pending = frame["row"].isin(mine.loc[~mine["state"].isin(_SETTLED), "row"].tolist())
        action[with_id & ~pending] = NOT_SENT  # settled without being revoked: cancelled
        action[with_id & ~pending & frame["row"].isin(failed_rows)] = FAILED_TO_REVOKE
        action[with_id & ~pending & frame["row"].isin(revoked_rows)] = REVOKED
    return job, operation, undo_job, frame.assign(action=action)


_SETTLED = [s.value for s in (ItemState.SUCCEEDED, ItemState.FAILED, ItemState.SKIPPED)]


def _job(journal: Journal, job_id: str) -> Job:
    job = journal.job(job_id)
    if job is None:
        raise UndoError(f"no job {job_id} in this journal")
    return job


def _undone_rows(journal: Journal, job_id: str) -> tuple[set[int], set[int]]:
    """Rows of the job that its undo jobs revoked (or found no longer active), and rows they failed."""
    revoked: set[int] = set()
    failed: set[int] = set()
    for undo in undo_jobs(journal, job_id):
        items = journal.item_frame(undo.job_id, columns=("row", "state", "reason"))
        gone = (items["state"] == ItemState.SUCCEEDED.value) | (
            items["reason"] == Reason.ALREADY_REVOKED.value
        )
        revoked.update(items.loc[gone, "row"].tolist())
        failed.update(items.loc[items["state"] == ItemState.FAILED.value, "row"].tolist())
    return revoked, failed - revoked


def _refusal(journal: Journal, job: Job) -> str | None:
    """Why the job cannot be undone now (None: it can)."""
    counts = journal.counts(job.job_id)
    if journal.lease_holder(job.job_id) is not None:
        return (f"job {job.job_id} is running ({counts.pending:,} row(s) pending): let it finish, or pause"
                " and cancel it, before undoing it")  # fmt: skip
    if counts.pending:
        state = job.state.value.lower()
        return (f"job {job.job_id} is {state} with {counts.pending:,} row(s) pending: resume it to the end"
                " (or cancel it) before undoing it, so that everything it created is known")  # fmt: skip
    for undo in undo_jobs(journal, job.job_id):
        if journal.counts(undo.job_id).pending:
            return (f"undo job {undo.job_id} of job {job.job_id} has not finished: resume it (or cancel it)"
                    " first")  # fmt: skip
    return None


# ---- planning ------------------------------------------------------------------------------------


def plan_undo(journal: Journal, job_id: str, *, job_key: str | None = None) -> Job:
    """Write the undo job of ``job_id`` and its frozen plan, or return it unchanged if it exists.

    ``job_key`` names a further undo of the same job (say, after the first one's refused rows were
    fixed): it revokes only what no earlier undo of the job has revoked. Raises ``UndoError`` for an
    undo job, a job still running or with rows pending, or an unfinished earlier undo.
    """
    job, operation, undo_job, frame = _classified(journal, job_id, job_key)
    if undo_job is not None:
        return undo_job
    refusal = _refusal(journal, job)
    if refusal is not None:
        raise UndoError(refusal)
    key = job_key or undo_job_key(job)
    undo_id = undo_job_id(job, job_key)
    now = journal.now()
    sending = frame[frame["action"] == REVOKE].sort_values(["customer_id", "row"], kind="stable")
    size = BATCH_SIZE[operation]
    planned = [
        (undo_id, int(r.row), int(r.customer_id), _text(r.raw_customer), k // size, _int(r.issue_event_date),
         _int(r.earn_event_date), _int(r.earn_expires_on), str(r.result_id))
        for k, r in enumerate(sending.itertuples(index=False))
    ]  # fmt: skip
    batches = []
    for number, start in enumerate(range(0, len(planned), size)):
        ids = [p[2] for p in planned[start : start + size]]
        request_id = batch_request_id(job.org, job.badge_id, key, number, ids, None)
        batches.append((undo_id, number, request_id, len(ids), now))
    settled = []
    for state, reason, message, action in (
        (ItemState.SKIPPED, Reason.ALREADY_REVOKED, "revoked by an earlier undo of this job", REVOKED),
        (ItemState.FAILED, Reason.NO_TARGET, "the job recorded no id for this row: revoke it by hand", CANNOT_REVOKE),
    ):  # fmt: skip
        for r in frame[frame["action"] == action].itertuples(index=False):
            target = _text(r.result_id)
            settled.append((undo_id, int(r.row), _int(r.customer_id), _text(r.raw_customer), state.value,
                            reason.value, message, target, _int(r.issue_event_date), _int(r.earn_event_date),
                            _int(r.earn_expires_on), now, target))  # fmt: skip
    record = {
        "job_id": undo_id,
        "operation": operation.value,
        "org": job.org,
        "base_url": job.base_url,
        "badge_id": job.badge_id,
        "job_key": key,
        "file_sha256": None,
        "file_name": job.file_name,
        "batch_size": size,
        "concurrency": job.concurrency,
        "issue_event_date": None,
        "input_rows": len(planned) + len(settled),
        "state": JobState.PLANNED.value,
        "parent_job_id": job.job_id,
        "created_at": now,
        "updated_at": now,
        "identifier": job.identifier,
        "run_id": f"undo/{job.run_id}" if job.run_id else None,
    }
    with contextlib.suppress(sqlite3.IntegrityError):  # planned at this moment by another tab or process
        journal.insert_undo_job(record, planned, settled, batches)
    created = journal.job(undo_id)
    assert created is not None
    return created


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)

"""The journal: write-ahead states, live counts and their invariant, crash recovery, the job lease."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from lib.bulk.journal import (
    BatchState,
    Counts,
    InvariantError,
    ItemState,
    Journal,
    LedgerEntry,
    Outcome,
    check_invariant,
    lease_owner_id,
)
from lib.bulk.planner import PlanSettings, plan_job
from tests.bulk.conftest import enrol_input


def new_job(journal: Journal, ids=range(1, 251), batch_size=100):
    return plan_job(journal, enrol_input(list(ids)), org="demo", base_url="u",
                    badge_id="6b02840669cc92a24b311327", job_key="k",
                    settings=PlanSettings(batch_size=batch_size))  # fmt: skip


def test_durability_settings(journal):
    assert journal._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_batch_work_uses_the_job_batch_index_and_no_state_index(journal):
    """Per-batch reads go through (job_id, batch); no index on state, which every settle would rewrite
    for each row (counts are kept running in item_counts instead)."""
    plan = " ".join(
        str(part)
        for row in journal._conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM items INDEXED BY items_by_batch WHERE job_id = 'j' AND batch = 1"
        ).fetchall()
        for part in row
    )
    indexes = {r[0] for r in journal._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "items_by_batch" in plan and "items_by_state" not in indexes


def test_settles_queued_during_a_commit_share_the_next_one(tmp_path):
    """Workers that settle while another commit holds the writer are written in one commit (one
    fsync), and each returns only once its own outcomes are committed."""
    import threading
    import time

    journal = Journal(tmp_path / "j.sqlite")
    job = new_job(journal, ids=range(1, 81), batch_size=10)
    commits = []
    journal._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    returned = []

    def settle(batch: int) -> None:
        items = journal.batch_items(job.job_id, batch)
        journal.settle(job.job_id, batch, [Outcome(i.row, ItemState.SUCCEEDED, "response") for i in items])
        returned.append(batch)

    with journal._lock:  # a commit in progress
        threads = [threading.Thread(target=settle, args=(b,)) for b in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(journal._queue) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert returned == []  # nobody returns before its outcomes are committed
    for thread in threads:
        thread.join()
    journal._conn.set_trace_callback(None)
    assert sorted(returned) == list(range(8)) and commits == ["COMMIT"]
    counts = journal.counts(job.job_id)
    assert counts.succeeded == 80 and counts.consistent
    assert all(b.state is BatchState.DONE for b in journal.batches(job.job_id))


def test_a_failing_settle_is_undone_alone(journal, monkeypatch):
    """One piece of a grouped commit that fails is rolled back to its savepoint; the others land."""
    job = new_job(journal, ids=range(1, 21), batch_size=10)
    first = journal.batch_items(job.job_id, 0)
    with pytest.raises(sqlite3.Error):  # a value SQLite cannot store, after the row was updated
        journal.settle(job.job_id, 0, [Outcome(first[0].row, ItemState.SUCCEEDED, "response")],
                       ledger=[LedgerEntry(object(), 0, first[0].row, "x")])  # fmt: skip
    assert journal.counts(job.job_id).succeeded == 0
    second = journal.batch_items(job.job_id, 1)
    journal.settle(job.job_id, 1, [Outcome(i.row, ItemState.SUCCEEDED, "response") for i in second])
    assert journal.counts(job.job_id).succeeded == 10


def test_counts_follow_the_write_ahead_states(journal):
    job = new_job(journal)
    assert journal.counts(job.job_id) == Counts(input_rows=250, planned=250)
    journal.mark_sending(job.job_id, 0)
    counts = journal.counts(job.job_id)
    assert (counts.planned, counts.sending) == (150, 100) and counts.consistent
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    journal.settle(job.job_id, 0, [Outcome(r, ItemState.SUCCEEDED, "response", result_id="x") for r in rows[:90]]
                   + [Outcome(r, ItemState.FAILED, "rejected", code=816, message="m") for r in rows[90:]])  # fmt: skip
    counts = check_invariant(journal.counts(job.job_id))
    assert (counts.succeeded, counts.failed, counts.sending, counts.planned) == (90, 10, 0, 150)
    assert journal.batch(job.job_id, 0).state is BatchState.DONE
    assert {i.attempts for i in journal.items(job.job_id) if i.batch == 0} == {1}


def test_a_settle_marks_the_next_planned_batch_and_hands_over_its_rows(journal):
    """The commit that settles a batch also marks the worker's next one SENDING and returns it with
    its rows (read in that transaction), exactly as a separate mark and read would give them."""
    job = new_job(journal)
    journal.mark_sending(job.job_id, 0)
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    chained = journal.settle(job.job_id, 0, [Outcome(r, ItemState.SUCCEEDED, "response") for r in rows],
                             then_sending=1)  # fmt: skip
    assert chained is not None and chained.batch == journal.batch(job.job_id, 1)
    assert chained.batch.state is BatchState.SENDING and chained.batch.attempts == 1
    assert chained.items == journal.open_items(job.job_id, 1) and len(chained.items) == 100
    assert check_invariant(journal.counts(job.job_id)).sending == 100


def test_a_settle_leaves_a_batch_that_is_not_planned_alone(journal):
    job = new_job(journal)
    journal.mark_sending(job.job_id, 0)
    journal.reopen_batch(job.job_id, 1, state=BatchState.UNKNOWN, not_before=None, ambiguous=True)
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    chained = journal.settle(job.job_id, 0, [Outcome(r, ItemState.SUCCEEDED, "response") for r in rows],
                             then_sending=1)  # fmt: skip
    assert chained is None
    batch = journal.batch(job.job_id, 1)
    assert batch.state is BatchState.UNKNOWN and batch.attempts == 0


def test_a_crash_while_sending_leaves_unknown_rows(journal, tmp_path):
    job = new_job(journal)
    journal.mark_sending(job.job_id, 1)
    reopened = Journal(tmp_path / "journal.sqlite")  # what the next process sees
    assert reopened.recover_interrupted(job.job_id) == 1
    batch = reopened.batch(job.job_id, 1)
    assert batch.state is BatchState.UNKNOWN and batch.ambiguous and batch.attempts == 1
    counts = check_invariant(reopened.counts(job.job_id))
    assert (counts.unknown, counts.sending, counts.planned) == (100, 0, 150)
    assert not counts.done


def test_invariant_violation_is_reported():
    with pytest.raises(InvariantError, match="!= 10 input rows"):
        check_invariant(Counts(input_rows=10, succeeded=3, planned=6))
    assert Counts(input_rows=3, succeeded=1, failed=1, skipped=1).done
    assert not Counts(input_rows=3, succeeded=2, unknown=1).done


def test_repair_batches_get_new_request_ids_and_keep_attempt_counts(journal):
    job = new_job(journal, ids=range(1, 11), batch_size=10)
    journal.mark_sending(job.job_id, 0)
    journal.reopen_batch(
        job.job_id, 0, state=BatchState.UNKNOWN, not_before=None, ambiguous=True, reconcile=True
    )
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    new = journal.replan_rows(job.job_id, 0, rows[:4], lambda g, ids, d: f"repair{g}-{len(ids)}")
    repair = journal.batch(job.job_id, new)
    assert (repair.kind, repair.request_id, repair.size, repair.state) == (
        "repair",
        "repair1-4",
        4,
        BatchState.PLANNED,
    )
    assert {i.attempts for i in journal.items(job.job_id) if i.batch == new} == {1}
    check_invariant(journal.counts(job.job_id))


def test_only_one_owner_holds_the_lease(journal):
    job = new_job(journal)
    one, two = lease_owner_id(), lease_owner_id()
    assert journal.acquire_lease(job.job_id, one, ttl=60)
    assert not journal.acquire_lease(job.job_id, two, ttl=60)
    assert journal.lease_holder(job.job_id) == one
    assert journal.renew_lease(job.job_id, one, ttl=60)
    assert not journal.renew_lease(job.job_id, two, ttl=60)
    journal.release_lease(job.job_id, one)
    assert journal.acquire_lease(job.job_id, two, ttl=60)


def test_an_expired_lease_can_be_taken(journal):
    job = new_job(journal)
    assert journal.acquire_lease(job.job_id, "elsewhere:1:a", ttl=-1)
    assert journal.acquire_lease(job.job_id, lease_owner_id(), ttl=60)


def test_a_dead_process_lease_is_taken_over_at_once(journal):
    job = new_job(journal)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    owner = f"{os.uname().nodename}:{dead.stdout.strip()}:abcd"
    assert journal.acquire_lease(job.job_id, owner, ttl=600)
    assert journal.acquire_lease(job.job_id, lease_owner_id(), ttl=600)


def recount(journal: Journal, job_id: str) -> dict[str, int]:
    rows = journal._conn.execute(
        "SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state", (job_id,)
    )
    return dict(rows.fetchall())


def test_running_counts_match_a_full_recount(journal):
    job = new_job(journal, ids=range(1, 31), batch_size=10)
    journal.mark_sending(job.job_id, 0)
    journal.reopen_batch(job.job_id, 0, state=BatchState.UNKNOWN, not_before=None, ambiguous=True)
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    journal.replan_rows(job.job_id, 0, rows[:3], lambda g, ids, d: "r")
    journal.settle(job.job_id, 0, [Outcome(r, ItemState.SUCCEEDED, "reconciled") for r in rows[3:]])
    journal.finish_cancelled(job.job_id)
    counts = journal.counts(job.job_id)
    assert recount(journal, job.job_id) == {"SKIPPED": counts.skipped, "SUCCEEDED": counts.succeeded}
    assert (counts.skipped, counts.succeeded) == (23, 7)


def test_cancel_settles_rows_never_sent(journal):
    job = new_job(journal)
    journal.mark_sending(job.job_id, 0)
    journal.reopen_batch(job.job_id, 0, state=BatchState.UNKNOWN, not_before=None, ambiguous=True)
    assert journal.finish_cancelled(job.job_id) == 150
    counts = journal.counts(job.job_id)
    assert (counts.skipped, counts.unknown) == (150, 100)

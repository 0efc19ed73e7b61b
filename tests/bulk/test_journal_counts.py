"""The journal's running counts are kept by the writes themselves, and reads never wait for a commit."""

from __future__ import annotations

import threading

from lib.bulk.journal import BatchState, Counts, ItemState, Journal, Outcome, check_invariant
from lib.bulk.planner import PlanSettings, plan_job
from tests.bulk.conftest import enrol_input

OLD_TRIGGER = """
CREATE TRIGGER item_recounted AFTER UPDATE OF state ON items WHEN OLD.state <> NEW.state BEGIN
    UPDATE item_counts SET n = n - 1 WHERE job_id = OLD.job_id AND state = OLD.state;
    INSERT INTO item_counts (job_id, state, n) VALUES (NEW.job_id, NEW.state, 1)
        ON CONFLICT (job_id, state) DO UPDATE SET n = n + 1;
END;
"""


def new_job(journal: Journal, ids=range(1, 251), batch_size=100):
    return plan_job(journal, enrol_input(list(ids)), org="demo", base_url="u",
                    badge_id="6b02840669cc92a24b311327", job_key="k",
                    settings=PlanSettings(batch_size=batch_size))  # fmt: skip


def recount(journal: Journal, job_id: str) -> dict[str, int]:
    rows = journal._conn.execute(
        "SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state", (job_id,)
    )
    return dict(rows.fetchall())


def stored_counts(journal: Journal, job_id: str) -> dict[str, int]:
    rows = journal._conn.execute("SELECT state, n FROM item_counts WHERE job_id = ? AND n <> 0", (job_id,))
    return dict(rows.fetchall())


def test_no_per_row_trigger_and_every_state_change_is_counted(journal):
    assert (
        journal._conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] == 0
    )
    job = new_job(journal, ids=range(1, 41), batch_size=10)
    journal.mark_sending(job.job_id, 0)
    journal.reopen_batch(job.job_id, 0, state=BatchState.UNKNOWN, not_before=None, ambiguous=True)
    rows = [i.row for i in journal.open_items(job.job_id, 0)]
    journal.replan_rows(job.job_id, 0, rows[:3] + rows[:1], lambda g, ids, d: "r")  # a row named twice
    outcomes = [Outcome(r, ItemState.SUCCEEDED, "reconciled") for r in rows[3:]]
    journal.settle(job.job_id, 0, outcomes + outcomes[:2] + [Outcome(9999, ItemState.FAILED, "rejected")])
    journal.mark_sending(job.job_id, 1)
    assert journal.recover_interrupted(job.job_id) == 1
    assert stored_counts(journal, job.job_id) == recount(journal, job.job_id) == {
        "PLANNED": 23, "SUCCEEDED": 7, "UNKNOWN": 10}  # fmt: skip
    journal.finish_cancelled(job.job_id)
    assert stored_counts(journal, job.job_id) == recount(journal, job.job_id)
    check_invariant(journal.counts(job.job_id))


def test_a_journal_counted_by_the_old_trigger_is_recounted_on_open(tmp_path):
    path = tmp_path / "journal.sqlite"
    journal = Journal(path)
    job = new_job(journal)
    journal._conn.executescript(OLD_TRIGGER)
    journal._conn.execute("UPDATE item_counts SET n = n + 7 WHERE job_id = ?", (job.job_id,))  # drifted
    journal.close()

    reopened = Journal(path)
    assert (
        reopened._conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] == 0
    )
    assert reopened.counts(job.job_id) == Counts(input_rows=250, planned=250)
    reopened.close()


def test_reads_see_the_last_commit_while_a_write_is_in_progress(journal):
    job = new_job(journal)
    journal.mark_sending(job.job_id, 0)
    holding, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        with journal.transaction() as conn:
            conn.execute("UPDATE batches SET state = 'DONE' WHERE job_id = ? AND batch = 0", (job.job_id,))
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=slow_write)
    writer.start()
    try:
        assert holding.wait(30)
        seen: dict = {}
        reader = threading.Thread(
            target=lambda: seen.update(
                counts=journal.counts(job.job_id),
                batch=journal.batch(job.job_id, 0).state,
                rows=len(journal.open_items(job.job_id, 0)),
            )
        )
        reader.start()
        reader.join(30)
        assert not reader.is_alive(), "a read waited for the writer's commit"
        assert (
            seen["batch"] is BatchState.SENDING and seen["rows"] == 100
        )  # the uncommitted write is not seen
        assert (seen["counts"].sending, seen["counts"].planned) == (100, 150)
    finally:
        release.set()
        writer.join(30)
    assert journal.batch(job.job_id, 0).state is BatchState.DONE

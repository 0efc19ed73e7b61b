"""What the plan writes per row: every column a planned or settled row has, and counts that match."""

from __future__ import annotations

from lib.bulk.journal import Item, ItemState, LedgerEntry, Outcome
from lib.bulk.planner import PlanSettings, plan_job
from tests.bulk.conftest import enrol_input, import_input

BADGE = "6b02840669cc92a24b311327"


def plan(journal, validated, key):
    return plan_job(journal, validated, org="demo", base_url="http://127.0.0.1:1", badge_id=BADGE,
                    job_key=key, settings=PlanSettings(batch_size=2, issue_event_date=1_700_000_000))  # fmt: skip


def test_planned_import_rows_keep_their_dates_and_start_clean(journal):
    job = plan(journal, import_input([30, 10, 20], 1_700_000_000, 1_800_000_000), "imp")
    items = journal.items(job.job_id)
    assert [(i.row, i.customer_id) for i in items] == [(2, 30), (3, 10), (4, 20)]
    assert {(i.state, i.earn_event_date, i.earn_expires_on, i.issue_event_date) for i in items} == {
        (ItemState.PLANNED, 1_700_000_000, 1_800_000_000, None)}  # fmt: skip
    assert all(i.reason is None and i.raw_customer is None and i.attempts == 0 and i.settled_at is None
               for i in items)  # fmt: skip
    by_batch = {i.customer_id: i.batch for i in items}
    assert by_batch == {10: 0, 20: 0, 30: 1}  # sorted by customer, then cut


def test_a_mix_of_planned_and_earlier_work_counts_exactly(journal):
    first = plan(journal, enrol_input([1, 2, 3]), "first")
    done = [i for i in journal.items(first.job_id) if i.customer_id in (1, 3)]
    journal.settle(first.job_id, 0, [Outcome(i.row, ItemState.SUCCEEDED, "response", result_id=f"id{i.customer_id}")
                                     for i in done],
                   ledger=[LedgerEntry(i.customer_id, 0, i.row, f"id{i.customer_id}") for i in done],
                   batch_done=False)  # fmt: skip
    second = plan(journal, enrol_input([3, 4, 1, 5]), "second")
    items: dict[int, Item] = {i.customer_id: i for i in journal.items(second.job_id)}
    assert {c: (i.state, i.result_id, i.issue_event_date) for c, i in items.items()} == {
        1: (ItemState.SKIPPED, "id1", 1_700_000_000), 3: (ItemState.SKIPPED, "id3", 1_700_000_000),
        4: (ItemState.PLANNED, None, 1_700_000_000), 5: (ItemState.PLANNED, None, 1_700_000_000)}  # fmt: skip
    counts = journal.counts(second.job_id)
    assert (counts.input_rows, counts.planned, counts.skipped) == (4, 2, 2)
    assert [b.size for b in journal.batches(second.job_id)] == [2]

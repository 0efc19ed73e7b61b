"""The batch plan: deterministic, frozen once written, and aware of work earlier jobs already did."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.bulk.journal import ItemState, JobState, Journal, LedgerEntry, Outcome
from lib.bulk.model import ISSUE_COLUMNS, Operation, ValidatedInput
from lib.bulk.planner import (
    PlanError,
    PlanSettings,
    batch_request_id,
    job_id_for,
    plan_job,
    repair_request_id,
)
from tests.bulk.conftest import enrol_input, import_input

BADGE = "6b02840669cc92a24b311327"


def plan(journal, validated, key="file-sha", **settings):
    return plan_job(journal, validated, org="demo", base_url="http://127.0.0.1:1", badge_id=BADGE,
                    job_key=key, settings=PlanSettings(**settings))  # fmt: skip


def request_ids(journal: Journal, job_id: str) -> list[str]:
    return [b.request_id for b in journal.batches(job_id)]


def test_same_input_gives_the_same_request_ids(tmp_path):
    ids = list(range(1000, 1250))
    first = Journal(tmp_path / "a.sqlite")
    second = Journal(tmp_path / "b.sqlite")
    job_a = plan(first, enrol_input(ids), batch_size=100)
    job_b = plan(second, enrol_input(list(reversed(ids))), batch_size=100)
    assert job_a.job_id == job_b.job_id
    assert request_ids(first, job_a.job_id) == request_ids(second, job_b.job_id)
    assert [b.size for b in first.batches(job_a.job_id)] == [100, 100, 50]


def test_request_ids_are_short_lowercase_and_change_with_the_job_key(journal):
    ids = list(range(1, 301))
    a = request_ids(journal, plan(journal, enrol_input(ids), key="one").job_id)
    b = request_ids(journal, plan(journal, enrol_input(ids), key="two").job_id)
    assert set(a).isdisjoint(b)
    assert all(len(r) == 32 and r.isalnum() and r == r.lower() for r in a + b)
    assert len(set(a)) == len(a)


def test_request_id_covers_every_part_of_the_body():
    base = batch_request_id("demo", BADGE, "k", 0, [1, 2, 3], None)
    assert base == batch_request_id("demo", BADGE, "k", 0, [3, 2, 1], None)
    assert base != batch_request_id("demo", BADGE, "k", 0, [1, 2, 4], None)
    assert base != batch_request_id("demo", BADGE, "k", 0, [1, 2, 3], 1_700_000_000)
    assert base != batch_request_id("demo2", BADGE, "k", 0, [1, 2, 3], None)
    assert base != batch_request_id("demo", BADGE, "k", 1, [1, 2, 3], None)
    assert base != repair_request_id("demo", BADGE, "k", 1, [1, 2, 3], None)


def test_planning_again_never_replans(journal):
    job = plan(journal, enrol_input(list(range(1, 301))), batch_size=100)
    before = journal.batches(job.job_id)
    again = plan(journal, enrol_input(list(range(500, 900))), batch_size=7)
    assert again.job_id == job.job_id
    assert journal.batches(job.job_id) == before
    assert journal.counts(job.job_id).input_rows == 300


def test_a_job_key_reused_for_another_file_is_refused(journal):
    ids = list(range(1, 11))
    plan_job(journal, enrol_input(ids), org="o", base_url="u", badge_id=BADGE, job_key="k", file_sha256="aa")
    with pytest.raises(PlanError, match="different file"):
        plan_job(
            journal, enrol_input(ids), org="o", base_url="u", badge_id=BADGE, job_key="k", file_sha256="bb"
        )


def test_enrolments_are_batched_per_event_date(journal):
    ids = list(range(1, 11))
    dates = [None, 1_700_000_000] * 5
    job = plan(journal, enrol_input(ids, dates=dates), batch_size=100, issue_event_date=1_600_000_000)
    batches = journal.batches(job.job_id)
    assert sorted((b.issue_event_date, b.size) for b in batches) == [(1_600_000_000, 5), (1_700_000_000, 5)]
    for batch in batches:
        assert {i.issue_event_date for i in journal.open_items(job.job_id, batch.batch)} == {
            batch.issue_event_date
        }


def test_imports_are_not_split_by_date(journal):
    job = plan(journal, import_input(list(range(1, 251)), 1_700_000_000, 1_800_000_000), batch_size=100)
    assert [b.size for b in journal.batches(job.job_id)] == [100, 100, 50]
    assert all(b.issue_event_date is None for b in journal.batches(job.job_id))


def test_customers_done_by_an_earlier_job_are_skipped_without_a_batch(journal):
    first = plan(journal, enrol_input([1, 2, 3]), key="first")
    rows = {i.customer_id: i.row for i in journal.items(first.job_id)}
    journal.settle(first.job_id, 0, [Outcome(rows[1], ItemState.SUCCEEDED, "response", result_id="a" * 24)],
                   ledger=[LedgerEntry(1, 0, rows[1], "a" * 24)], batch_done=False)  # fmt: skip
    second = plan(journal, enrol_input([1, 4]), key="second")
    items = {i.customer_id: i for i in journal.items(second.job_id)}
    assert items[1].state is ItemState.SKIPPED and items[1].reason == "already-enrolled"
    assert items[1].result_id == "a" * 24 and items[1].batch is None
    assert items[4].state is ItemState.PLANNED
    assert sum(b.size for b in journal.batches(second.job_id)) == 1


def test_rows_refused_by_validation_are_accounted_for(journal):
    valid = enrol_input([7, 8]).valid
    issues = pd.DataFrame(
        [
            (4, "customerId", "abc", "error", "not_a_number", "row 4, customerId: 'abc' is not a number"),
            (
                5,
                "customerId",
                "7",
                "skipped",
                "duplicate_in_file",
                "row 5, customerId: '7' same customer as row 2",
            ),
        ],
        columns=list(ISSUE_COLUMNS),
    )
    job = plan(journal, ValidatedInput(Operation.ENROL, valid, issues=issues, source_rows=4))
    counts = journal.counts(job.job_id)
    assert (counts.input_rows, counts.failed, counts.skipped, counts.planned) == (4, 1, 1, 2)
    items = {i.row: i for i in journal.items(job.job_id)}
    assert items[4].reason == "invalid-row" and "not a number" in items[4].message
    assert items[5].reason == "duplicate-in-file" and items[5].customer_id == 7


def test_settings_are_checked(journal):
    with pytest.raises(PlanError):
        plan(journal, enrol_input([1]), batch_size=501)
    with pytest.raises(PlanError):
        plan(journal, enrol_input([1]), concurrency=0)
    assert plan(journal, import_input([1], 1, 2), batch_size=1000).batch_size == 1000


def test_job_id_depends_on_org_cluster_badge_and_key():
    base = job_id_for(Operation.ENROL, "demo", "u", BADGE, "k")
    assert base == job_id_for("enrol", "demo", "u", BADGE, "k")
    assert base != job_id_for(Operation.IMPORT, "demo", "u", BADGE, "k")
    assert base != job_id_for(Operation.ENROL, "demo", "v", BADGE, "k")


def test_a_new_job_starts_planned(journal):
    job = plan(journal, enrol_input([1, 2]))
    assert job.state is JobState.PLANNED and job.input_rows == 2


def test_a_row_refused_by_validation_keeps_its_customer_as_the_file_wrote_it(journal):
    from lib.bulk import results
    from lib.bulk.validate import validate
    from tests.bulk.test_validate import ENROL, text_frame

    frame = text_frame({"Member": ["101", "12x", "103"], "When": ["", "", "garbage"]})
    mapping = ENROL.__class__(Operation.ENROL, {"customer_id": "Member", "issue_event_date": "When"})
    validated = validate(frame, mapping)
    assert validated.raw_customers_of_invalid_rows() == {3: "12x", 4: "103"}
    job = plan(journal, validated)
    table = results.outcome_table(journal, job.job_id).set_index("row")
    assert table.loc[3, "customerId"] == "12x" and table.loc[3, "reason"] == "invalid-row"
    assert table.loc[4, "customerId"] == 103 and table.loc[4, "status"] == "failed"

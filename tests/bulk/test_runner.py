"""Running jobs against the sandbox over HTTP: clean runs, re-uploads, 1040, cancel, pause/resume, import,
retrying failed rows as a new job, results files."""

from __future__ import annotations

import csv
import io
import time

import pytest

from lib.bulk import results
from lib.bulk.journal import ItemState, JobState, Journal, check_invariant
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.registry import JobRegistry, registry_for
from lib.bulk.runner import JobRunner, LeaseHeldError
from tests.bulk.conftest import (
    DAY,
    FAST,
    assert_settled_exactly_once,
    customer_ids,
    earns,
    enrol_input,
    enrolments,
    import_input,
    issue_requests,
)


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def plan(journal, validated, client, badge, key="file", **settings):
    return plan_job(journal, validated, org="demo", base_url=client.base_url, badge_id=badge, job_key=key,
                    settings=PlanSettings(**settings))  # fmt: skip


def run(journal, job, client, **kwargs):
    return JobRunner(journal, job.job_id, client, config=kwargs.pop("config", FAST), **kwargs).run()


def test_clean_enrolment(journal, client, faults, enrol_badge):
    ids = customer_ids(450)
    job = plan(journal, enrol_input(ids), client, enrol_badge, batch_size=100)
    before = issue_requests(faults)
    result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 450
    assert issue_requests(faults) - before == 5
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)
    table = results.outcome_table(journal, job.job_id)
    assert set(table["status"]) == {"succeeded"} and table["issuedId"].str.len().eq(24).all()
    assert table["requestId"].nunique() == 5 and set(table["attempts"]) == {1}


def test_running_a_finished_job_again_sends_nothing(journal, client, faults, enrol_badge):
    ids = customer_ids(120)
    job = plan(journal, enrol_input(ids), client, enrol_badge)
    run(journal, job, client)
    before = issue_requests(faults)
    again = plan(journal, enrol_input(ids), client, enrol_badge)
    assert again.job_id == job.job_id
    assert run(journal, again, client).state is JobState.COMPLETED
    assert issue_requests(faults) == before


def test_same_customers_under_a_new_job_key_are_skipped_without_sending(journal, client, faults, enrol_badge):
    ids = customer_ids(150)
    run(journal, plan(journal, enrol_input(ids), client, enrol_badge, key="first"), client)
    before = issue_requests(faults)
    second = plan(journal, enrol_input(ids + customer_ids(10)), client, enrol_badge, key="second")
    result = run(journal, second, client)
    assert result.counts.skipped == 150 and result.counts.succeeded == 10
    assert issue_requests(faults) - before == 1
    reasons = {i.reason for i in journal.items(second.job_id) if i.state is ItemState.SKIPPED}
    assert reasons == {"already-enrolled"}


def test_same_file_from_another_journal_is_reported_as_already_enrolled(
    tmp_path, client, faults, enrol_badge
):
    """No shared ledger: the same planned requestIds come back as 809. This journal never sent them, so
    what they enrolled is not this job's work: one resend per batch under a fresh requestId is answered
    1040 per customer, and every row is skipped as already enrolled, with the existing issuedId."""
    ids = customer_ids(200)
    first, second = Journal(tmp_path / "one.sqlite"), Journal(tmp_path / "two.sqlite")
    run(first, plan(first, enrol_input(ids), client, enrol_badge), client)
    issued = {i.customer_id: i.result_id for i in first.items(first.jobs()[0].job_id)}
    job = plan(second, enrol_input(ids), client, enrol_badge)
    before = issue_requests(faults)
    result = run(second, job, client)
    assert result.state is JobState.COMPLETED
    assert (result.counts.succeeded, result.counts.skipped) == (0, 200)
    items = second.items(job.job_id)
    assert {i.reason for i in items} == {"already-enrolled"}
    assert {i.customer_id: i.result_id for i in items} == issued
    assert issue_requests(faults) - before == 2 * len(second.batches(job.job_id))  # the 809, then one resend
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}


def test_already_enrolled_customers_are_skipped_with_their_issue_id(journal, client, faults, enrol_badge):
    ids = customer_ids(60)
    earlier = client.issue_bulk(badge_id=enrol_badge, customers=ids[:15]).issued_badges
    existing = {b.customer_id: b.issued_id for b in earlier}
    job = plan(journal, enrol_input(ids), client, enrol_badge)
    result = run(journal, job, client)
    assert (result.counts.skipped, result.counts.succeeded) == (15, 45)
    for item in journal.items(job.job_id):
        if item.customer_id in existing:
            assert (item.state, item.reason, item.code) == (ItemState.SKIPPED, "already-enrolled", 1040)
            assert item.result_id == existing[item.customer_id]
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_server_refusal_fails_every_row_of_the_batch_once(journal, client, faults, enrol_badge):
    ids = customer_ids(30)
    job = plan(journal, enrol_input(ids), client, enrol_badge, issue_event_date=946684800)  # 2000: outside
    before = issue_requests(faults)
    result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.failed == 30
    assert issue_requests(faults) - before == 1
    assert {(i.code, i.attempts) for i in journal.items(job.job_id)} == {(816, 1)}


def test_retry_failed_rows_is_a_new_job(journal, client, faults, enrol_badge):
    ids = customer_ids(20)
    job = plan(journal, enrol_input(ids), client, enrol_badge)
    client.deactivate_badge(badge_id=enrol_badge)
    assert run(journal, job, client).counts.failed == 20
    client.activate_badge(badge_id=enrol_badge)
    child = results.retry_failed_job(journal, job.job_id)
    assert child is not None and child.job_id != job.job_id and child.parent_job_id == job.job_id
    assert journal.counts(child.job_id).planned == 20
    assert set(b.request_id for b in journal.batches(child.job_id)).isdisjoint(
        b.request_id for b in journal.batches(job.job_id)
    )
    assert run(journal, child, client).counts.succeeded == 20
    assert results.retry_failed_job(journal, child.job_id) is None


def test_cancel_skips_what_was_never_sent(journal, client, faults, enrol_badge):
    ids = customer_ids(300)
    job = plan(journal, enrol_input(ids), client, enrol_badge, batch_size=10, concurrency=1)
    faults.set_faults(
        [{"method": "POST", "path_suffix": "issueBulk", "kind": "commit_then_delay", "delay": 0.3}]
    )
    runner = JobRunner(journal, job.job_id, client, config=FAST)
    runner.start()
    wait_until(lambda: journal.counts(job.job_id).succeeded >= 10)
    runner.cancel()
    result = runner.wait(30)
    assert result.state is JobState.CANCELLED
    counts = check_invariant(result.counts)
    assert counts.pending == 0 and counts.skipped >= 200
    assert {i.reason for i in journal.items(job.job_id) if i.state is ItemState.SKIPPED} == {"cancelled"}
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_pause_and_resume_through_the_registry(journal, client, faults, enrol_badge):
    ids = customer_ids(200)
    job = plan(journal, enrol_input(ids), client, enrol_badge, batch_size=10, concurrency=1)
    faults.set_faults(
        [{"method": "POST", "path_suffix": "issueBulk", "kind": "commit_then_delay", "delay": 0.1}]
    )
    registry = JobRegistry(journal, config=FAST)
    registry.start(job.job_id, client)
    assert registry.runner(job.job_id) is not None
    wait_until(lambda: journal.counts(job.job_id).succeeded >= 20)
    assert registry.pause(job.job_id)
    paused = registry.wait(job.job_id, 30)
    assert (paused.state, paused.reason) == (JobState.PAUSED, "user")
    assert 0 < journal.counts(job.job_id).planned < 200
    faults.clear_faults()
    resumed = registry.start(job.job_id, client).wait(60)
    assert resumed.state is JobState.COMPLETED
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_a_second_runner_is_kept_out_by_the_lease(journal, client, faults, enrol_badge):
    job = plan(journal, enrol_input(customer_ids(100)), client, enrol_badge, batch_size=10, concurrency=1)
    faults.set_faults(
        [{"method": "POST", "path_suffix": "issueBulk", "kind": "commit_then_delay", "delay": 0.05}]
    )
    first = JobRunner(journal, job.job_id, client, config=FAST)
    first.start()
    wait_until(lambda: journal.lease_holder(job.job_id) is not None)
    with pytest.raises(LeaseHeldError):
        JobRunner(journal, job.job_id, client, config=FAST).run()
    assert first.wait(60).state is JobState.COMPLETED


def test_registry_resumes_jobs_a_dead_process_left_running(journal, client, faults, enrol_badge):
    ids = customer_ids(50)
    job = plan(journal, enrol_input(ids), client, enrol_badge)
    journal.set_job_state(job.job_id, JobState.RUNNING)  # as a process that died mid-run leaves it
    registry = JobRegistry(journal, config=FAST)
    assert registry.resume_unfinished(lambda j: client if j.org == "demo" else None) == [job.job_id]
    assert registry.wait(job.job_id, 60).state is JobState.COMPLETED


def test_registry_for_a_journal_resumes_on_first_use(tmp_path, client, faults, enrol_badge):
    path = tmp_path / "console.sqlite"
    journal = Journal(path)
    job = plan(journal, enrol_input(customer_ids(30)), client, enrol_badge)
    journal.set_job_state(job.job_id, JobState.RUNNING)
    registry = registry_for(path, config=FAST, resume_with=lambda j: client)
    assert registry is registry_for(path)
    assert registry.wait(job.job_id, 60).state is JobState.COMPLETED


def test_import_earned_badges(journal, client, faults, import_badge):
    ids = customer_ids(250)
    event = int(faults.now().timestamp()) - 10 * DAY
    job = plan(journal, import_input(ids, event, event + 400 * DAY), client, import_badge, batch_size=100)
    result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 250
    held = earns(faults, import_badge)
    assert held == {(c, event): 1 for c in ids}
    table = results.outcome_table(journal, job.job_id)
    assert table["earnedBadgeId"].str.len().eq(24).all() and table["requestId"].str.contains("_").all()
    again = plan(journal, import_input(ids, event, event + 400 * DAY), client, import_badge, key="again")
    assert run(journal, again, client).counts.skipped == 250
    assert earns(faults, import_badge) == held


def test_results_csv_neutralises_formulas_in_server_messages(journal, client, faults, enrol_badge):
    job = plan(journal, enrol_input(customer_ids(3)), client, enrol_badge)
    rows = [i.row for i in journal.items(job.job_id)]
    from lib.bulk.journal import Outcome

    journal.mark_sending(job.job_id, 0)
    journal.settle(job.job_id, 0, [Outcome(r, ItemState.FAILED, "rejected", code=1, message="=HYPERLINK(\"x\")")
                                   for r in rows])  # fmt: skip
    text = results.results_csv(journal, job.job_id).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["errorMessage"] for r in records} == {'\'=HYPERLINK("x")'}
    assert {r["status"] for r in records} == {"failed"}
    assert results.results_xlsx(journal, job.job_id)[:2] == b"PK"

"""Undoing enrol and import jobs against the sandbox over HTTP: exactly what the job created is revoked,
what existed before stays, twice is once, faults and crashes change nothing of that, and the ledger lets
the same customers be enrolled again afterwards."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import threading
import time

import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from lib.bulk import results
from lib.bulk.journal import ItemState, JobState, Journal, check_invariant
from lib.bulk.model import Operation
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.runner import JobRunner, RunConfig
from lib.bulk.undo import BATCH_SIZE, UndoError, latest_run, plan_undo, undo_jobs, undo_preview
from tests.bulk.conftest import DAY, FAST, badge_body, customer_ids, enrol_input, import_input

REVOKE_ISSUE = {"method": "POST", "path_suffix": "revokeIssue"}
REVOKE_EARN = {"method": "POST", "path_suffix": "revokeEarn"}


# ---- the sandbox's truth -------------------------------------------------------------------------


def active_issues(sandbox, badge_id: str) -> dict[str, int]:
    """issueId -> customer of every enrolment of the badge that is not revoked."""
    with sqlite3.connect(sandbox.db_path) as conn:
        rows = conn.execute(
            "SELECT id, customer_id FROM issues WHERE badge_id = ? AND revoked_on IS NULL", (badge_id,)
        ).fetchall()
    return dict(rows)


def revoked_issues(sandbox, badge_id: str) -> set[str]:
    with sqlite3.connect(sandbox.db_path) as conn:
        rows = conn.execute(
            "SELECT id FROM issues WHERE badge_id = ? AND revoked_on IS NOT NULL", (badge_id,)
        ).fetchall()
    return {r[0] for r in rows}


def active_earns(sandbox, badge_id: str) -> dict[str, int]:
    with sqlite3.connect(sandbox.db_path) as conn:
        rows = conn.execute(
            "SELECT id, customer_id FROM earns WHERE badge_id = ? AND revoked_on IS NULL", (badge_id,)
        ).fetchall()
    return dict(rows)


def revoke_requests(sandbox, suffix: str) -> int:
    return sum(n for path, n in sandbox.stats()["by_path"].items() if path.endswith(suffix))


def created_ids(journal: Journal, job_id: str) -> dict[int, str]:
    """row -> the id the job created (its SUCCEEDED rows)."""
    return {i.row: i.result_id for i in journal.items(job_id) if i.state is ItemState.SUCCEEDED}


def assert_settled_once(journal: Journal, job_id: str) -> None:
    """Nothing pending, and the running counts agree with the rows themselves."""
    counts = check_invariant(journal.counts(job_id))
    assert counts.pending == 0
    recount = dict(
        journal._conn.execute(
            "SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state", (job_id,)
        ).fetchall()
    )
    expected = {"SUCCEEDED": counts.succeeded, "FAILED": counts.failed, "SKIPPED": counts.skipped}
    assert recount == {k: v for k, v in expected.items() if v}


# ---- helpers -------------------------------------------------------------------------------------


def plan(journal, validated, base_url, badge, key="file", **settings):
    return plan_job(journal, validated, org="demo", base_url=base_url, badge_id=badge, job_key=key,
                    settings=PlanSettings(**settings))  # fmt: skip


def run(journal, job_id, client, config=FAST, seed=3):
    return JobRunner(journal, job_id, client, config=config, rng=random.Random(seed)).run()


def client_for(base_url: str, *, timeout: float = 5.0) -> BadgesClient:
    return BadgesClient(
        base_url, BasicAuth("demo", "demo"), timeout=timeout, connect_timeout=0.5, max_retries=0
    )


@pytest.fixture
def enrolled(journal, client, faults, enrol_badge):
    """An enrol job of 90 customers, 20 of whom held an enrolment before it (made by another request):
    (job, ids, issue ids that existed before the job)."""
    ids = customer_ids(90)
    earlier = client.issue_bulk(badge_id=enrol_badge, customers=ids[:50:5] + ids[-10:]).issued_badges
    before = {b.issued_id for b in earlier}
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=25)
    result = run(journal, job.job_id, client)
    assert (result.counts.succeeded, result.counts.skipped) == (70, 20)
    return job, ids, before


# ---- enrol ---------------------------------------------------------------------------------------


def test_undo_revokes_exactly_the_enrolments_the_job_made(journal, client, faults, enrol_badge, enrolled):
    job, ids, before = enrolled
    made = created_ids(journal, job.job_id)
    preview = undo_preview(journal, job.job_id)
    assert preview.can_undo and preview.operation is Operation.UNDO_ENROL
    assert (preview.to_revoke, preview.left_alone) == (70, {"already-enrolled": 20})
    text = preview.describe()
    assert f"will revoke 70 enrolment(s) made by job {job.job_id} in badge {enrol_badge}" in text
    assert "20 customer(s) enrolled before the job are left alone" in text
    assert set(preview.rows.loc[preview.rows["action"] == "revoke", "id"]) == set(made.values())

    undo = plan_undo(journal, job.job_id)
    assert undo.parent_job_id == job.job_id and undo.operation == "undo-enrol"
    items = journal.items(undo.job_id)
    assert {i.row: i.target_id for i in items} == made  # same row numbers, the ids the job created
    sizes = [b.size for b in journal.batches(undo.job_id)]
    assert max(sizes) <= BATCH_SIZE[Operation.UNDO_ENROL] == 20 and sum(sizes) == 70
    before_calls = revoke_requests(faults, "revokeIssue")
    result = run(journal, undo.job_id, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 70
    assert revoke_requests(faults, "revokeIssue") - before_calls == len(sizes)
    assert_settled_once(journal, undo.job_id)

    # The sandbox: exactly the enrolments that existed before the job are still active.
    assert set(active_issues(faults, enrol_badge)) == before
    assert revoked_issues(faults, enrol_badge) == set(made.values())
    # ...and the API says so per customer.
    some_made = next(i for i in journal.items(job.job_id) if i.state is ItemState.SUCCEEDED)
    detail = client.get_customer_badge(
        customer_id=some_made.customer_id, badge_id=enrol_badge, include_statistics=True
    )
    assert {(i.issue_id, i.issued_status) for i in detail.issual_details.issuals} == {
        (some_made.result_id, "REVOKED")
    }
    kept = next(i for i in journal.items(job.job_id) if i.state is ItemState.SKIPPED)
    detail = client.get_customer_badge(
        customer_id=kept.customer_id, badge_id=enrol_badge, include_statistics=True
    )
    assert [i.issued_status for i in detail.issual_details.issuals] == ["ACTIVE"]

    # The results file of the undo: one line per revoked row, with the revoked id.
    records = list(csv.DictReader(io.StringIO(results.results_csv(journal, undo.job_id).decode("utf-8-sig"))))
    assert len(records) == 70 and {r["status"] for r in records} == {"succeeded"}
    id_column = "issuedId" if "issuedId" in records[0] else "earnedBadgeId"
    assert {int(r["row"]): r[id_column] for r in records} == made
    assert undo_jobs(journal, job.job_id) == [journal.job(undo.job_id)]


def test_after_an_undo_the_same_customers_can_be_enrolled_again(
    journal, client, faults, enrol_badge, enrolled
):
    """The ledger forgets what was revoked: a later job sends those customers instead of skipping them
    as already enrolled (the ones enrolled before the first job still hold it, and are skipped)."""
    job, ids, before = enrolled
    run(journal, plan_undo(journal, job.job_id).job_id, client)
    again = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, key="again")
    result = run(journal, again.job_id, client)
    assert (result.counts.succeeded, result.counts.skipped) == (70, 20)
    assert len(active_issues(faults, enrol_badge)) == 90


def test_undoing_twice_does_nothing_new(journal, client, faults, enrol_badge, enrolled):
    job, _, before = enrolled
    first = plan_undo(journal, job.job_id)
    run(journal, first.job_id, client)
    calls = revoke_requests(faults, "revokeIssue")
    assert plan_undo(journal, job.job_id).job_id == first.job_id  # planned twice: the same job
    assert run(journal, first.job_id, client).state is JobState.COMPLETED
    preview = undo_preview(journal, job.job_id)
    assert preview.finished and preview.to_revoke == 0 and preview.revoked == 70
    assert "nothing more to revoke" in preview.describe()
    # A further undo under a new key finds everything revoked already and sends nothing.
    further = plan_undo(journal, job.job_id, job_key="again")
    assert further.job_id != first.job_id and journal.batches(further.job_id) == []
    result = run(journal, further.job_id, client)
    assert result.state is JobState.COMPLETED and result.counts.skipped == 70
    assert {i.reason for i in journal.items(further.job_id)} == {"already-revoked"}
    assert revoke_requests(faults, "revokeIssue") == calls
    assert set(active_issues(faults, enrol_badge)) == before


def test_enrolments_revoked_by_someone_else_are_skipped_not_claimed(
    journal, client, faults, enrol_badge, enrolled
):
    job, _, before = enrolled
    made = [i for i in journal.items(job.job_id) if i.state is ItemState.SUCCEEDED]
    elsewhere = made[:3]
    client.revoke_issue(badge_id=enrol_badge,
                        revoke_issuals=[{"customerId": i.customer_id, "issueId": i.result_id} for i in elsewhere])  # fmt: skip
    undo = plan_undo(journal, job.job_id)
    result = run(journal, undo.job_id, client)
    assert (result.counts.succeeded, result.counts.skipped) == (67, 3)
    skipped = [i for i in journal.items(undo.job_id) if i.state is ItemState.SKIPPED]
    assert {(i.row, i.reason, i.code) for i in skipped} == {
        (i.row, "already-revoked", 404) for i in elsewhere
    }
    assert set(active_issues(faults, enrol_badge)) == before


def test_an_undo_cannot_be_undone_and_an_unfinished_job_waits(journal, client, faults, enrol_badge, enrolled):
    job, ids, _ = enrolled
    undo = plan_undo(journal, job.job_id)
    with pytest.raises(UndoError, match="itself an undo"):
        plan_undo(journal, undo.job_id)
    pending = plan(journal, enrol_input(customer_ids(30)), faults.base_url, enrol_badge, key="later")
    with pytest.raises(UndoError, match="30 row.s. pending"):
        plan_undo(journal, pending.job_id)
    preview = undo_preview(journal, pending.job_id)
    assert not preview.can_undo and "pending" in preview.describe()
    with pytest.raises(UndoError, match="no job"):
        plan_undo(journal, "job-nope")
    # The latest run is the newest enrol or import job, whatever undo jobs came after it.
    assert latest_run(journal) == [journal.job(pending.job_id)]


def test_jobs_of_one_run_are_undone_together(journal, client, faults, enrol_badge):
    other = client.create_badge(badge=badge_body(faults.now(), "ISSUE_EARN"), migration=True).id
    ids = customer_ids(10)
    jobs = [plan(journal, enrol_input(ids), faults.base_url, badge) for badge in (enrol_badge, other)]
    journal._conn.execute("UPDATE jobs SET run_id = 'run-1'")
    assert [j.job_id for j in latest_run(journal)] == [j.job_id for j in jobs]


# ---- faults, crashes, a lost lease ---------------------------------------------------------------


def test_undo_under_lost_answers_and_server_errors(journal, faults, enrol_badge):
    ids = customer_ids(400)
    with client_for(faults.base_url, timeout=0.5) as client:
        earlier = client.issue_bulk(badge_id=enrol_badge, customers=ids[:20]).issued_badges
        before = {b.issued_id for b in earlier}
        job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=100)
        run(journal, job.job_id, client)
        made = created_ids(journal, job.job_id)
        assert len(made) == 380
        faults.set_faults([
            {**REVOKE_ISSUE, "kind": "commit_then_drop", "probability": 0.15, "seed": 1},
            {**REVOKE_ISSUE, "kind": "commit_then_delay", "delay": 1.0, "probability": 0.1, "seed": 2},
            {**REVOKE_ISSUE, "status": 503, "probability": 0.1, "seed": 3},
            {**REVOKE_ISSUE, "status": 500, "probability": 0.1, "seed": 4},
            {**REVOKE_ISSUE, "kind": "drop_before_commit", "probability": 0.1, "seed": 5},
        ])  # fmt: skip
        undo = plan_undo(journal, job.job_id)
        result = run(journal, undo.job_id, client)
    faults.clear_faults()
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 380
    items = journal.items(undo.job_id)
    assert {i.reason for i in items} <= {"response", "confirmed-on-resend"}
    assert any(i.reason == "confirmed-on-resend" for i in items)  # some answers were lost after the work
    assert any(b.attempts > 1 for b in journal.batches(undo.job_id))
    assert_settled_once(journal, undo.job_id)
    assert set(active_issues(faults, enrol_badge)) == before
    assert revoked_issues(faults, enrol_badge) == set(made.values())


class Crash(BaseException):
    """The process died here."""


class CrashingClient:
    """The real client, except that the `crash_on`-th revoke call is applied by the server and then
    the worker dies before it reads the answer (as SIGKILL would)."""

    def __init__(self, client: BadgesClient, crash_on: int) -> None:
        self.client, self.crash_on, self.calls = client, crash_on, 0
        self.lock = threading.Lock()

    def send_raw(self, method, path, **kwargs):
        answer = self.client.send_raw(method, path, **kwargs)
        with self.lock:
            self.calls += 1
            crash = self.calls == self.crash_on
        if crash:
            raise Crash()
        return answer


@pytest.fixture
def quiet_crashes(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)


def test_a_crash_mid_undo_then_resume_revokes_each_once(
    journal, client, faults, enrol_badge, enrolled, quiet_crashes
):
    job, _, before = enrolled
    made = created_ids(journal, job.job_id)
    undo = plan_undo(journal, job.job_id)
    first = run(journal, undo.job_id, CrashingClient(client, crash_on=2))
    assert (first.state, first.reason) == (JobState.PAUSED, "unsettled-rows")
    crashed = [b for b in journal.batches(undo.job_id) if b.state.value == "SENDING"]
    assert len(crashed) == 1  # applied by the server, its answer never read
    resumed = Journal(journal.path)  # a new process reading the same file
    try:
        result = run(resumed, undo.job_id, client)
        assert result.state is JobState.COMPLETED and result.counts.succeeded == 70
        confirmed = {i.row for i in resumed.items(undo.job_id) if i.reason == "confirmed-on-resend"}
        crashed_rows = {i.row for i in resumed.batch_items(undo.job_id, crashed[0].batch)}
        assert confirmed == crashed_rows
        assert_settled_once(resumed, undo.job_id)
    finally:
        resumed.close()
    assert set(active_issues(faults, enrol_badge)) == before
    assert revoked_issues(faults, enrol_badge) == set(made.values())


def test_a_lost_lease_stops_the_undo_and_a_resume_finishes_it(journal, client, faults, enrol_badge, enrolled):
    job, _, before = enrolled
    undo = plan_undo(journal, job.job_id)
    faults.set_faults([{**REVOKE_ISSUE, "kind": "commit_then_delay", "delay": 0.4}])
    config = RunConfig(retry=FAST.retry, lease_ttl=0.6, poll=0.01, concurrency=1)
    runner = JobRunner(journal, undo.job_id, client, config=config)
    runner.start()
    deadline = time.monotonic() + 30
    while journal.counts(undo.job_id).settled < 20:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # Another process takes the job over (as after this one stalled past its lease).
    journal._conn.execute("UPDATE jobs SET lease_owner = 'elsewhere:1:x', lease_expires_at = 1e12 WHERE job_id = ?",
                          (undo.job_id,))  # fmt: skip
    result = runner.wait(30)
    assert result.reason == "lease-lost"
    assert 0 < check_invariant(journal.counts(undo.job_id)).settled < 70
    faults.clear_faults()
    journal._conn.execute("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE job_id = ?",
                          (undo.job_id,))  # fmt: skip
    assert run(journal, undo.job_id, client).state is JobState.COMPLETED
    assert_settled_once(journal, undo.job_id)
    assert set(active_issues(faults, enrol_badge)) == before


# ---- import --------------------------------------------------------------------------------------


def test_undo_import_revokes_exactly_the_imported_earns(journal, client, faults, import_badge):
    ids = customer_ids(60)
    event = int(faults.now().timestamp()) - 10 * DAY
    expires = event + 400 * DAY
    elsewhere = client.import_customer_badges(  # earns these customers held before the job
        items=[
            {"badgeMetaId": import_badge, "customerId": c, "earnEventDate": event, "earnExpiresOn": expires}
            for c in ids[:10]
        ]  # fmt: skip
    )
    before = {e.data.earned_badge_id for e in elsewhere}
    job = plan(journal, import_input(ids, event, expires), faults.base_url, import_badge, batch_size=25)
    run(journal, job.job_id, client)
    made = created_ids(journal, job.job_id)
    assert len(made) == 60 and set(active_earns(faults, import_badge)) == before | set(made.values())

    preview = undo_preview(journal, job.job_id)
    assert preview.to_revoke == 60 and "will revoke 60 earned badge(s) imported by job" in preview.describe()
    undo = plan_undo(journal, job.job_id)
    assert {b.size for b in journal.batches(undo.job_id)} == {1}  # revokeEarn: one earn per call
    faults.set_faults([
        {**REVOKE_EARN, "kind": "commit_then_drop", "probability": 0.2, "seed": 7},
        {**REVOKE_EARN, "status": 503, "probability": 0.1, "seed": 8},
    ])  # fmt: skip
    with client_for(faults.base_url) as flaky:
        result = run(journal, undo.job_id, flaky)
    faults.clear_faults()
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 60
    assert any(i.reason == "confirmed-on-resend" for i in journal.items(undo.job_id))
    assert_settled_once(journal, undo.job_id)
    assert set(active_earns(faults, import_badge)) == before

    # Earns revoked elsewhere are skipped; and the ledger lets the same file be imported again.
    again = plan(journal, import_input(ids, event, expires), faults.base_url, import_badge, key="again")
    assert run(journal, again.job_id, client).counts.succeeded == 60
    done = created_ids(journal, again.job_id)
    client.revoke_earn(badge_id=import_badge, customer_id=ids[0], earned_badge_id=done[2])
    result = run(journal, plan_undo(journal, again.job_id).job_id, client)
    assert (result.counts.succeeded, result.counts.skipped) == (59, 1)
    skipped = next(
        i for i in journal.items(plan_undo(journal, again.job_id).job_id) if i.state is ItemState.SKIPPED
    )
    assert (skipped.row, skipped.reason, skipped.code) == (2, "already-revoked", 814)
    assert set(active_earns(faults, import_badge)) == before


@pytest.fixture
def network(sandbox):
    """The shared sandbox, its network profile reset to off afterwards."""
    yield sandbox
    sandbox.set_network("off")


@pytest.mark.slow
def test_undo_through_a_flaky_rate_limited_network(journal, enrol_badge, import_badge, network):
    """Enrol and import jobs made on a quiet network are undone through a remote, throttling, flaky one."""
    ids = customer_ids(500)
    flaky = network
    event = int(flaky.now().timestamp()) - 3 * DAY
    with client_for(flaky.base_url) as client:
        before = {
            b.issued_id for b in client.issue_bulk(badge_id=enrol_badge, customers=ids[:20]).issued_badges
        }
        enrol = plan(journal, enrol_input(ids), flaky.base_url, enrol_badge, key="e")
        imported = plan(
            journal, import_input(ids[:80], event, event + 90 * DAY), flaky.base_url, import_badge, key="i"
        )
        for job in (enrol, imported):
            assert run(journal, job.job_id, client).state is JobState.COMPLETED
    # A remote cluster: ~40 ms away, 25 requests/s per org (429 with Retry-After beyond), 503s and
    # answers lost after the work was done.
    flaky.set_network("flaky", latency_ms=40, jitter_ms=15, rate_per_s=25, seed=5)
    config = RunConfig(retry=FAST.retry)  # the default pace: adaptive, from 2 in flight
    with client_for(flaky.base_url, timeout=5.0) as client:
        for job in (enrol, imported):
            undo = plan_undo(journal, job.job_id)
            result = run(journal, undo.job_id, client, config=config)
            assert result.state is JobState.COMPLETED, result
            assert result.counts.succeeded == len(created_ids(journal, job.job_id))
            assert_settled_once(journal, undo.job_id)
    counters = flaky.network().counters
    assert counters.answered_429 + counters.injected_503 + counters.answers_lost > 0  # it did misbehave
    assert set(active_issues(flaky, enrol_badge)) == before
    assert active_earns(flaky, import_badge) == {}


# ---- the policy of an undo -----------------------------------------------------------------------


@pytest.mark.parametrize("operation", [Operation.UNDO_ENROL, Operation.UNDO_IMPORT])
def test_an_unclear_revoke_is_sent_again_however_often_and_a_refusal_fails_the_rows(operation):
    from lib.api.errors import APIConnectionError, ResponseValidationError, make_status_error
    from lib.bulk.policy import Action, RetryConfig, decide

    config, rng = RetryConfig(max_attempts=3), random.Random(1)

    def action(error, attempts=1):
        return decide(error, operation=operation, attempts=attempts, config=config, rng=rng).action

    lost = APIConnectionError("reset after sending", sent=True)
    assert action(lost) is Action.UNKNOWN and action(lost, attempts=50) is Action.UNKNOWN
    assert action(make_status_error(500, b"")) is Action.UNKNOWN
    assert action(make_status_error(502, b""), attempts=9) is Action.UNKNOWN
    assert action(ResponseValidationError("garbled")) is Action.UNKNOWN
    assert action(APIConnectionError("refused", sent=False)) is Action.RETRY
    assert action(make_status_error(429, b"", {"Retry-After": "1"})) is Action.RETRY
    assert action(make_status_error(404, {"errors": [{"code": 404, "message": "badge"}]})) is Action.FAIL_ROWS
    assert action(make_status_error(401, b"")) is Action.STOP
    refused = make_status_error(400, {"errors": [{"code": 1, "message": "no"}]}, after_ambiguous_attempt=True)
    assert action(refused) is Action.FAIL_ROWS


def test_a_cancelled_undo_revokes_the_rest_under_a_new_key(journal, client, faults, enrol_badge, enrolled):
    job, _, before = enrolled
    undo = plan_undo(journal, job.job_id)
    faults.set_faults([{**REVOKE_ISSUE, "kind": "commit_then_delay", "delay": 0.3}])
    runner = JobRunner(
        journal, undo.job_id, client, config=RunConfig(retry=FAST.retry, poll=0.01, concurrency=1)
    )
    runner.start()
    deadline = time.monotonic() + 30
    while journal.counts(undo.job_id).succeeded < 20:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    runner.cancel()
    result = runner.wait(30)
    faults.clear_faults()
    assert result.state is JobState.CANCELLED
    counts = check_invariant(result.counts)
    assert counts.pending == 0 and counts.skipped > 0 and counts.succeeded + counts.skipped == 70
    assert {i.reason for i in journal.items(undo.job_id) if i.state is ItemState.SKIPPED} == {"cancelled"}
    preview = undo_preview(journal, job.job_id)
    assert preview.finished and preview.not_sent == counts.skipped and "was cancelled" in preview.describe()
    assert len(active_issues(faults, enrol_badge)) == len(before) + counts.skipped

    further = undo_preview(journal, job.job_id, job_key="rest")
    assert further.can_undo and (further.to_revoke, further.revoked) == (counts.skipped, counts.succeeded)
    rest = plan_undo(journal, job.job_id, job_key="rest")
    result = run(journal, rest.job_id, client)
    assert (result.counts.succeeded, result.counts.skipped) == (counts.skipped, counts.succeeded)
    assert set(active_issues(faults, enrol_badge)) == before

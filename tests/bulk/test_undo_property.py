"""Property: whatever sequence of faults and crashes hits an undo job, resuming it from the journal until
it completes revokes exactly the enrolments (or earns) the undone job created, each row settles once,
what existed before the job stays active, and the ledger forgets exactly what was revoked.

The server is an in-memory model of revokeIssue (#10: per item, 404 "Customer doesn't have issue
instance" for an id that is not active) and revokeEarn (#13: 409/814 "Active earn instance is not
present"), so hundreds of fault sequences run in seconds. A "crash" kills the worker thread between the
journal's SENDING mark and the outcome (before or after the server applied the batch), as SIGKILL
would. Throttling (429, 503 with Retry-After) is left to the sandbox tests (test_undo.py): the job's
limiter paces a throttled job at the rate the server allowed, which is the point, and slow here.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.api.client import RawResponse
from lib.api.errors import APIConnectionError, APITimeoutError, make_status_error
from lib.bulk.journal import (
    ItemState,
    JobState,
    Journal,
    LedgerEntry,
    Outcome,
    Reason,
    check_invariant,
)
from lib.bulk.planner import NO_DATE, PlanSettings, plan_job
from lib.bulk.policy import RetryConfig
from lib.bulk.runner import JobRunner, RunConfig
from lib.bulk.undo import plan_undo
from tests.bulk.conftest import enrol_input, import_input

BADGE = "6b02840669cc92a24b311327"
EVENT = 1_700_000_000
FAULTS = ["ok", "400", "500", "slow", "timeout_after_commit", "lost_after_commit", "drop_before_commit",
          "refused", "crash_before", "crash_after", "partial_answer", "garbled"]  # fmt: skip
EXAMPLES = int(os.environ.get("BULK_PROPERTY_EXAMPLES", "150"))  # cheap: an in-memory server
CONFIG = RunConfig(retry=RetryConfig(backoff_base=0.0001, backoff_cap=0.0005, settle_delay=0.0), poll=0.001)


class Crash(BaseException):
    """The process died here."""


@dataclass
class RevokeServer:
    faults: list[str]
    active: dict[str, int]  # id -> customer, for every enrolment or earn still active
    revocations: dict[str, int] = field(default_factory=dict)  # id -> times it went from active to revoked
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send_raw(self, method: str, path: str, *, json: dict, **_):  # noqa: A002 - the client's own name
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "400":  # refused as a whole, nothing applied
            raise make_status_error(400, {"errors": [{"code": 400, "message": "refused"}]})
        if fault == "500":
            raise make_status_error(500, {"errors": [{"code": 500, "message": "boom"}]})
        if fault == "slow":
            time.sleep(0.01)
        if fault == "drop_before_commit":
            raise APIConnectionError("reset", sent=True)
        if fault == "refused":
            raise APIConnectionError("refused", sent=False)
        if fault == "crash_before":
            raise Crash()
        answer = self._apply(path, json)
        if fault == "timeout_after_commit":
            raise APITimeoutError("read timeout", sent=True)
        if fault == "lost_after_commit":
            raise APIConnectionError("connection reset after the request was sent", sent=True)
        if fault == "crash_after":
            raise Crash()
        if fault == "garbled":
            return RawResponse(200, {}, "<html>gateway</html>", 1)
        if fault == "partial_answer" and "revokedIssuedBadges" in answer["data"]:
            answer["data"]["revokedIssuedBadges"] = answer["data"]["revokedIssuedBadges"][1:]
        return RawResponse(200, {}, _dumps(answer), 1)

    def _revoke(self, target: str, customer: int) -> bool:
        if self.active.get(target) != customer:
            return False
        del self.active[target]
        self.revocations[target] = self.revocations.get(target, 0) + 1
        return True

    def _apply(self, path: str, body: dict) -> dict:
        with self.lock:
            if path.endswith("revokeIssue"):
                items = []
                for issual in body["revokeIssuals"]:
                    done = self._revoke(issual["issueId"], issual["customerId"])
                    error = None if done else {"code": 404, "message": "Customer doesn't have issue instance"}
                    items.append(
                        {"customerId": issual["customerId"], "issuedId": issual["issueId"], "error": error}
                    )
                return {
                    "data": {"badgeMetaId": body["badgeMetaId"], "revokedIssuedBadges": items},
                    "errors": [],
                }
            if not self._revoke(body["earnedBadgeId"], body["customerId"]):
                raise make_status_error(
                    409, {"errors": [{"code": 814, "message": "Active earn instance is not present."}]}
                )
            return {"data": {"badgeMetaId": body["badgeMetaId"], "customerId": body["customerId"],
                             "earnedBadgeId": body["earnedBadgeId"], "isActive": False}, "errors": []}  # fmt: skip


def _dumps(value) -> str:
    return json.dumps(value)


@pytest.fixture(autouse=True)
def quiet_crashes(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)


def done_job(journal: Journal, operation: str, ids: list[int], outcome_of) -> str:
    """An enrol or import job as its run left it: each row settled as `outcome_of(customer)` says,
    (state, result id), with the ledger entries a run writes (created and already-enrolled rows)."""
    validated = enrol_input(ids) if operation == "enrol" else import_input(ids, EVENT, EVENT + 10**6)
    job = plan_job(journal, validated, org="demo", base_url="fake", badge_id=BADGE, job_key="k",
                   settings=PlanSettings(batch_size=7))  # fmt: skip
    date = NO_DATE if operation == "enrol" else EVENT
    for batch in journal.batches(job.job_id):
        items = journal.batch_items(job.job_id, batch.batch)
        journal.mark_sending(job.job_id, batch.batch)
        outcomes, ledger = [], []
        for item in items:
            state, result = outcome_of(item.customer_id)
            reason = {"SUCCEEDED": "response", "SKIPPED": "already-enrolled", "FAILED": "rejected"}[state]
            outcomes.append(Outcome(item.row, ItemState(state), reason, result_id=result))
            if state != "FAILED":
                ledger.append(LedgerEntry(item.customer_id, date, item.row, result))
        journal.settle(job.job_id, batch.batch, outcomes, ledger=ledger)
    journal.set_job_state(job.job_id, JobState.COMPLETED)
    return job.job_id


@pytest.mark.slow
@pytest.mark.timeout(max(600, EXAMPLES * 6))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    faults=st.lists(st.sampled_from(FAULTS), max_size=20),
    operation=st.sampled_from(["enrol", "import"]),
    customers=st.integers(min_value=1, max_value=45),
    before=st.integers(min_value=0, max_value=5),  # enrolled before the job: skipped by it
    failed=st.integers(min_value=0, max_value=4),  # refused when the job ran: nothing created
    elsewhere=st.integers(min_value=0, max_value=3),  # created by the job, revoked by someone else since
)
def test_any_fault_sequence_revokes_exactly_what_the_job_created(
    tmp_path_factory, faults, operation, customers, before, failed, elsewhere
):
    ids = list(range(1, customers + 1))
    pre, refused = set(ids[:before]), set(ids[before : before + failed])
    created = {c: f"{0x10**6 + c:024x}" for c in ids if c not in pre | refused}
    existing = {c: f"{0x20**6 + c:024x}" for c in pre}
    gone = set(list(created)[:elsewhere])

    def outcome_of(customer: int):
        if customer in pre:
            return "SKIPPED", existing[customer]
        if customer in refused:
            return "FAILED", None
        return "SUCCEEDED", created[customer]

    path = tmp_path_factory.mktemp("undo") / "journal.sqlite"
    journal = Journal(path)
    job_id = done_job(journal, operation, ids, outcome_of)
    undo = plan_undo(journal, job_id)
    journal.close()
    active = {i: c for c, i in {**created, **existing}.items() if c not in gone}
    server = RevokeServer(list(faults), dict(active))

    state = None
    for _ in range(len(faults) + 5):
        restarted = Journal(path)  # every run is a new process reading the same file
        state = JobRunner(restarted, undo.job_id, server, config=CONFIG).run().state
        check_invariant(restarted.counts(undo.job_id))
        restarted.close()
        if state is JobState.COMPLETED:
            break
    assert state is JobState.COMPLETED

    journal = Journal(path)
    counts = check_invariant(journal.counts(undo.job_id))
    assert counts.pending == 0 and counts.input_rows == len(created)
    recount = dict(journal._conn.execute(
        "SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state", (undo.job_id,)).fetchall())  # fmt: skip
    assert recount == {k: v for k, v in {"SUCCEEDED": counts.succeeded, "FAILED": counts.failed,
                                         "SKIPPED": counts.skipped}.items() if v}  # fmt: skip
    items = {i.customer_id: i for i in journal.items(undo.job_id)}
    assert {c: i.target_id for c, i in items.items()} == created  # one row per row the job created
    # What existed before the job is untouched; nothing was revoked twice.
    assert all(server.active.get(existing[c]) == c for c in pre)
    assert all(n == 1 for n in server.revocations.values())
    assert set(server.revocations) <= set(created.values())
    if "400" not in faults:
        assert counts.failed == 0
    for customer, item in items.items():
        target = created[customer]
        if item.state is ItemState.FAILED:
            continue  # refused as a whole; whether an earlier unclear attempt applied it is unknown
        assert target not in server.active  # revoked: by this job or, before it, by someone else
        assert item.result_id == target
        if item.reason == Reason.RESPONSE.value:
            assert server.revocations.get(target) == 1 and customer not in gone  # this job's own revoke
        elif item.reason == Reason.ALREADY_REVOKED.value:
            assert customer in gone  # never claimed for a revoke this job made
        else:  # found revoked on a resend: only after an attempt of its batch that may have applied
            assert item.reason == Reason.CONFIRMED_ON_RESEND.value
            assert journal.batch(undo.job_id, item.batch).ambiguous
        if customer in gone and not journal.batch(undo.job_id, item.batch).ambiguous:
            assert (item.state, item.reason) == (ItemState.SKIPPED, Reason.ALREADY_REVOKED.value)
    # The ledger forgets the revoked rows (a later job may send them again) and keeps the rest.
    ledger = {c for (c, _), _ in journal.ledger_lookup(org="demo", base_url="fake", badge_id=BADGE,
                                                        operation=operation).items()}  # fmt: skip
    kept = {c for c, i in items.items() if i.state is ItemState.FAILED}
    assert ledger == pre | kept
    journal.close()

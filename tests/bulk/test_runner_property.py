"""Property: whatever sequence of faults and crashes hits an enrolment job, resuming it from the journal
until it completes enrols every customer exactly once, and the journal agrees with the server.

The server here is an in-memory model of issueBulk's documented behaviour (requestId recorded with
the work, 809 on reuse, per-customer 1040 with the existing issuedId for an active enrolment, ids
that carry their creation second) plus #17 for reconciliation, so
hundreds of fault sequences run in seconds. A "crash" kills the worker thread between the journal's
SENDING mark and the outcome (before or after the server applied the batch), as SIGKILL would.
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
from lib.api.models import CustomerBadgeDetail
from lib.bulk.journal import JobState, Journal, check_invariant
from lib.bulk.limiter import LimiterSettings
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.policy import RetryConfig
from lib.bulk.runner import JobRunner, RunConfig
from tests.bulk.conftest import enrol_input

BADGE = "6b02840669cc92a24b311327"
FAULTS = ["ok", "400", "500", "429", "503_retry_after", "slow", "timeout_after_commit", "lost_after_commit",
          "drop_before_commit", "refused", "crash_before", "crash_after", "partial_answer"]  # fmt: skip
EXAMPLES = int(os.environ.get("BULK_PROPERTY_EXAMPLES", "60"))  # raise it locally to search harder
# Pacing after a 429 is the limiter's own business (tests/bulk/test_limiter.py); here it would only make a
# throttled sequence wait whole seconds per request, so its floor is set far above what the fake serves.
CONFIG = RunConfig(retry=RetryConfig(backoff_base=0.0001, backoff_cap=0.0005, settle_delay=0.0), poll=0.001,
                   limiter=LimiterSettings(pace_floor=10_000.0))  # fmt: skip


class Crash(BaseException):
    """The process died here."""


@dataclass
class FakeServer:
    faults: list[str]
    request_ids: set[str] = field(default_factory=set)
    enrolled: dict[int, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 0

    def send_raw(self, method: str, path: str, *, json: dict, **_):  # noqa: A002 - the client's own name
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "400":  # refused as a whole, nothing applied (like 816)
            raise make_status_error(
                400, {"errors": [{"code": 816, "message": "Event date is not in duration"}]}
            )
        if fault == "500":
            raise make_status_error(500, {"errors": [{"code": 500, "message": "boom"}]})
        if fault == "429":
            raise make_status_error(429, b"", {"Retry-After": "0"})
        if fault == "503_retry_after":  # a gateway shedding load: refused before processing
            raise make_status_error(503, b"", {"Retry-After": "0"})
        if fault == "slow":  # a remote cluster's round trip, then a normal answer
            time.sleep(0.01)
        if fault == "drop_before_commit":
            raise APIConnectionError("reset", sent=True)
        if fault == "refused":
            raise APIConnectionError("refused", sent=False)
        if fault == "crash_before":
            raise Crash()
        answer = self._apply(json)
        if fault == "timeout_after_commit":
            raise APITimeoutError("read timeout", sent=True)
        if fault == "lost_after_commit":  # applied, then the connection dropped before the answer
            raise APIConnectionError("connection reset after the request was sent", sent=True)
        if fault == "crash_after":
            raise Crash()
        if fault == "partial_answer":
            answer["data"]["issuedBadges"] = answer["data"]["issuedBadges"][1:]
        return RawResponse(200, {}, _dumps(answer), 1)

    def _apply(self, body: dict) -> dict:
        with self.lock:
            if body["requestId"] in self.request_ids:
                raise make_status_error(400, {"errors": [{"code": 809, "message": "same requestId"}]})
            self.request_ids.add(body["requestId"])
            items = []
            for customer in body["customers"]:
                held = self.enrolled.setdefault(customer, [])
                if held:
                    items.append({"customerId": customer, "issuedId": held[0],
                                  "error": {"code": 1040, "message": "An active issue for the badge already exists."}})  # fmt: skip
                    continue
                self.next_id += 1  # MongoDB-style, as Capillary's: the creation second, then a counter
                held.append(f"{int(time.time()):08x}{self.next_id:016x}")
                items.append({"customerId": customer, "issuedId": held[0], "status": "ACTIVE", "error": None})
            return {"data": {"issuedBadges": items, "requestId": body["requestId"]}, "errors": []}

    def get_customer_badge(self, *, customer_id: int, badge_id: str, include_statistics: bool = False):
        with self.lock:
            issuals = [{"issueId": i, "issuedStatus": "ACTIVE", "issuedOn": int(i[:8], 16)}
                       for i in self.enrolled.get(customer_id, [])]  # fmt: skip
        return CustomerBadgeDetail.model_validate({"id": badge_id, "issualDetails": {"issuals": issuals}})


def _dumps(value) -> str:
    return json.dumps(value)


@pytest.fixture(autouse=True)
def quiet_crashes(monkeypatch):
    """A crashed worker thread is the point of these tests; keep its traceback out of the output."""
    monkeypatch.setattr(threading, "excepthook", lambda args: None)


# The whole run is one test: 60 fault sequences take about ten seconds; more examples, more time.
@pytest.mark.slow
@pytest.mark.timeout(max(300, EXAMPLES * 5))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    faults=st.lists(st.sampled_from(FAULTS), max_size=25),
    customers=st.integers(min_value=1, max_value=60),
    batch_size=st.sampled_from([1, 7, 25]),
    concurrency=st.sampled_from([1, 2]),
    preenrolled=st.integers(min_value=0, max_value=5),
)
def test_any_fault_sequence_ends_with_everyone_enrolled_once(
    tmp_path_factory, faults, customers, batch_size, concurrency, preenrolled
):
    path = tmp_path_factory.mktemp("prop") / "journal.sqlite"
    ids = list(range(1, customers + 1))
    server = FakeServer(list(faults))
    for customer in ids[:preenrolled]:
        server.enrolled[customer] = [f"{10**6 + customer:024x}"]
    journal = Journal(path)
    job = plan_job(journal, enrol_input(ids), org="demo", base_url="fake", badge_id=BADGE, job_key="k",
                   settings=PlanSettings(batch_size=batch_size, concurrency=concurrency))  # fmt: skip
    plan = [(b.batch, b.request_id) for b in journal.batches(job.job_id)]
    journal.close()

    state = None
    for _ in range(len(faults) + 5):
        restarted = Journal(path)  # every run is a new process reading the same file
        result = JobRunner(restarted, job.job_id, server, config=CONFIG).run()
        check_invariant(restarted.counts(job.job_id))
        state = result.state
        restarted.close()
        if state is JobState.COMPLETED:
            break
    assert state is JobState.COMPLETED

    journal = Journal(path)
    counts = check_invariant(journal.counts(job.job_id))
    assert counts.pending == 0
    recount = dict(journal._conn.execute(
        "SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state", (job.job_id,)).fetchall())  # fmt: skip
    assert recount == {k: v for k, v in {"SUCCEEDED": counts.succeeded, "FAILED": counts.failed,
                                         "SKIPPED": counts.skipped}.items() if v}  # fmt: skip
    assert all(len(held) == 1 for held in server.enrolled.values())
    items = journal.items(job.job_id)
    ok = {
        i.customer_id: i.result_id
        for i in items
        if i.state.value == "SUCCEEDED" or i.reason == "already-enrolled"
    }
    failed = {i.customer_id for i in items if i.state.value == "FAILED"}
    assert set(ok) | failed == set(ids) and not set(ok) & failed
    assert ok == {c: server.enrolled[c][0] for c in ok}  # every success is real, with the server's id
    assert set(server.enrolled) - set(ok) <= failed & set(
        ids[:preenrolled]
    )  # no enrolment the journal missed
    if "400" not in faults:
        assert not failed
    skipped = {i.customer_id for i in items if i.reason == "already-enrolled"}
    assert skipped <= set(ids[:preenrolled])  # a customer this job enrolled is never reported as skipped
    succeeded = {i.customer_id for i in items if i.state.value == "SUCCEEDED"}
    assert not succeeded & set(ids[:preenrolled])  # nor one enrolled before it as succeeded
    # The planned batches kept their requestIds; only repair batches have new ones.
    assert [(b.batch, b.request_id) for b in journal.batches(job.job_id) if b.kind == "plan"] == plan
    journal.close()

"""Fault injection against the sandbox over HTTP (its `/_sandbox/faults` rules, plus a TCP proxy that
opens late): every scenario ends with the invariant holding and no customer enrolled twice."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from lib.bulk.journal import ItemState, JobState, Journal, check_invariant
from lib.bulk.limiter import BreakerSettings
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.policy import RetryConfig
from lib.bulk.runner import JobRunner, RunConfig
from tests.bulk.conftest import (
    DAY,
    FAST,
    FAST_RETRY,
    assert_settled_exactly_once,
    customer_ids,
    earns,
    enrol_input,
    import_input,
    issue_requests,
)

ISSUE = {"method": "POST", "path_suffix": "issueBulk"}
IMPORT = {"method": "PUT", "path_suffix": "import/customerBadges"}


def client_for(base_url: str, *, password: str = "demo", timeout: float = 5.0) -> BadgesClient:
    return BadgesClient(
        base_url, BasicAuth("demo", password), timeout=timeout, connect_timeout=0.5, max_retries=0
    )


def plan(journal, validated, base_url, badge, key="file", **settings):
    return plan_job(journal, validated, org="demo", base_url=base_url, badge_id=badge, job_key=key,
                    settings=PlanSettings(**settings))  # fmt: skip


def run(journal, job, client, config=FAST, seed=7):
    return JobRunner(journal, job.job_id, client, config=config, rng=random.Random(seed)).run()


def test_ten_percent_random_server_errors(journal, faults, enrol_badge):
    ids = customer_ids(1500)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=50)
    faults.set_faults([{**ISSUE, "status": status, "probability": 0.1, "seed": seed}
                       for status, seed in ((500, 1), (502, 2), (504, 3))])  # fmt: skip
    with client_for(faults.base_url) as client:
        result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 1500
    batches = journal.batches(job.job_id)
    assert max(b.attempts for b in batches) <= FAST_RETRY.max_attempts
    assert any(b.attempts > 1 for b in batches)
    # Every retry reused the batch's planned requestId: the sandbox recorded only planned ones.
    assert {b.kind for b in batches} == {"plan"}
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_timeout_after_the_server_committed(journal, faults, enrol_badge):
    """S5: the answer comes after the client gave up; the resend, under a fresh requestId, is answered
    1040 per customer with the enrolments the first attempt made: settled in one call, as this job's."""
    ids = customer_ids(300)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=100, concurrency=1)
    faults.set_faults([{**ISSUE, "kind": "commit_then_delay", "delay": 1.0, "count": 1}])
    with client_for(faults.base_url, timeout=0.3) as client:
        result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 300
    confirmed = [i for i in journal.items(job.job_id) if i.source == "confirmed"]
    assert len(confirmed) == 100 and all(i.result_id for i in confirmed)
    assert {i.state for i in journal.items(job.job_id)} == {ItemState.SUCCEEDED}
    assert {b.kind for b in journal.batches(job.job_id)} == {"plan"}
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_connection_dropped_before_the_server_committed(journal, faults, enrol_badge):
    ids = customer_ids(200)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=100, concurrency=1)
    faults.set_faults([{**ISSUE, "kind": "drop_before_commit", "count": 1}])
    with client_for(faults.base_url) as client:
        result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 200
    assert max(b.attempts for b in journal.batches(job.job_id)) == 2
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_an_uncertain_import_is_reconciled_and_never_resent_blindly(journal, faults, import_badge):
    ids = customer_ids(200)
    event = int(faults.now().timestamp()) - 5 * DAY
    job = plan(
        journal, import_input(ids, event, event + 90 * DAY), faults.base_url, import_badge, batch_size=100
    )
    faults.set_faults([{**IMPORT, "kind": "commit_then_delay", "delay": 1.0, "count": 1},
                       {**IMPORT, "kind": "drop_before_commit", "count": 1}])  # fmt: skip
    with client_for(faults.base_url, timeout=0.3) as client:
        result = run(journal, job, client)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 200
    items = journal.items(job.job_id)
    assert sum(i.source == "reconciled" for i in items) == 100  # committed, answer lost
    repairs = [b for b in journal.batches(job.job_id) if b.kind == "repair"]
    assert len(repairs) == 1 and repairs[0].size == 100  # dropped before commit: found absent, sent once more
    assert earns(faults, import_badge) == {(c, event): 1 for c in ids}
    check_invariant(journal.counts(job.job_id))


class LateProxy:
    """A loopback TCP forwarder whose port refuses connections until `open()`."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname, parts.port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server: socket.socket | None = None
        self._stop = threading.Event()

    def open(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        server.settimeout(0.1)
        self._server = server
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()


@pytest.fixture
def late_proxy(sandbox):
    proxy = LateProxy(sandbox.base_url)
    yield proxy
    proxy.close()


def test_connection_refused_until_the_server_comes_up(journal, faults, enrol_badge, late_proxy):
    """S6: nothing was sent, so retries are transparent. An unreachable host opens the circuit, which
    probes and closes by itself once the server is back; only an outage longer than the breaker's
    patience pauses the job, and resuming then completes without any reconciliation."""
    ids = customer_ids(300)
    job = plan(journal, enrol_input(ids), late_proxy.base_url, enrol_badge, batch_size=100, concurrency=1)
    impatient = RunConfig(retry=FAST_RETRY, poll=0.01,
                          breaker=BreakerSettings(cool_down=0.02, max_cool_down=0.05, give_up_after=0.3))  # fmt: skip
    with client_for(late_proxy.base_url) as client:
        first = run(journal, job, client, config=impatient)
        assert (first.state, first.reason) == (JobState.PAUSED, "circuit-open")
        assert check_invariant(first.counts).planned == 300

        opener = threading.Timer(0.5, late_proxy.open)
        patient = RunConfig(
            retry=FAST_RETRY, poll=0.01, breaker=BreakerSettings(cool_down=0.05, max_cool_down=0.1)
        )
        opener.start()
        result = run(journal, job, client, config=patient)
    assert result.state is JobState.COMPLETED and result.counts.succeeded == 300
    assert not any(i.source == "reconciled" for i in journal.items(job.job_id))
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_rate_limited_with_retry_after(journal, faults, enrol_badge, form):
    ids = customer_ids(200)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=100, concurrency=1)
    wait = (
        "1" if form == "seconds" else format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    )
    faults.set_faults([{**ISSUE, "status": 429, "retry_after": wait, "count": 1}])
    before = issue_requests(faults)
    with client_for(faults.base_url) as client:
        runner = JobRunner(journal, job.job_id, client, config=FAST)
        result = runner.run()
    assert result.state is JobState.COMPLETED
    assert issue_requests(faults) - before == 3  # two batches + one retry
    first = journal.batch(job.job_id, 0)
    assert first.attempts == 2 and first.last_code == 429
    # The retry was scheduled no earlier than the server asked (the journal keeps when).
    assert first.not_before is not None and first.not_before - first.first_sent_at >= 0.9
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_a_long_retry_after_pauses_the_job_until_then(journal, faults, enrol_badge, tmp_path):
    ids = customer_ids(100)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge)
    faults.set_faults([{**ISSUE, "status": 503, "retry_after": "120", "count": 1}])
    with client_for(faults.base_url) as client:
        result = run(journal, job, client)
        assert (result.state, result.reason) == (JobState.PAUSED, "rate-limited")
        assert result.resume_at - journal.now() > 100
        assert journal.job(job.job_id).resume_at == result.resume_at
        assert check_invariant(result.counts).planned == 100
        # A resume honours the server's wait: seen from two minutes later, it sends at once.
        later = Journal(journal.path, clock=lambda: time.time() + 125)
        assert run(later, job, client).state is JobState.COMPLETED
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_a_sustained_outage_opens_the_circuit(journal, faults, enrol_badge):
    """S10: 100% 503 without Retry-After: the breaker opens after a window of failures and sends only
    spaced probes instead of hammering; an outage longer than its patience pauses the job, and after
    recovery a resume completes."""
    ids = customer_ids(1000)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=50)
    faults.set_faults([{**ISSUE, "status": 503}])
    breaker = BreakerSettings(window=10, min_calls=10, cool_down=0.05, max_cool_down=0.1, give_up_after=0.5)
    config = RunConfig(retry=RetryConfig(backoff_base=0.001, backoff_cap=0.005, settle_delay=0), poll=0.01,
                       breaker=breaker)  # fmt: skip
    before = issue_requests(faults)
    with client_for(faults.base_url) as client:
        result = run(journal, job, client, config=config)
        assert (result.state, result.reason) == (JobState.PAUSED, "circuit-open")
        sent = issue_requests(faults) - before
        # The window that opened it, the requests in flight then, and about one probe per cool-down.
        assert sent <= 10 + 16 + 12
        assert check_invariant(result.counts).succeeded == 0
        faults.clear_faults()
        resumed = run(journal, job, client, config=config)
    assert resumed.state is JobState.COMPLETED and resumed.counts.succeeded == 1000
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_wrong_credentials_stop_the_job_after_one_request(journal, faults, enrol_badge):
    ids = customer_ids(500)
    job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=100, concurrency=1)
    before = issue_requests(faults)
    with client_for(faults.base_url, password="wrong") as client:
        result = run(journal, job, client)
    assert result.state is JobState.STOPPED and result.reason.startswith("unauthorised")
    assert issue_requests(faults) - before == 1
    assert check_invariant(result.counts).planned == 500
    with client_for(faults.base_url) as client:
        assert run(journal, job, client).state is JobState.COMPLETED
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)


def test_per_customer_1040_for_customers_enrolled_elsewhere(journal, faults, enrol_badge):
    ids = customer_ids(100)
    with client_for(faults.base_url) as client:
        client.issue_bulk(badge_id=enrol_badge, customers=ids[::10])
        job = plan(journal, enrol_input(ids), faults.base_url, enrol_badge, batch_size=25)
        result = run(journal, job, client)
    skipped = [i for i in journal.items(job.job_id) if i.state is ItemState.SKIPPED]
    assert len(skipped) == 10 and {(i.reason, i.code) for i in skipped} == {("already-enrolled", 1040)}
    assert all(i.result_id for i in skipped)
    assert result.counts.succeeded == 90
    assert_settled_exactly_once(journal, job.job_id, faults, enrol_badge, ids)

"""Run one bulk job from its journal until every row is settled, or it pauses or stops.

Worker threads (``concurrency`` of them) take ready batches from an in-memory queue built from the
journal; the journal stays the truth. For each batch:

1. mark it SENDING and commit (write-ahead), then send it once (the client never retries writes here);
2. commit the per-row outcome (SUCCEEDED / FAILED / SKIPPED, ids, codes) with the ledger entries;
3. on failure, let ``policy.decide`` say what next: retry later with the same requestId, park it as
   UNKNOWN, reconcile it by reading the customers' badges, fail its rows, pause or stop the job.

Rows whose outcome is unclear are reconciled before anything else is sent for them; rows proved
absent are re-planned into a repair batch with a new requestId. An import batch is never resent
after it may have arrived.

A lease in the journal (renewed while running) keeps a second tab or process from running the same
job. A process that died mid-run leaves SENDING batches, which the next run turns into UNKNOWN:
enrolments are resent with the same requestId (2xx settles them, 809 sends them to reconciliation),
imports are reconciled first.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    BadgesError,
    DuplicateRequestError,
    ResponseValidationError,
)
from lib.bulk import reconcile
from lib.bulk.bulk_calls import load_signal, send_import, send_issue_bulk
from lib.bulk.journal import (
    Batch,
    BatchState,
    Counts,
    ItemState,
    JobState,
    Journal,
    LedgerEntry,
    OpenItem,
    Outcome,
    Reason,
    lease_owner_id,
)
from lib.bulk.limiter import (
    AdaptiveLimiter,
    BreakerSettings,
    CircuitBreaker,
    LimiterSettings,
    LimiterView,
    Signal,
)
from lib.bulk.model import Operation
from lib.bulk.outcomes import ServerClock, enrol_outcomes, import_outcomes
from lib.bulk.planner import NO_DATE, repair_request_id, settle_request_id
from lib.bulk.policy import Action, RetryConfig, backoff, decide, retry_after_of

log = logging.getLogger(__name__)

DUPLICATE_REQUEST_CODE = 809
READ_ATTEMPTS = 6  # per customer read while settling; the breaker covers a real outage


@dataclass(frozen=True)
class RunConfig:
    retry: RetryConfig = field(default_factory=RetryConfig)
    concurrency: int | None = None  # the most requests in flight; None = the job's planned ceiling
    lease_ttl: float = 30.0
    poll: float = 0.05  # idle wait of a worker with nothing ready
    limiter: LimiterSettings | None = None  # None = adaptive from 2 up to the ceiling
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    read_concurrency: int = 8  # customer reads in flight while settling a batch by reading


class _Halted(Exception):
    """The job is pausing, stopping or cancelling: the request was not sent."""


@dataclass(frozen=True)
class RunResult:
    job_id: str
    state: JobState
    reason: str | None
    counts: Counts
    resume_at: float | None = None


class LeaseHeldError(RuntimeError):
    """Another tab or process is running this job right now."""

    def __init__(self, job_id: str, holder: str | None) -> None:
        super().__init__(f"job {job_id} is being run elsewhere ({holder or 'another process'})")
        self.job_id = job_id
        self.holder = holder


class JobNotFoundError(KeyError):
    pass


class JobRunner:
    """Runs one job. ``run()`` blocks; ``start()`` runs it in a background thread."""

    def __init__(
        self,
        journal: Journal,
        job_id: str,
        client,
        *,
        config: RunConfig | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        owner: str | None = None,
    ) -> None:
        job = journal.job(job_id)
        if job is None:
            raise JobNotFoundError(job_id)
        self.journal = journal
        self.job_id = job_id
        self.job = job
        self.operation = Operation(job.operation)
        with_options = getattr(client, "with_options", None)
        self.client = with_options(max_retries=0) if with_options else client
        self.config = config or RunConfig()
        self.retry = self.config.retry
        self.rng = rng or random.Random()
        self._sleep = sleep
        self.owner = owner or lease_owner_id()
        ceiling = self.config.concurrency or self.job.concurrency
        limits = self.config.limiter or LimiterSettings(ceiling=ceiling)
        self.limiter = AdaptiveLimiter(limits)
        self.breaker = CircuitBreaker(self.config.breaker)
        self.workers = limits.ceiling
        self.server_clock = ServerClock()

        self._cond = threading.Condition()
        self._queue: list[tuple[float, int]] = []
        self._queued: set[int] = set()
        self._in_flight: set[int] = set()
        self._halt: tuple[JobState, str | None, float | None] | None = None
        self._cancelling = False
        self._lease_lost = False
        self._thread: threading.Thread | None = None
        self._result: RunResult | None = None
        self._done = threading.Event()

    # ---- control (any thread) --------------------------------------------------------------------

    def pause(self, reason: str = "user") -> None:
        self._stop(JobState.PAUSED, reason)

    def cancel(self) -> None:
        """Send nothing new; reconcile what is unclear; rows never sent become SKIPPED(cancelled)."""
        with self._cond:
            self._cancelling = True
            self._queue = [(0.0, batch) for _, batch in self._queue]
            heapq.heapify(self._queue)
            self._cond.notify_all()

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._run_safely, name=f"bulk-{self.job_id}", daemon=True)
        self._thread.start()
        return self._thread

    def wait(self, timeout: float | None = None) -> RunResult | None:
        self._done.wait(timeout)
        return self._result

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def pace(self) -> LimiterView:
        """Requests in flight, their limit and rate: what the progress UI and the CLI bar show."""
        return self.limiter.view()

    def _run_safely(self) -> None:
        try:
            self.run()
        except LeaseHeldError as exc:
            log.info("%s", exc)
            self._result = RunResult(self.job_id, self.journal.job(self.job_id).state, "lease-held",
                                     self.journal.counts(self.job_id))  # fmt: skip
            self._done.set()

    # ---- the run ---------------------------------------------------------------------------------

    def run(self) -> RunResult:
        job = self.journal.job(self.job_id)
        assert job is not None
        if job.state.finished:
            self._result = RunResult(self.job_id, job.state, job.reason, self.journal.counts(self.job_id))
            self._done.set()
            return self._result
        if not self.journal.acquire_lease(self.job_id, self.owner, self.config.lease_ttl):
            raise LeaseHeldError(self.job_id, self.journal.lease_holder(self.job_id))
        heartbeat_stop = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(heartbeat_stop,), daemon=True)
        try:
            self.journal.recover_interrupted(self.job_id)
            self.journal.set_job_state(self.job_id, JobState.RUNNING)
            self._load_queue()
            heartbeat.start()
            workers = [
                threading.Thread(target=self._work, name=f"bulk-{self.job_id}-{n}", daemon=True)
                for n in range(self.workers)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            self._result = self._finish()
        finally:
            heartbeat_stop.set()
            if heartbeat.is_alive():
                heartbeat.join()
            if not self._lease_lost:
                self.journal.release_lease(self.job_id, self.owner)
            self._done.set()
        return self._result

    def _finish(self) -> RunResult:
        if self._lease_lost:
            job = self.journal.job(self.job_id)
            return RunResult(self.job_id, job.state, "lease-lost", self.journal.counts(self.job_id))
        if self._halt is not None:
            state, reason, resume_at = self._halt
            self.journal.set_job_state(self.job_id, state, reason=reason, resume_at=resume_at)
            return RunResult(self.job_id, state, reason, self.journal.counts(self.job_id), resume_at)
        if self._cancelling:
            self.journal.finish_cancelled(self.job_id)
        counts = self.journal.counts(self.job_id)
        if counts.pending:
            # Only reachable if the queue lost track of a batch: keep the job resumable.
            self.journal.set_job_state(self.job_id, JobState.PAUSED, reason="unsettled-rows")
            return RunResult(self.job_id, JobState.PAUSED, "unsettled-rows", counts)
        state = JobState.CANCELLED if self._cancelling else JobState.COMPLETED
        self.journal.set_job_state(self.job_id, state)
        return RunResult(self.job_id, state, None, self.journal.counts(self.job_id))

    def _heartbeat(self, stop: threading.Event) -> None:
        interval = max(0.05, self.config.lease_ttl / 3)
        while not stop.wait(interval):
            if not self.journal.renew_lease(self.job_id, self.owner, self.config.lease_ttl):
                with self._cond:
                    self._lease_lost = True
                    self._cond.notify_all()
                return

    # ---- queue -----------------------------------------------------------------------------------

    def _load_queue(self) -> None:
        now = self.journal.now()
        for batch in self.journal.batches(self.job_id, states=[BatchState.PLANNED, BatchState.UNKNOWN]):
            self._push(batch.batch, max(now, batch.not_before or 0.0))

    def _push(self, batch: int, ready_at: float) -> None:
        with self._cond:
            if batch not in self._queued:
                heapq.heappush(self._queue, (ready_at, batch))
                self._queued.add(batch)
            self._cond.notify_all()

    def _stop(self, state: JobState, reason: str | None, resume_at: float | None = None) -> None:
        with self._cond:
            if self._halt is None or state is JobState.STOPPED:
                self._halt = (state, reason, resume_at)
            self._cond.notify_all()

    def _take(self) -> int | None:
        with self._cond:
            while True:
                if self._halt is not None or self._lease_lost:
                    return None
                now = self.journal.now()
                if self._queue and self._queue[0][0] <= now:
                    _, batch = heapq.heappop(self._queue)
                    self._queued.discard(batch)
                    self._in_flight.add(batch)
                    return batch
                if not self._queue and not self._in_flight:
                    self._cond.notify_all()
                    return None
                timeout = self.config.poll
                if self._queue:
                    timeout = min(max(self._queue[0][0] - now, 0.001), 0.5)
                self._cond.wait(timeout)

    def _work(self) -> None:
        batch, marked = self._take(), False
        while batch is not None:
            following = None
            try:
                following = self._process(batch, marked)
            except BadgesError as exc:  # a read during reconciliation or an unexpected answer
                self._stop(JobState.PAUSED, f"error: {type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - a defect must pause the job, not leave it RUNNING forever
                log.exception("bulk job %s: batch %s failed unexpectedly", self.job_id, batch)
                self._stop(JobState.PAUSED, f"internal-error: {type(exc).__name__}: {exc}")
            finally:
                with self._cond:
                    self._in_flight.discard(batch)
                    self._cond.notify_all()
            if following is not None:
                batch, marked = following, True
            else:
                batch, marked = self._take(), False

    def _take_planned_now(self) -> int | None:
        """The next ready batch if it is a plain PLANNED one, to mark SENDING with this commit."""
        with self._cond:
            if self._halt is not None or self._lease_lost or self._cancelling:
                return None
            if not self._queue or self._queue[0][0] > self.journal.now():
                return None
            _, number = heapq.heappop(self._queue)
            self._queued.discard(number)
            self._in_flight.add(number)
        if self.journal.batch(self.job_id, number).state is BatchState.PLANNED:
            return number
        with self._cond:
            self._in_flight.discard(number)
        self._push(number, self.journal.now())
        return None

    # ---- one batch -------------------------------------------------------------------------------

    def _process(self, number: int, marked: bool = False) -> int | None:
        """Work on one batch; returns the next batch already marked SENDING, if one was chained."""
        batch = self.journal.batch(self.job_id, number)
        if batch.state is BatchState.SENDING:
            if not marked:  # marked by a chained commit whose worker then failed: nothing was sent
                self.journal.reopen_batch(self.job_id, number, state=self._parked(batch), not_before=None)
                self._push(number, self.journal.now())
                return None
            if self._halt is not None or self._lease_lost or self._cancelling:
                self.journal.reopen_batch(self.job_id, number, state=self._parked(batch), not_before=None)
                self._push(number, self.journal.now())
                return None
            return self._send(batch, marked=True)
        if batch.state is BatchState.DONE:
            return None
        if batch.state is BatchState.UNKNOWN and self._must_reconcile(batch):
            self._reconcile(batch)
            return None
        if self._cancelling and batch.state is BatchState.PLANNED:
            return None  # never sent; settled as SKIPPED(cancelled) at the end
        return self._send(batch)

    @staticmethod
    def _parked(batch: Batch) -> BatchState:
        return BatchState.UNKNOWN if batch.ambiguous else BatchState.PLANNED

    def _must_reconcile(self, batch: Batch) -> bool:
        if self.operation is Operation.IMPORT or batch.reconcile or self._cancelling:
            return True
        return batch.attempts >= self.retry.max_attempts

    def _send(self, batch: Batch, *, marked: bool = False) -> int | None:
        try:
            self._gate()
        except _Halted:
            if marked:
                self.journal.reopen_batch(
                    self.job_id, batch.batch, state=self._parked(batch), not_before=None
                )
            self._push(batch.batch, self.journal.now())
            return None
        if not marked:
            batch = self.journal.mark_sending(self.job_id, batch.batch)
        items = self.journal.open_items(self.job_id, batch.batch)
        if not items:
            self.limiter.release(Signal.OK, 0.0)
            self.breaker.abandon()
            self.journal.settle(self.job_id, batch.batch, [])
            return None
        request_id = self._request_id(batch)
        try:
            if self.operation is Operation.ENROL:
                answer = self._measured(lambda: send_issue_bulk(self.client, self.job.badge_id, items, batch,
                                                                request_id=request_id))  # fmt: skip
            else:
                answer = self._measured(lambda: send_import(self.client, self.job.badge_id, items))
        except BadgesError as exc:
            self._failed(batch, items, exc)
            return None
        if self.operation is Operation.ENROL:
            outcomes, ledger = enrol_outcomes(
                batch, items, answer, request_id, self.server_clock, self.journal.now()
            )
        else:
            outcomes, ledger = import_outcomes(items, answer)
        open_rows = any(o.state is ItemState.UNKNOWN for o in outcomes)
        following = self._take_planned_now()
        self.journal.settle(
            self.job_id,
            batch.batch,
            outcomes,
            ledger=ledger,
            batch_done=not open_rows,
            then_sending=following,
        )
        if open_rows:
            self._push(batch.batch, self.journal.now())
        return following

    def _request_id(self, batch: Batch) -> str:
        """The planned requestId, or, once an attempt may have been applied, a fresh one per attempt.

        Resending the planned id after an unclear attempt earns an 809 that says nothing per customer;
        a fresh id is answered per customer, and the server's own rule (one active enrolment per
        customer: 1040 with the existing issuedId) keeps anyone from being enrolled twice. So an
        unclear batch settles in one call instead of a read per customer.
        """
        if self.operation is Operation.ENROL and (
            batch.ambiguous or batch.last_code == DUPLICATE_REQUEST_CODE
        ):
            return settle_request_id(batch.request_id, batch.attempts)
        return batch.request_id

    # ---- pacing: every request goes through the limiter and the breaker --------------------------

    def _halting(self) -> bool:
        return self._halt is not None or self._lease_lost

    def _gate(self) -> None:
        """Wait until the breaker and the limiter let one request start (its permit is then held)."""
        while True:
            if self._halting():
                raise _Halted
            wait = self.breaker.allow()
            if wait <= 0:
                break
            if self.breaker.given_up():
                self.journal.add_event(
                    self.job_id, "circuit-open", "the server has not answered for a long time"
                )
                self._stop(JobState.PAUSED, "circuit-open")
                raise _Halted
            self._sleep(min(wait, 0.5))
        if not self.limiter.acquire(stop=self._halting):
            self.breaker.abandon()
            raise _Halted

    def _measured(self, call: Callable):
        """Run one request holding a permit from `_gate`; tell the limiter and the breaker how it went."""
        started = time.monotonic()
        try:
            result = call()
        except BadgesError as exc:
            signal = load_signal(exc)
            self.limiter.release(signal, time.monotonic() - started, retry_after_of(exc))
            self.breaker.record(failed=signal in (Signal.OVERLOADED, Signal.UNREACHABLE))
            raise
        except BaseException:  # the worker is going down: free its permit and any probe slot it held
            self.limiter.release(Signal.OK, time.monotonic() - started)
            self.breaker.abandon()
            raise
        self.limiter.release(Signal.OK, time.monotonic() - started)
        self.breaker.record(failed=False)
        return result

    def _failed(self, batch: Batch, items: list[OpenItem], error: BadgesError) -> None:
        decision = decide(
            error, operation=self.operation, attempts=batch.attempts, config=self.retry, rng=self.rng
        )
        now = self.journal.now()
        parked = BatchState.UNKNOWN if batch.ambiguous else BatchState.PLANNED
        detail = {"code": decision.code, "error": f"{decision.reason}: {decision.message}"[:500]}
        action = decision.action
        if (
            isinstance(error, DuplicateRequestError)
            and self.operation is Operation.ENROL
            and not batch.ambiguous
        ):
            # This journal never sent the planned requestId before (it is written ahead of every
            # send): another job already did, e.g. an earlier upload of the same file. What it enrolled
            # is not this job's work; a resend under a fresh requestId is answered per customer
            # (1040 -> skipped, already enrolled) and enrols only whoever is still missing.
            self.journal.reopen_batch(
                self.job_id,
                batch.batch,
                state=BatchState.PLANNED,
                not_before=None,
                nothing_sent=True,
                **detail,
            )
            self._push(batch.batch, now)
            return
        refused_after_unclear = action is Action.FAIL_ROWS and batch.ambiguous
        if refused_after_unclear:
            # An earlier attempt may have been applied; this refusal says nothing about it: look first,
            # and fail only the rows that are really absent.
            action = Action.RECONCILE
        if action is Action.RETRY:
            self.journal.reopen_batch(self.job_id, batch.batch, state=parked, not_before=now + decision.delay,
                                      **detail)  # fmt: skip
            self._push(batch.batch, now + decision.delay)
        elif action is Action.UNKNOWN:
            self.journal.reopen_batch(self.job_id, batch.batch, state=BatchState.UNKNOWN,
                                      not_before=now + decision.delay, ambiguous=True, **detail)  # fmt: skip
            self._push(batch.batch, now + decision.delay)
        elif action is Action.RECONCILE:
            unclear = refused_after_unclear or decision.reason == "refused-after-unclear-attempt"
            absent = "fail" if unclear else "repair"
            self.journal.reopen_batch(self.job_id, batch.batch, state=BatchState.UNKNOWN, not_before=None,
                                      ambiguous=True, reconcile=True, absent_action=absent, **detail)  # fmt: skip
            self._push(batch.batch, now)
        elif action is Action.FAIL_ROWS:
            outcomes = [
                Outcome(i.row, ItemState.FAILED, Reason.REJECTED.value, code=decision.code,
                        message=decision.message, server_request_id=self._sent_key(batch))
                for i in items
            ]  # fmt: skip
            self.journal.settle(self.job_id, batch.batch, outcomes, **detail)
        elif action is Action.STOP:
            self.journal.reopen_batch(self.job_id, batch.batch, state=parked, not_before=None, **detail)
            self._push(batch.batch, now)
            self._stop(JobState.STOPPED, f"{decision.reason}: {decision.message}")
        elif action is Action.PAUSE:
            self.journal.reopen_batch(self.job_id, batch.batch, state=parked, not_before=now + decision.delay,
                                      **detail)  # fmt: skip
            self._push(batch.batch, now + decision.delay)
            self._stop(JobState.PAUSED, decision.reason, resume_at=now + decision.delay)

    def _sent_key(self, batch: Batch) -> str | None:
        return batch.request_id if self.operation is Operation.ENROL else None

    # ---- reconciliation --------------------------------------------------------------------------

    def _reconcile(self, batch: Batch) -> None:
        items = self.journal.open_items(self.job_id, batch.batch)
        look = {"read": self._read_customer, "workers": self.config.read_concurrency}
        try:
            found, absent = reconcile.look_up(self.client, self.operation, self.job.badge_id, items, **look)
            if absent and self.retry.settle_delay > 0:
                # The server may apply writes a moment later: look again before believing "absent".
                self._sleep(self.retry.settle_delay)
                more, absent = reconcile.look_up(
                    self.client, self.operation, self.job.badge_id, absent, **look
                )
                found.extend(more)
        except _Halted:
            self._push(batch.batch, self.journal.now())
            return
        except BadgesError as exc:
            self._reconcile_failed(batch, exc)
            return

        by_row = {i.row: i for i in items}
        outcomes, ledger = [], []
        for hit in found:
            item = by_row[hit.row]
            if self.operation is Operation.ENROL and not self.server_clock.made_by(batch, hit.created):
                outcomes.append(Outcome(hit.row, ItemState.SKIPPED, Reason.ALREADY_ENROLLED.value,
                                        result_id=hit.result_id, server_request_id=self._sent_key(batch)))  # fmt: skip
            else:
                outcomes.append(Outcome(hit.row, ItemState.SUCCEEDED, Reason.RECONCILED.value,
                                        result_id=hit.result_id, server_request_id=self._sent_key(batch)))  # fmt: skip
            date = item.earn_event_date if self.operation is Operation.IMPORT else NO_DATE
            ledger.append(LedgerEntry(item.customer_id, date or NO_DATE, hit.row, hit.result_id))
        if absent and self._cancelling:
            outcomes += [Outcome(i.row, ItemState.SKIPPED, Reason.CANCELLED.value) for i in absent]
        elif absent and batch.absent_action == "fail":
            outcomes += [
                Outcome(i.row, ItemState.FAILED, Reason.NOT_APPLIED.value, code=batch.last_code,
                        message=batch.last_error, server_request_id=self._sent_key(batch))
                for i in absent
            ]  # fmt: skip
        elif absent:
            job = self.job

            def key(generation: int, ids: list[int], date: int | None) -> str:
                return repair_request_id(job.org, job.badge_id, job.job_key, generation, ids, date)

            repair = self.journal.replan_rows(self.job_id, batch.batch, [i.row for i in absent], key)
            if repair is not None:
                self._push(repair, self.journal.now())
        self.journal.settle(self.job_id, batch.batch, outcomes, ledger=ledger)

    def _read_customer(self, customer_id: int):
        """One customer's badge detail for settling, paced like every request and retried on its own:
        a flaky read is tried again after a short wait instead of failing the whole settlement."""
        attempt = 0
        while True:
            attempt += 1
            self._gate()
            try:
                return self._measured(lambda: self.client.get_customer_badge(
                    customer_id=customer_id, badge_id=self.job.badge_id, include_statistics=True))  # fmt: skip
            except (APIConnectionError, APIStatusError, ResponseValidationError) as exc:
                retryable = (
                    not isinstance(exc, APIStatusError)
                    or exc.status_code >= 500
                    or exc.status_code in (408, 429)
                )
                if not retryable or attempt >= READ_ATTEMPTS:
                    raise
                self._sleep(max(retry_after_of(exc) or 0.0, backoff(attempt, self.retry, self.rng)))

    def _reconcile_failed(self, batch: Batch, error: BadgesError) -> None:
        decision = decide(error, operation=Operation.IMPORT, attempts=1, config=self.retry, rng=self.rng)
        if decision.action is Action.STOP:
            self._push(batch.batch, self.journal.now())
            self._stop(JobState.STOPPED, f"{decision.reason}: {decision.message}")
            return
        delay = decision.delay or backoff(1, self.retry, self.rng)
        self.journal.add_event(
            self.job_id, "reconcile-retry", f"batch {batch.batch}: {decision.message}"[:500]
        )
        self._push(batch.batch, self.journal.now() + delay)

"""Run one bulk job from its journal until every row is settled, or it pauses or stops.

Worker threads (``concurrency`` of them) take ready batches from an in-memory queue built from the
journal; the journal stays the truth. For each batch:

1. mark it SENDING and commit (write-ahead), then send it once (the client never retries writes here);
2. commit the per-row outcome (SUCCEEDED / FAILED / SKIPPED, ids, codes) with the ledger entries;
3. on failure, let ``policy.decide`` say what next: retry later with the same requestId, park it as
   UNKNOWN, reconcile it by reading the customers' badges, fail its rows, pause or stop the job.

Rows whose outcome is unclear are reconciled before anything else is sent for them; rows proved
absent are re-planned into a repair batch with a new requestId. An import batch is never resent
after it may have arrived. An undo job (revokeIssue, revokeEarn) runs through the same pipeline but
is never read back: an unclear batch is simply sent again (`lib.bulk.wires` says, per operation,
which call a batch is and how its answer and its unclear outcomes are settled).

Pacing (limiter and breaker), what follows a failed call, and settling by reading are mixed in from
`runner_pacing`, `runner_failures` and `runner_reconcile`.

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

from lib.api.errors import BadgesError
from lib.bulk.journal import (
    Batch,
    BatchState,
    Chained,
    Counts,
    ItemState,
    JobState,
    Journal,
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
from lib.bulk.outcomes import ServerClock
from lib.bulk.planner import settle_request_id
from lib.bulk.policy import RetryConfig
from lib.bulk.runner_failures import Failures
from lib.bulk.runner_pacing import Halted, Pacing
from lib.bulk.runner_reconcile import READ_ATTEMPTS, Reconciling
from lib.bulk.wires import WIRES

log = logging.getLogger(__name__)

DUPLICATE_REQUEST_CODE = 809
__all__ = ["READ_ATTEMPTS", "JobNotFoundError", "JobRunner", "LeaseHeldError", "RunConfig", "RunResult"]


@dataclass(frozen=True)
class RunConfig:
    retry: RetryConfig = field(default_factory=RetryConfig)
    concurrency: int | None = None  # the most requests in flight; None = the job's planned ceiling
    lease_ttl: float = 30.0
    poll: float = 0.05  # idle wait of a worker with nothing ready
    limiter: LimiterSettings | None = None  # None = adaptive from 2 up to the ceiling
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    read_concurrency: int = 8  # customer reads in flight while settling a batch by reading


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


class JobRunner(Pacing, Failures, Reconciling):
    """Runs one job of any operation (`lib.bulk.wires`). ``run()`` blocks; ``start()`` runs it in a
    background thread. Pacing, failure handling and reconciliation are mixed in from their modules."""

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
        self.wire = WIRES[self.operation]
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
        number, chained = self._take(), None
        while number is not None:
            following = None
            try:
                following = self._process(number, chained)
            except BadgesError as exc:  # a read during reconciliation or an unexpected answer
                self._stop(JobState.PAUSED, f"error: {type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - a defect must pause the job, not leave it RUNNING forever
                log.exception("bulk job %s: batch %s failed unexpectedly", self.job_id, number)
                self._stop(JobState.PAUSED, f"internal-error: {type(exc).__name__}: {exc}")
            finally:
                with self._cond:
                    self._in_flight.discard(number)
                    self._cond.notify_all()
            if following is not None:
                number, chained = following.batch.batch, following
            else:
                number, chained = self._take(), None

    def _take_ready_now(self) -> int | None:
        """The next ready batch, for this settle's commit to mark SENDING if it is still PLANNED."""
        with self._cond:
            if self._halt is not None or self._lease_lost or self._cancelling:
                return None
            if not self._queue or self._queue[0][0] > self.journal.now():
                return None
            _, number = heapq.heappop(self._queue)
            self._queued.discard(number)
            self._in_flight.add(number)
            return number

    def _give_back(self, number: int) -> None:
        """A batch taken for chaining but not marked: back in the queue for whichever worker is free."""
        with self._cond:
            self._in_flight.discard(number)
        self._push(number, self.journal.now())

    # ---- one batch -------------------------------------------------------------------------------

    def _process(self, number: int, chained: Chained | None = None) -> Chained | None:
        """Work on one batch (``chained``: marked SENDING by this worker's last commit, with its rows);
        returns the next batch, if this batch's commit chained one."""
        batch = chained.batch if chained is not None else self.journal.batch(self.job_id, number)
        if batch.state is BatchState.SENDING:
            if chained is None:  # marked by a chained commit whose worker then failed: nothing was sent
                self.journal.reopen_batch(self.job_id, number, state=self._parked(batch), not_before=None)
                self._push(number, self.journal.now())
                return None
            if self._halt is not None or self._lease_lost or self._cancelling:
                self.journal.reopen_batch(self.job_id, number, state=self._parked(batch), not_before=None)
                self._push(number, self.journal.now())
                return None
            return self._send(batch, chained)
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
        if not self.wire.reconciles:
            return False  # an undo: an unclear batch is sent again, never read back
        if self.operation is Operation.IMPORT or batch.reconcile or self._cancelling:
            return True
        return batch.attempts >= self.retry.max_attempts

    def _send(self, batch: Batch, chained: Chained | None = None) -> Chained | None:
        try:
            self._gate()
        except Halted:
            if chained is not None:
                self.journal.reopen_batch(
                    self.job_id, batch.batch, state=self._parked(batch), not_before=None
                )
            self._push(batch.batch, self.journal.now())
            return None
        if chained is None:
            batch = self.journal.mark_sending(self.job_id, batch.batch)
            items = self.journal.open_items(self.job_id, batch.batch)
        else:
            items = chained.items
        if not items:
            self.limiter.release(Signal.OK, 0.0)
            self.breaker.abandon()
            self.journal.settle(self.job_id, batch.batch, [])
            return None
        request_id = self._request_id(batch)
        badge = self.job.badge_id
        try:
            answer = self._measured(lambda: self.wire.send(self.client, badge, items, batch, request_id))
        except BadgesError as exc:
            self._failed(batch, items, exc)
            return None
        outcomes, ledger, forget = self.wire.read(
            batch, items, answer, request_id, self.server_clock, self.journal.now()
        )
        open_rows = any(o.state is ItemState.UNKNOWN for o in outcomes)
        following, chained = self._take_ready_now(), None
        try:
            chained = self.journal.settle(
                self.job_id,
                batch.batch,
                outcomes,
                ledger=ledger,
                forget=forget,
                batch_done=not open_rows,
                then_sending=following,
            )
        finally:
            if following is not None and chained is None:
                # Not marked (not PLANNED: an unclear batch waiting its turn), or the commit failed.
                self._give_back(following)
        if open_rows:
            self._push(batch.batch, self.journal.now())
        return chained

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

"""Settling a batch whose outcome is unclear by reading what Capillary holds (enrol and import jobs;
an undo job is sent again instead, see `lib.bulk.wires`): the reads go through the job's pacing, what
is found settles its rows, what is proved absent is failed or re-planned into a repair batch."""

from __future__ import annotations

from lib.api.errors import APIConnectionError, APIStatusError, BadgesError, ResponseValidationError
from lib.bulk import reconcile
from lib.bulk.journal import Batch, ItemState, JobState, LedgerEntry, Outcome, Reason
from lib.bulk.model import Operation
from lib.bulk.planner import NO_DATE, repair_request_id
from lib.bulk.policy import Action, backoff, decide, retry_after_of
from lib.bulk.runner_pacing import Halted

READ_ATTEMPTS = 6  # per customer read while settling; the breaker covers a real outage


class Reconciling:
    """Mixed into `JobRunner`, which provides `journal`, `job_id`, `job`, `client`, `operation`,
    `config`, `retry`, `rng`, `server_clock`, `_sleep`, `_gate`, `_measured`, `_push`, `_stop` and
    `_sent_key`."""

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
        except Halted:
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

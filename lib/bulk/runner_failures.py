"""What a job's runner does after a failed call: the policy's decision (`lib.bulk.policy.decide`)
applied to the batch in the journal and the queue: sent again later, parked as unclear, settled by
reading (operations that reconcile), its rows failed, or the job paused or stopped."""

from __future__ import annotations

from lib.api.errors import BadgesError, DuplicateRequestError
from lib.bulk.journal import Batch, BatchState, ItemState, JobState, OpenItem, Outcome, Reason
from lib.bulk.model import Operation
from lib.bulk.policy import Action, decide


class Failures:
    """Mixed into `JobRunner`, which provides `journal`, `job_id`, `operation`, `wire`, `retry`,
    `rng`, `_push` and `_stop`."""

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
        message = decision.message
        if refused_after_unclear and self.wire.reconciles:
            # An earlier attempt may have been applied; this refusal says nothing about it: look first,
            # and fail only the rows that are really absent.
            action = Action.RECONCILE
        elif refused_after_unclear:  # an undo is never read back: say what is not known
            message = f"{message} (an earlier attempt went unanswered and may have been applied)"
        if action is Action.RECONCILE and not self.wire.reconciles:
            action = Action.UNKNOWN  # nothing to read back: sent again
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
                Outcome(i.row, ItemState.FAILED, Reason.REJECTED.value, code=decision.code, message=message,
                        result_id=i.target_id, server_request_id=self._sent_key(batch))
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
        return batch.request_id if self.wire.keyed else None

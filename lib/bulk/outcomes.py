"""What the server's answer to one bulk call means for each row: the outcome and the ledger entry
(for an undo: the ledger entry to forget).

Pure readings of an answer, apart from one piece of state: the server's clock relative to ours,
learned from ids it has just made, which tells an enrolment this job's own lost attempt made from one
that existed before the job (1040 echoes the existing issuedId either way).
"""

from __future__ import annotations

import math

from lib.api.models.wire import object_id_time
from lib.bulk.bulk_calls import Answer
from lib.bulk.journal import Batch, ItemState, LedgerEntry, OpenItem, Outcome, Reason
from lib.bulk.planner import NO_DATE

ALREADY_ENROLLED_CODE = 1040
# Until the job has seen an id the server made, an enrolment made up to this long before a batch was
# first sent still counts as made by it: the server's clock and ours may disagree a little.
CLOCK_SLACK = 2.0
# Once the offset is learned: allowance for our clock and the server's stepping during a job.
CLOCK_MARGIN = 0.25
# Plain strings, read once: an enum member's .value costs a descriptor call per row.
_SUCCEEDED, _SKIPPED, _FAILED, _UNKNOWN = (ItemState.SUCCEEDED, ItemState.SKIPPED, ItemState.FAILED,
                                           ItemState.UNKNOWN)  # fmt: skip
_RESPONSE, _CONFIRMED = Reason.RESPONSE.value, Reason.CONFIRMED.value
_ALREADY_ENROLLED, _REJECTED = Reason.ALREADY_ENROLLED.value, Reason.REJECTED.value
_ALREADY_REVOKED, _CONFIRMED_ON_RESEND = Reason.ALREADY_REVOKED.value, Reason.CONFIRMED_ON_RESEND.value
NO_ISSUE_INSTANCE_CODE = 404  # revokeIssue per item: "Customer doesn't have issue instance"
NO_ACTIVE_EARN_CODE = 814  # revokeEarn: "Active earn instance is not present."


class ServerClock:
    """How far the server's clock is ahead of ours, at least: learned from the creation second in the
    ids the server has just made.

    An id made in second `s` and answered at `answered_at` (our clock) was made no later than the
    answer, so the offset is at least `s - answered_at`. The largest such bound over a job's answers
    comes within the call's latency of the true offset (an id made just after a second turned loses
    almost nothing to the truncation), and it never overstates it: an enrolment this job made is
    never taken for an older one.
    """

    def __init__(self) -> None:
        self.offset: float | None = None  # a lower bound of server time minus ours; None: nothing learned

    def learn(self, fresh_ids: list[str | None], answered_at: float) -> None:
        """Ids of one answer share their creation second (to within the call): the newest one is enough."""
        for fresh in reversed(fresh_ids):
            made = object_id_time(fresh)
            if made is not None:
                bound = made - answered_at
                self.offset = bound if self.offset is None else max(self.offset, bound)
                return

    def made_by(self, batch: Batch, created: float | None) -> bool:
        """Was an enrolment that exists now made by an earlier attempt of this batch? Decided from when
        the server made it (``created``, whole seconds in an id) against when the batch was first
        sent, on the server's clock. An enrolment made in the same second as that first send cannot be
        told apart and counts as this batch's; one made in an earlier second was there before."""
        if created is None or batch.first_sent_at is None:
            return False  # cannot tell: never claim "succeeded" for it
        if self.offset is None:
            return created >= batch.first_sent_at - CLOCK_SLACK
        return created >= math.floor(batch.first_sent_at + self.offset - CLOCK_MARGIN)


def enrol_outcomes(
    batch: Batch,
    items: list[OpenItem],
    answered: dict[int, Answer],
    request_id: str,
    clock: ServerClock,
    answered_at: float,
) -> tuple[list[Outcome], list[LedgerEntry]]:
    clock.learn([a.result_id for a in answered.values() if a.code is None and a.message is None], answered_at)
    outcomes, ledger = [], []
    for item in items:
        answer = answered.get(item.customer_id)
        if answer is None:  # the answer does not mention this customer: find out
            outcomes.append(Outcome(item.row, _UNKNOWN))
        elif answer.code is None and answer.message is None:
            outcomes.append(Outcome(item.row, _SUCCEEDED, _RESPONSE,
                                    result_id=answer.result_id, server_request_id=request_id))  # fmt: skip
            ledger.append(LedgerEntry(item.customer_id, NO_DATE, item.row, answer.result_id))
        elif answer.code == ALREADY_ENROLLED_CODE:
            ledger.append(LedgerEntry(item.customer_id, NO_DATE, item.row, answer.result_id))
            if batch.ambiguous and clock.made_by(batch, object_id_time(answer.result_id)):
                # An earlier attempt of this batch was applied but its answer was lost.
                outcomes.append(Outcome(item.row, _SUCCEEDED, _CONFIRMED,
                                        result_id=answer.result_id, server_request_id=request_id))  # fmt: skip
                continue
            # Held an active enrolment before this job: nothing done, the existing issueId is kept.
            outcomes.append(Outcome(item.row, _SKIPPED, _ALREADY_ENROLLED,
                                    code=answer.code, message=answer.message,
                                    result_id=answer.result_id, server_request_id=request_id))  # fmt: skip
        else:
            outcomes.append(Outcome(item.row, _FAILED, _REJECTED, code=answer.code,
                                    message=answer.message or "refused without a reason",
                                    server_request_id=request_id))  # fmt: skip
    return outcomes, ledger


def import_outcomes(items: list[OpenItem], answers: list[Answer]) -> tuple[list[Outcome], list[LedgerEntry]]:
    outcomes, ledger = [], []
    for index, item in enumerate(items):
        if index >= len(answers):
            outcomes.append(Outcome(item.row, _UNKNOWN))
            continue
        answer = answers[index]
        if answer.code is None and answer.message is None and answer.result_id:
            outcomes.append(Outcome(item.row, _SUCCEEDED, _RESPONSE,
                                    result_id=answer.result_id, server_request_id=answer.request_id))  # fmt: skip
            date = item.earn_event_date if item.earn_event_date is not None else NO_DATE
            ledger.append(LedgerEntry(item.customer_id, date, item.row, answer.result_id))
        else:
            outcomes.append(Outcome(item.row, _FAILED, _REJECTED, code=answer.code,
                                    message=answer.message or "refused without a reason"))  # fmt: skip
    return outcomes, ledger


def revoke_outcomes(
    batch: Batch, items: list[OpenItem], answered: dict[str, Answer], *, gone_code: int, dated: bool
) -> tuple[list[Outcome], list[LedgerEntry]]:
    """Rows of an undo batch from the server's answer per revoked id (revokeIssue: the batch's list;
    revokeEarn: one call per row), and the ledger entries of what is no longer active, to forget.

    ``gone_code`` (404 for an enrolment, 814 for an earn) says the id is not active any more. After an
    attempt of this batch that may have been applied (lost answer, 5xx, a crash while sending) that is
    this job's own revoke, confirmed by the resend; otherwise someone or something else revoked it (or
    it expired) before this job: SKIPPED, already revoked, and not counted as this job's work.
    ``dated``: the ledger keys imports by their earn event date (enrolments by none).
    """
    outcomes: list[Outcome] = []
    forget: list[LedgerEntry] = []
    for item in items:
        target = item.target_id
        answer = answered.get(target) if target is not None else None
        if answer is None:  # not in the answer: sent again (revoking twice is revoking once)
            outcomes.append(Outcome(item.row, _UNKNOWN))
            continue
        date = item.earn_event_date if dated and item.earn_event_date is not None else NO_DATE
        entry = LedgerEntry(item.customer_id, date, item.row, target)
        if answer.code is None and answer.message is None:
            outcomes.append(Outcome(item.row, _SUCCEEDED, _RESPONSE, result_id=target))
            forget.append(entry)
        elif answer.code == gone_code and batch.ambiguous:
            outcomes.append(Outcome(item.row, _SUCCEEDED, _CONFIRMED_ON_RESEND, result_id=target))
            forget.append(entry)
        elif answer.code == gone_code:
            outcomes.append(Outcome(item.row, _SKIPPED, _ALREADY_REVOKED, code=answer.code,
                                    message=f"not active any more before this undo (revoked or expired): "
                                            f"{answer.message or 'no active instance'}",
                                    result_id=target))  # fmt: skip
            forget.append(entry)
        else:
            outcomes.append(Outcome(item.row, _FAILED, _REJECTED, code=answer.code,
                                    message=answer.message or "refused without a reason", result_id=target))  # fmt: skip
    return outcomes, forget

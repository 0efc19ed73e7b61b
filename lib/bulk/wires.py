"""How each job operation goes on the wire: the call that sends one batch, what its answer means for
each row, and how a batch whose outcome is unclear gets settled.

| operation   | call (per batch)                 | unclear outcome (lost answer, 5xx, crash)           |
| ----------- | -------------------------------- | --------------------------------------------------- |
| enrol       | issueBulk, its planned requestId | resent (fresh key: 1040 per customer), else read    |
| import      | import/customerBadges            | read the customers' earns, re-plan what is absent   |
| undo-enrol  | revokeIssue, up to 20 issuals    | resent: revoking twice is revoking once             |
| undo-import | revokeEarn, one earn per batch   | resent, as above                                    |

The runner (`lib.bulk.runner`) is the same for all of them: one queue, lease, limiter, breaker and
journal; only what this table says differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from lib.bulk.bulk_calls import send_import, send_issue_bulk, send_revoke_earn, send_revoke_issue
from lib.bulk.journal import Batch, LedgerEntry, OpenItem, Outcome
from lib.bulk.model import Operation
from lib.bulk.outcomes import (
    NO_ACTIVE_EARN_CODE,
    NO_ISSUE_INSTANCE_CODE,
    ServerClock,
    enrol_outcomes,
    import_outcomes,
    revoke_outcomes,
)


class Reading(NamedTuple):
    """One answer read per row: outcomes, ledger entries to write, ledger entries to forget (undo)."""

    outcomes: list[Outcome]
    ledger: list[LedgerEntry]
    forget: list[LedgerEntry]


# send(client, badge_id, open rows, batch, request_id) -> the answer as the reader takes it
Send = Callable[[Any, str, list[OpenItem], Batch, str], Any]
# read(batch, open rows, answer, request_id, server clock, answered at) -> Reading
Read = Callable[[Batch, list[OpenItem], Any, str, ServerClock, float], Reading]


@dataclass(frozen=True)
class Wire:
    send: Send
    read: Read
    reconciles: bool  # unclear rows are settled by reading the customers' badges (else: sent again)
    keyed: bool  # the body carries the batch's requestId


def _send_enrol(client, badge_id, items, batch, request_id):
    return send_issue_bulk(client, badge_id, items, batch, request_id=request_id)


def _read_enrol(batch, items, answer, request_id, clock, answered_at) -> Reading:
    outcomes, ledger = enrol_outcomes(batch, items, answer, request_id, clock, answered_at)
    return Reading(outcomes, ledger, [])


def _send_import(client, badge_id, items, batch, request_id):
    return send_import(client, badge_id, items)


def _read_import(batch, items, answer, request_id, clock, answered_at) -> Reading:
    outcomes, ledger = import_outcomes(items, answer)
    return Reading(outcomes, ledger, [])


def _send_revoke_issue(client, badge_id, items, batch, request_id):
    return send_revoke_issue(client, badge_id, items)


def _read_revoke_issue(batch, items, answer, request_id, clock, answered_at) -> Reading:
    outcomes, forget = revoke_outcomes(batch, items, answer, gone_code=NO_ISSUE_INSTANCE_CODE, dated=False)
    return Reading(outcomes, [], forget)


def _send_revoke_earn(client, badge_id, items, batch, request_id):
    # One row per batch, so one call per batch: a batch of several calls that failed half-way would
    # leave rows revoked by this job that a resend could not tell from rows revoked by someone else.
    if len(items) != 1:
        raise ValueError(f"an undo-import batch holds one row, batch {batch.batch} holds {len(items)}")
    return {items[0].target_id: send_revoke_earn(client, badge_id, items[0])}


def _read_revoke_earn(batch, items, answer, request_id, clock, answered_at) -> Reading:
    outcomes, forget = revoke_outcomes(batch, items, answer, gone_code=NO_ACTIVE_EARN_CODE, dated=True)
    return Reading(outcomes, [], forget)


WIRES: dict[Operation, Wire] = {
    Operation.ENROL: Wire(_send_enrol, _read_enrol, reconciles=True, keyed=True),
    Operation.IMPORT: Wire(_send_import, _read_import, reconciles=True, keyed=False),
    Operation.UNDO_ENROL: Wire(_send_revoke_issue, _read_revoke_issue, reconciles=False, keyed=False),
    Operation.UNDO_IMPORT: Wire(_send_revoke_earn, _read_revoke_earn, reconciles=False, keyed=False),
}

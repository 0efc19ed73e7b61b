"""The bulk writes of a job's batch on the wire, for the runner: its rows and batch plan turned into the
arguments of `lib.api.bulk_wire` (which builds the bodies and reads the answers), and what a failed call
says about the server's load (``load_signal``) for the limiter and the breaker.
"""

from __future__ import annotations

from lib.api import bulk_wire
from lib.api.bulk_wire import Answer
from lib.api.errors import APIConnectionError, APIStatusError, BadgesError, RateLimitError
from lib.bulk.journal import Batch, OpenItem
from lib.bulk.limiter import Signal
from lib.bulk.policy import retry_after_of

__all__ = ["Answer", "load_signal", "send_import", "send_issue_bulk", "send_revoke_earn", "send_revoke_issue"]


def send_issue_bulk(
    client, badge_id: str, items: list[OpenItem], batch: Batch, *, request_id: str | None = None
) -> dict[int, Answer]:
    """#9 with the batch's requestId (planned, or fresh per attempt once one may have been applied)."""
    return bulk_wire.issue_bulk(client, badge_id, [i.customer_id for i in items],
                                request_id=request_id or batch.request_id,
                                issue_event_date=batch.issue_event_date)  # fmt: skip


def send_import(client, badge_id: str, items: list[OpenItem]) -> list[Answer]:
    """#14: one answer per row, in order."""
    rows = [(i.customer_id, i.earn_event_date, i.earn_expires_on) for i in items]
    return bulk_wire.import_earned(client, badge_id, rows)


def send_revoke_issue(client, badge_id: str, items: list[OpenItem]) -> dict[str, Answer]:
    """#10 for exactly these enrolments (the rows' ``target_id``): issuedId -> answer."""
    return bulk_wire.revoke_issuals(client, badge_id, [(i.customer_id, i.target_id) for i in items])


def send_revoke_earn(client, badge_id: str, item: OpenItem) -> Answer:
    """#13 for one row's earned badge (its ``target_id``)."""
    return bulk_wire.revoke_earned(client, badge_id, item.customer_id, item.target_id)


def load_signal(error: BadgesError) -> Signal:
    """What a failed call says about the server's load, for the limiter and the breaker."""
    if isinstance(error, RateLimitError) or (
        isinstance(error, APIStatusError) and error.status_code == 503 and retry_after_of(error) is not None
    ):
        return Signal.THROTTLED
    if isinstance(error, APIStatusError):
        return Signal.OVERLOADED if error.status_code >= 500 or error.status_code == 408 else Signal.OK
    if isinstance(error, APIConnectionError):
        return Signal.OVERLOADED if error.sent else Signal.UNREACHABLE
    return Signal.OK

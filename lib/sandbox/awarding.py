"""What enrolments (`enrolments.py`) and earns (`awards.py`) share: request ids, per-item errors,
expiries, the module an award is made for, and the earns a limit counts.

A `requestId` is recorded (per org and endpoint) in the same unit of work as the call, and only when
the call is accepted: a call refused as a whole (811, 816, ...) leaves the id unused, so the same id
can be sent again once the cause is fixed; a second use of an accepted id answers 809 and does nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lib.api.models import TriggeredBy
from lib.domain import CountAxis, CountWindow, ExpiryRule, ExpiryType, compute_expiry
from lib.sandbox import errors as E
from lib.sandbox.common import canonical, epoch
from lib.sandbox.repository import Repository

NEVER = ExpiryRule(ExpiryType.NEVER)


def check_request_id(repo: Repository, org_id: int, endpoint: str, request_id: str | None) -> None:
    if request_id is not None and repo.request_ids.seen(org_id, endpoint, request_id):
        raise E.DuplicateRequestId(reference="requestId")


def record_request_id(
    repo: Repository, org_id: int, endpoint: str, request_id: str | None, now: datetime
) -> None:
    if request_id is not None:
        repo.request_ids.record(org_id, endpoint, request_id, epoch(now))


def error_item(error: E.SandboxError) -> dict[str, Any]:
    item = error.item()
    return {"code": item["code"], "message": item["message"], "reference": item["reference"]}


def expiry(rule: ExpiryRule | None, processed_at: datetime, badge_end: datetime | None) -> datetime:
    return compute_expiry(rule or NEVER, processed_at, badge_end)


def owner_of(triggered_by: TriggeredBy | None) -> tuple[str | None, str | None]:
    """The module an award is made for, as stored: (ownerType, referenceId)."""
    if triggered_by is None:
        return None, None
    return str(triggered_by.owner_type), triggered_by.reference_id


def echo(triggered_by: TriggeredBy | None) -> dict[str, Any] | None:
    """`triggeredBy` as the answer echoes it: as sent, in its canonical spelling."""
    return None if triggered_by is None else canonical(triggered_by)


def count_earns(
    repo: Repository, org_id: int, badge_id: str, window: CountWindow, customer_id: int | None
) -> int:
    """Earns (not revoked) of the badge in `window`, on the window's own time axis."""
    bounded = window.axis in (CountAxis.EVENT, CountAxis.PROCESSING)
    return repo.earns.count(
        org_id,
        badge_id,
        axis=window.axis,
        start=epoch(window.start) if bounded else None,
        end=epoch(window.end) if bounded else None,
        customer_id=customer_id,
    )

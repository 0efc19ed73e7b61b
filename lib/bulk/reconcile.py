"""Settle rows whose outcome is unknown by reading what Capillary actually holds.

After a timeout, a lost answer, an unreadable answer or an 809 on a resend, nothing about those rows
may be assumed: each customer's badge detail (#17, with its enrolment and earn history) is read and

- enrol:  an ACTIVE, unrevoked enrolment of the badge  -> the row SUCCEEDED (its issueId recorded);
- import: an earned instance with the row's event date (and expiry, when given) -> SUCCEEDED.

Anything else is absent. The runner looks twice (after a settle delay) before believing an absence,
then re-plans the absent rows into a repair batch. Reads only: reconciling can never enrol anyone.

An enrolment found this way may predate the job (the customer was enrolled elsewhere): `Found.created`
carries when the server made it, so the runner tells its own work (SUCCEEDED) from what was already
there (SKIPPED, already enrolled). The reads run concurrently through the `read` the runner passes
(paced, retried on their own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lib.api.errors import NotFoundError
from lib.api.models.instants import whole_seconds
from lib.bulk.journal import OpenItem
from lib.bulk.model import Operation


@dataclass(frozen=True)
class Found:
    row: int
    result_id: str | None
    created: int | None = None  # epoch seconds the server made the enrolment (enrol only)


def look_up(
    client,
    operation: Operation,
    badge_id: str,
    items: Sequence[OpenItem],
    *,
    read: Callable[[int], object] | None = None,
    workers: int = 1,
) -> tuple[list[Found], list[OpenItem]]:
    """(found, absent) for the given rows; API errors other than "not found" propagate."""

    def plain_read(customer_id: int):
        return client.get_customer_badge(customer_id=customer_id, badge_id=badge_id, include_statistics=True)

    read = read or plain_read
    wanted = [i for i in items if i.customer_id is not None]
    details: dict[int, object | None] = {}

    def fetch(customer_id: int) -> tuple[int, object | None]:
        try:
            return customer_id, read(customer_id)
        except NotFoundError:
            return customer_id, None

    customers = list(dict.fromkeys(i.customer_id for i in wanted))
    if workers > 1 and len(customers) > 1:
        with ThreadPoolExecutor(
            max_workers=min(workers, len(customers)), thread_name_prefix="settle"
        ) as pool:
            details.update(pool.map(fetch, customers))
    else:
        details.update(fetch(c) for c in customers)

    found: list[Found] = []
    absent: list[OpenItem] = []
    claimed: set[str] = set()
    for item in items:
        detail = details.get(item.customer_id) if item.customer_id is not None else None
        if detail is None:
            absent.append(item)
            continue
        if operation is Operation.ENROL:
            match = _enrolment(detail, item)
            created = match[1] if match else None
            match = match[0] if match else None
        else:
            match, created = _earn(detail, item, claimed), None
        if match is None:
            absent.append(item)
        else:
            found.append(Found(item.row, match or None, created))
            if match:
                claimed.add(match)
    return found, absent


def _enrolment(detail, item: OpenItem) -> tuple[str, int | None] | None:
    issuals = detail.issual_details.issuals if detail.issual_details else []
    active = [i for i in issuals if i.is_active()]  # the server's status, as of its answer
    if not active:
        return None
    if item.issue_event_date is not None:
        same_day = [i for i in active if whole_seconds(i.issue_event_date) == item.issue_event_date]
        if same_day:
            active = same_day
    return active[0].issue_id or "", whole_seconds(active[0].issued_on)


def _earn(detail, item: OpenItem, claimed: set[str]) -> str | None:
    earns = detail.earn_details.earns if detail.earn_details else []
    for earn in earns:
        if earn.revoked_on is not None or (earn.earned_badge_id and earn.earned_badge_id in claimed):
            continue
        if item.earn_event_date is not None and whole_seconds(earn.earn_event_date) != item.earn_event_date:
            continue
        expiry = whole_seconds(earn.earn_expires_on)
        if item.earn_expires_on is not None and expiry is not None and expiry != item.earn_expires_on:
            continue
        return earn.earned_badge_id or ""
    return None

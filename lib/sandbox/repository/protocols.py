"""The sandbox's storage seam: one Protocol per aggregate, and the `Repository` that holds them.

Backends speak only these methods (never SQL); `lib.sandbox.repository.sqlite` is the one
implementation. Every method acts on the current unit of work: the backend opens one with
`repository.unit_of_work()` (all of it is committed, or nothing) or `repository.snapshot()` (a
consistent read), and the calls inside it share that transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from lib.domain import CountAxis
from lib.sandbox.repository.records import (
    ActiveIssue,
    BadgeView,
    CustomerRow,
    CustomFieldRecord,
    EarnRecord,
    EarnSummary,
    GroupRecord,
    IssueRecord,
    NewEarn,
    NewIssue,
    OrgLogin,
)


class Orgs(Protocol):
    def ensure(self, orgs: Iterable[tuple[int, str, str, str]]) -> None:
        """Create the (org id, name, username, password MD5) orgs that do not exist yet."""

    def logins(self) -> list[OrgLogin]: ...

    def org_of(self, username: str) -> int | None: ...

    def next_badge_number(self, org_id: int) -> int:
        """The org's next `badgeNumericId` (1, 2, 3...), taken."""

    def restart_badge_numbers(self, org_id: int | None = None) -> None: ...


class Badges(Protocol):
    def get(self, org_id: int, badge_id: str) -> BadgeView | None: ...

    def all_of(self, org_id: int, ids: Sequence[str] | None = None) -> list[BadgeView]:
        """The org's badges by id (all, or those of `ids` that exist)."""

    def exists(self, org_id: int, badge_id: str) -> bool: ...

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool: ...

    def any(self) -> bool: ...

    def add(self, doc: dict[str, Any], fixed_windows: list[dict[str, Any]]) -> None: ...

    def save(self, doc: dict[str, Any], fixed_windows: list[dict[str, Any]]) -> None: ...


class Issues(Protocol):
    def active_ids_by_customer(
        self, org_id: int, badge_id: str, now: float, customers: Sequence[int]
    ) -> dict[int, str]:
        """customer -> id of their active (not revoked, not expired) enrolment, for `customers`."""

    def add_many(self, rows: Iterable[NewIssue]) -> None: ...

    def add_history(self, org_id: int, rows: Sequence[tuple]) -> None:
        """Past enrol calls of `org_id` in bulk: (id, badge id, customer id, issued at, expires on,
        owner type, owner reference id); event date = issue time, not revoked, no request id."""

    def active_owner(self, org_id: int, badge_id: str, now: float, issue_id: str) -> int | None:
        """The customer of enrolment `issue_id` when it is active, else None."""

    def active_ids_of(self, org_id: int, badge_id: str, now: float, customer_id: int) -> list[str]: ...

    def latest_active(
        self, org_id: int, badge_id: str, customer_id: int, now: float
    ) -> ActiveIssue | None: ...

    def revoke(self, issue_id: str, at: float) -> None: ...

    def of_customer(self, org_id: int, customer_id: int) -> list[IssueRecord]:
        """Every enrolment of the customer, oldest first."""

    def of_badge_customer(self, org_id: int, badge_id: str, customer_id: int) -> list[IssueRecord]:
        """The customer's enrolments of one badge, newest first."""

    def counted_by_badge(self, org_id: int, badge_ids: Sequence[str]) -> dict[str, int]:
        """Enrolments not revoked, per badge."""


class Earns(Protocol):
    def count(
        self,
        org_id: int,
        badge_id: str,
        *,
        axis: CountAxis,
        start: float | None,
        end: float | None,
        customer_id: int | None = None,
    ) -> int:
        """Earns not revoked, of the badge (and customer) in the window on its time axis: event date in
        [start, end), processing time in (start, end], or every one (`CountAxis.LIFETIME`)."""

    def counts_by_event_window(
        self,
        org_id: int,
        badge_id: str,
        windows: Sequence[tuple[float, float]],
        *,
        customer_id: int | None = None,
    ) -> list[int]:
        """`count` on the event axis for each [start, end) of `windows` (a limit's cycles), in one read."""

    def add(self, row: NewEarn) -> None: ...

    def add_many(self, rows: Iterable[NewEarn]) -> None: ...

    def add_history(self, org_id: int, rows: Sequence[tuple]) -> None:
        """Past earn calls of `org_id` in bulk: (id, badge id, customer id, earned at, expires on,
        revoked on, issue id, owner type, owner reference id); event date = processing time, no
        request id, not imported."""

    def revoke_active(self, org_id: int, badge_id: str, customer_id: int, earned_id: str, now: float) -> bool:
        """Revoke the earn when it is active; False when there was none to revoke."""

    def summaries_of(self, org_id: int, customer_id: int, now: float) -> dict[str, EarnSummary]:
        """Per badge: the customer's active and expired earns and their latest dates."""

    def of_badge_customer(self, org_id: int, badge_id: str, customer_id: int) -> list[EarnRecord]:
        """The customer's earns of one badge, newest first."""

    def counted_by_badge(self, org_id: int, badge_ids: Sequence[str]) -> dict[str, int]:
        """Earns not revoked, per badge."""


class Customers(Protocol):
    def find(self, org_id: int, identifier: str, value: str) -> int | None:
        """The customer id whose `identifier` (email, mobile, externalId, cardNumber) is `value`."""

    def put_many(self, rows: Iterable[CustomerRow]) -> None:
        """Register customers, replacing those already registered."""


class RequestIds(Protocol):
    def seen(self, org_id: int, endpoint: str, request_id: str) -> bool: ...

    def record(self, org_id: int, endpoint: str, request_id: str, at: float) -> None: ...


class Groups(Protocol):
    def get(self, org_id: int, group_id: str) -> GroupRecord | None: ...

    def exists(self, org_id: int, group_id: str) -> bool: ...

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool: ...

    def add(self, org_id: int, group_id: str, name: str, rank: int | None, by: int, at: float) -> None: ...

    def change(self, org_id: int, group_id: str, name: str, rank: int | None, by: int, at: float) -> None: ...

    def count(self, org_id: int) -> int: ...

    def page(self, org_id: int, *, descending: bool, size: int, offset: int) -> list[GroupRecord]:
        """By rank (then name)."""

    def names(self, org_id: int) -> dict[str, tuple[str, int | None]]:
        """group id -> (name, rank)."""


class CustomFields(Protocol):
    def get(self, org_id: int, field_id: str) -> CustomFieldRecord | None: ...

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool: ...

    def add(self, record: CustomFieldRecord) -> None: ...

    def change(self, record: CustomFieldRecord) -> None:
        """Store the record's name, flags, default, type and last update over the field with its id."""

    def count(self, org_id: int, active: bool | None = None) -> int: ...

    def page(
        self, org_id: int, active: bool | None, *, descending: bool, size: int, offset: int
    ) -> list[CustomFieldRecord]:
        """By last update."""

    def mandatory_defaults(self, org_id: int) -> list[tuple[str, str | None]]:
        """(name, default value) of the org's active mandatory fields."""


class OrgMeta(Protocol):
    def get(self, org_id: int) -> dict[str, Any] | None: ...

    def add(self, org_id: int, doc: dict[str, Any]) -> None: ...

    def save(self, org_id: int, doc: dict[str, Any]) -> None: ...


class Repository(Protocol):
    """Everything the sandbox stores, per aggregate, and its transactions."""

    orgs: Orgs
    badges: Badges
    issues: Issues
    earns: Earns
    customers: Customers
    request_ids: RequestIds
    groups: Groups
    custom_fields: CustomFields
    org_meta: OrgMeta

    def unit_of_work(self) -> AbstractContextManager[None]:
        """One write: committed at the end of the block, rolled back if it raises."""

    def snapshot(self) -> AbstractContextManager[None]:
        """A consistent read for the duration of the block."""

    def forget_all(self) -> None:
        """Delete every org's data (the orgs stay, badge numbers restart)."""

    def forget_org(self, org_id: int) -> None:
        """Delete one org's data (its badge numbers restart)."""

    def bulk_load(self, aggregates: Iterable[str]) -> AbstractContextManager[None]:
        """Inside a unit of work: a block that loads many rows into `aggregates` ("customers", "issues",
        "earns"), with their look-up structures rebuilt once at the end."""

    def fill_quickly(self) -> None:
        """For a store being filled before anyone uses it: durability off on this thread."""

    def close(self) -> None: ...

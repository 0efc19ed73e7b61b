"""What the repository stores and hands back: typed records, instants as epoch seconds.

Rows to insert are `NamedTuple`s in column order, so a bulk insert passes them to SQLite as they are
(no copy per row on the enrolment hot path); rows read back are frozen dataclasses with the names
the backends use. A badge comes back as a `BadgeView`: its canonical wire JSON plus its fixed-window
entries (see `lib.sandbox.badge_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from lib.domain import BadgeStatus, badge_status
from lib.sandbox.badge_rules import FixedWindowConfig, fixed_window_configs
from lib.sandbox.common import from_epoch


@dataclass
class BadgeView:
    """A stored badge: its canonical wire JSON (`doc`) and its fixed-window entries."""

    doc: dict[str, Any]
    fixed_windows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.doc["id"]

    @property
    def start(self) -> datetime:
        return from_epoch(self.doc["startOn"])

    @property
    def end(self) -> datetime:
        return from_epoch(self.doc["expiresOn"])

    def status(self, now: datetime) -> BadgeStatus:
        return badge_status(self.start, self.end, now)

    def configs(self) -> list[FixedWindowConfig]:
        return fixed_window_configs(self.fixed_windows)


class OrgLogin(NamedTuple):
    """A sandbox org and the Basic credentials that reach it (password as its MD5 hex)."""

    org_id: int
    username: str
    password_md5: str


class CustomerRow(NamedTuple):
    """A registered customer, for `X-CAP-CUSTOMER-IDENTIFIER` look-ups."""

    org_id: int
    customer_id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    mobile: str | None
    external_id: str | None
    card_number: str | None


class NewIssue(NamedTuple):
    """One enrolment to insert."""

    id: str
    org_id: int
    badge_id: str
    customer_id: int
    issued_on: float
    event_date: float
    expires_on: float
    revoked_on: float | None
    owner_type: str | None
    owner_reference_id: str | None
    request_id: str | None


class NewEarn(NamedTuple):
    """One earn to insert (`imported`: from the history import, which skips limits and claims)."""

    id: str
    org_id: int
    badge_id: str
    customer_id: int
    earned_on: float
    event_date: float
    expires_on: float
    revoked_on: float | None
    issue_id: str | None
    owner_type: str | None
    owner_reference_id: str | None
    request_id: str | None
    imported: int = 0


@dataclass(frozen=True, slots=True)
class ActiveIssue:
    """The enrolment an enrol & issue earn rests on."""

    id: str
    event_date: float
    expires_on: float


@dataclass(frozen=True, slots=True)
class IssueRecord:
    id: str
    badge_id: str
    customer_id: int
    issued_on: float
    event_date: float
    expires_on: float
    revoked_on: float | None
    owner_type: str | None
    owner_reference_id: str | None


@dataclass(frozen=True, slots=True)
class EarnRecord:
    id: str
    badge_id: str
    customer_id: int
    earned_on: float
    event_date: float
    expires_on: float
    revoked_on: float | None
    issue_id: str | None
    owner_type: str | None
    owner_reference_id: str | None


@dataclass(frozen=True, slots=True)
class EarnSummary:
    """A customer's earns of one badge at an instant: active, expired (not revoked), latest dates."""

    active: int
    expired: int
    last_earned_on: float | None
    last_event: float | None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: str
    org_id: int
    name: str
    rank: int | None
    is_active: bool
    created_by: int | None
    created_on: float
    last_updated_by: int | None
    last_updated_on: float


@dataclass(frozen=True, slots=True)
class CustomFieldRecord:
    id: str
    org_id: int
    name: str
    is_mandatory: bool
    default_value: str | None
    is_active: bool
    data_type: str
    created_by: int | None
    created_on: float
    last_updated_by: int | None
    last_updated_on: float

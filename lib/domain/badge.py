"""A badge's earn rules in one value: period, earn type, limits and expiries."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from lib.domain.enums import BadgeStatus, ConstraintLevel, EarnType
from lib.domain.expiry import ExpiryRule, compute_expiry
from lib.domain.status import badge_status
from lib.domain.timeutil import as_utc

if TYPE_CHECKING:
    from lib.domain.limits import Limit


@dataclass(frozen=True, slots=True)
class BadgeRules:
    """Everything needed to preview or enforce earns of one badge.

    `end=None` is an open-ended badge. `customer_limits` must be customer-level and `badge_limits`
    badge-level; an empty tuple means unlimited.
    """

    start: datetime
    end: datetime | None
    earn_type: EarnType = EarnType.EARN
    customer_limits: "tuple[Limit, ...]" = ()
    badge_limits: "tuple[Limit, ...]" = ()
    earned_expiry: ExpiryRule | None = None
    issued_expiry: ExpiryRule | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start, "start"))
        if self.end is not None:
            object.__setattr__(self, "end", as_utc(self.end, "end"))
        object.__setattr__(self, "earn_type", EarnType(self.earn_type))
        object.__setattr__(self, "customer_limits", tuple(self.customer_limits))
        object.__setattr__(self, "badge_limits", tuple(self.badge_limits))
        for limit in self.customer_limits:
            if limit.level is not ConstraintLevel.CUSTOMER:
                raise ValueError(f"customer_limits holds a {limit.level} limit: {limit!r}")
        for limit in self.badge_limits:
            if limit.level is not ConstraintLevel.BADGE:
                raise ValueError(f"badge_limits holds a {limit.level} limit: {limit!r}")

    @property
    def limits(self) -> "tuple[Limit, ...]":
        """Customer limits first, then badge limits: the order earns are checked in."""
        return self.customer_limits + self.badge_limits

    def status(self, now: datetime) -> BadgeStatus:
        return badge_status(self.start, self.end, now)

    def earned_expires_at(self, processed_at: datetime) -> datetime | None:
        """Expiry of an earn processed at `processed_at`; None when no earned expiry is configured."""
        if self.earned_expiry is None:
            return None
        return compute_expiry(self.earned_expiry, processed_at, self.end)

    def enrolment_expires_at(self, processed_at: datetime) -> datetime | None:
        """Expiry of an enrolment (ISSUE_EARN); None when no issued expiry is configured."""
        if self.issued_expiry is None:
            return None
        return compute_expiry(self.issued_expiry, processed_at, self.end)

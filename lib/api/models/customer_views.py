"""What a customer has and can get: #15 (badges for a customer), #16 (all customer badges, filtered),
#17 (one badge for one customer with its enrolment/earn history and limit usage)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from lib.api.models.badges import ExpiryConfig, Image, Ownership, Tag
from lib.api.models.constraints import Benefit, Constraint
from lib.api.models.enums import (
    ConstraintLevel,
    ItemStatus,
    ManagementConstraintType,
    OpenCycleStatus,
    OpenItemStatus,
    OwnerType,
    WireActivationAction,
    WireBadgeStatus,
    WireDurationUnit,
    WireEarnType,
    WireWeekday,
)
from lib.api.models.envelope import Pagination
from lib.api.models.shared import ChangeStamps, DateSpan, LastEarned
from lib.api.models.wire import IsoTimestamp, TextId, Timestamp, WireModel


class CustomerBadge(LastEarned):
    """One badge in #15's ``badges[]``."""

    badge_meta_id: TextId
    org_id: int | None = None
    name: str | None = None
    description: str | None = None
    start_on: Timestamp | None = None
    start_on_iso: IsoTimestamp | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    images: list[Image] | None = None
    tags: list[Tag] | None = None
    badge_group_id: TextId | None = None
    badge_group_name: str | None = None
    badge_rank: int | None = None
    ownership: Ownership | None = None
    earn_type: WireEarnType | None = None
    benefits: list[Benefit] | None = None
    customer_constraints: list[Constraint] | None = None
    badge_constraints: list[Constraint] | None = None
    earned_count: int | None = None
    custom_fields: dict[str, Any] | None = None
    active: bool | None = None


class CustomerBadges(WireModel):
    """``data`` of #15."""

    badges: list[CustomerBadge] = Field(default_factory=list)
    pagination: Pagination | None = None


class _CustomerBadgeView(ChangeStamps, LastEarned):
    """What #16's list items and #17's detail share."""

    name: str | None = None
    description: str | None = None
    badge_type: WireEarnType | None = None
    badge_status: WireBadgeStatus | None = None
    badge_rank: int | None = None
    images: list[Image] | None = None
    starts_on: Timestamp | None = None
    starts_on_iso: IsoTimestamp | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    last_earned_on: Timestamp | None = None
    last_earned_on_iso: IsoTimestamp | None = None


class CustomerBadgeSummary(_CustomerBadgeView):
    """One item of #16's ``customerBadges[]``; note ``startsOn`` (with an s) and ``badgeType`` =
    the badge's earn type."""

    badge_meta_id: TextId
    badge_group_id: TextId | None = None
    badge_group_name: str | None = None
    earn_count: int | None = None
    ownership: Ownership | None = None
    issue_status: str | None = None
    active: bool | None = None


class CustomerBadgePage(WireModel):
    """``data`` of #16."""

    customer_badges: list[CustomerBadgeSummary] = Field(default_factory=list)
    pagination: Pagination | None = None


class EarnUsage(WireModel):
    """``earnConstraintBlockStatistics``: the customer's/badge's earns counted against the limit."""

    current_earn_count: int | None = None
    current_earn_count_days: int | None = None
    current_earn_count_weeks: int | None = None
    current_earn_count_months: int | None = None


class WindowBounds(DateSpan):
    """``fixedWindowCycle``: the cycle a fixed-window usage counts in."""


class ConstraintUsage(WireModel):
    """#17's normalised limit view (``OVERALL`` = a fixed value limit)."""

    constraint_level: ConstraintLevel | None = None
    constraint_type: ManagementConstraintType | None = None
    roll_type: WireDurationUnit | None = None
    roll_value: int | None = None
    refresh_rate: int | None = None
    duration_type: WireDurationUnit | None = None
    cycle_status: OpenCycleStatus | None = None
    start_day_of_the_week: WireWeekday | None = None
    max_earn_limit: int | None = None
    earn_constraint_block_statistics: EarnUsage | None = None
    fixed_window_cycle: WindowBounds | None = None
    fixed_window_reference_id: TextId | None = None
    rolling_window_limits: Any = None


class Issual(WireModel):
    """One enrolment of the customer (``issualDetails.issuals[]``)."""

    issue_id: TextId | None = None
    issued_on: Timestamp | None = None
    issued_status: OpenItemStatus | None = None
    issue_expires_on: Timestamp | None = None
    issue_event_date: Timestamp | None = None
    revoked_on: Timestamp | None = None
    owner_type: OwnerType | None = None
    owner_reference_id: TextId | None = None

    def is_active(self, at: datetime | None = None) -> bool:
        """The one meaning of an *active enrolment*: the one that admits earns and makes a new
        enrolment answer 1040 ("An active issue for the badge already exists").

        Status ``ACTIVE`` (any case) and not revoked; with `at`, also not past its ``issueExpiresOn``
        at that instant. The server derives the status from its own clock when it answers, so a
        reader that has just asked (reconciliation) trusts it as is; a reader predicting a later
        run (the dry run) passes the time it predicts for, as a status may lag its expiry.
        """
        if self.issued_status != ItemStatus.ACTIVE or self.revoked_on is not None:
            return False
        return at is None or self.issue_expires_on is None or self.issue_expires_on > at


class IssualDetails(WireModel):
    issued_count: int | None = None
    issuals: list[Issual] = Field(default_factory=list)


class Earn(WireModel):
    """One earned instance (``earnDetails.earns[]``); the docs never show one, so the fields mirror
    the issual's and everything else is kept as received."""

    earned_badge_id: TextId | None = None
    earned_on: Timestamp | None = None
    earned_status: OpenItemStatus | None = None
    earn_expires_on: Timestamp | None = None
    earn_event_date: Timestamp | None = None
    revoked_on: Timestamp | None = None
    owner_type: OwnerType | None = None
    owner_reference_id: TextId | None = None


class EarnDetails(WireModel):
    earn_count: int | None = None
    earns: list[Earn] = Field(default_factory=list)


class CustomerBadgeDetail(_CustomerBadgeView):
    """``data`` of #17."""

    id: TextId
    action: WireActivationAction | None = None
    owner: list[OwnerType] | None = None
    claimed_by: list[Any] | None = None
    earn_expiry: ExpiryConfig | None = None
    issue_expiry: ExpiryConfig | None = None
    tags: list[Tag] | None = None
    custom_fields: dict[str, Any] | None = None
    active_earned_count: int | None = None
    customer_constraints: list[ConstraintUsage] | None = None
    badge_constraints: list[ConstraintUsage] | None = None
    issual_details: IssualDetails | None = None
    earn_details: EarnDetails | None = None

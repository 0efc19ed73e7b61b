"""Earn limits ("constraints") and benefits, as discriminated unions on their type field.

Customer-level (``CUSTOMER_BADGE_*``) and badge-level (``BADGE_*``) limits are distinct members; each
knows its ``level``. Both lists of a badge accept every member, because a documented create call sent a
``CUSTOMER_BADGE_FIXED_WINDOW`` inside ``badgeConstraints`` and the server filed it under the customer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from lib.api.models.enums import (
    ConstraintLevel,
    ConstraintType,
    OpenCycleStatus,
    WireDurationUnit,
    WireWeekday,
)
from lib.api.models.shared import DateSpan
from lib.api.models.wire import Int64, IsoTimestamp, TextId, Timestamp, WireModel


class CycleBounds(DateSpan):
    """``currentCycle``: the fixed-window cycle containing "now" (statistics views)."""


class _ConstraintBase(WireModel):
    constraint_type: ConstraintType

    @property
    def level(self) -> ConstraintLevel:
        return ConstraintType(self.constraint_type).level


class _FixedWindowFields(_ConstraintBase):
    """At most ``max_earn_limit`` earns per cycle; cycles of ``refresh_rate`` days (DAYS), weeks starting
    on ``start_day_of_the_week`` (WEEKS) or calendar months. The server adds the config's
    ``referenceId``, ``cycleStatus`` and date range."""

    duration_type: WireDurationUnit
    max_earn_limit: Int64
    refresh_rate: Int64 | None = None
    start_day_of_the_week: WireWeekday | None = None
    reference_id: TextId | None = None
    cycle_status: OpenCycleStatus | None = None
    start_date: Timestamp | None = None
    end_date: Timestamp | None = None
    start_date_iso: IsoTimestamp | None = None
    end_date_iso: IsoTimestamp | None = None
    current_cycle: CycleBounds | None = None


class CustomerFixedWindow(_FixedWindowFields):
    constraint_type: Literal[ConstraintType.CUSTOMER_BADGE_FIXED_WINDOW]


class BadgeFixedWindow(_FixedWindowFields):
    constraint_type: Literal[ConstraintType.BADGE_FIXED_WINDOW]


class CustomerFixedValue(_ConstraintBase):
    """At most ``max_earn_limit`` earns per customer over the badge's whole life."""

    constraint_type: Literal[ConstraintType.CUSTOMER_BADGE_FIXED_VALUE]
    max_earn_limit: Int64


class BadgeFixedValue(_ConstraintBase):
    """At most ``max_earn_limit`` earns across all customers over the badge's whole life."""

    constraint_type: Literal[ConstraintType.BADGE_FIXED_VALUE]
    max_earn_limit: Int64


class CustomerRollingWindow(_ConstraintBase):
    """Up to three look-back limits in one object: ``max_earn_for_days`` earns in the last
    ``roll_for_days`` days, and likewise for weeks and months (any pair may be absent)."""

    constraint_type: Literal[ConstraintType.CUSTOMER_BADGE_ROLLING_WINDOW]
    max_earn_for_days: Int64 | None = None
    roll_for_days: Int64 | None = None
    max_earn_for_weeks: Int64 | None = None
    roll_for_weeks: Int64 | None = None
    max_earn_for_months: Int64 | None = None
    roll_for_months: Int64 | None = None


class BadgeRollingWindow(_ConstraintBase):
    """At most ``max_earn_limit`` earns (all customers) in the last ``roll_value`` ``roll_type`` units."""

    constraint_type: Literal[ConstraintType.BADGE_ROLLING_WINDOW]
    roll_type: WireDurationUnit
    roll_value: Int64
    max_earn_limit: Int64


class CustomerNoLimit(_ConstraintBase):
    """Explicitly unlimited; stray limit fields sent with it are meaningless and dropped."""

    model_config = ConfigDict(extra="ignore")

    constraint_type: Literal[ConstraintType.CUSTOMER_BADGE_NO_LIMIT]


class BadgeNoLimit(_ConstraintBase):
    """Explicitly unlimited; stray limit fields sent with it are meaningless and dropped."""

    model_config = ConfigDict(extra="ignore")

    constraint_type: Literal[ConstraintType.BADGE_NO_LIMIT]


CustomerConstraint = Annotated[
    CustomerFixedWindow | CustomerFixedValue | CustomerRollingWindow | CustomerNoLimit,
    Field(discriminator="constraint_type"),
]
BadgeConstraint = Annotated[
    BadgeFixedWindow | BadgeFixedValue | BadgeRollingWindow | BadgeNoLimit,
    Field(discriminator="constraint_type"),
]
Constraint = Annotated[
    CustomerFixedWindow
    | CustomerFixedValue
    | CustomerRollingWindow
    | CustomerNoLimit
    | BadgeFixedWindow
    | BadgeFixedValue
    | BadgeRollingWindow
    | BadgeNoLimit,
    Field(discriminator="constraint_type"),
]
"""Any limit; ``.level`` tells customer from badge."""

FixedWindowConstraint = CustomerFixedWindow | BadgeFixedWindow


# ---- benefits -----------------------------------------------------------------------------------


class CouponBenefit(WireModel):
    benefit_type: Literal["COUPON"]
    series_id: Int64


class LoyaltyPointsBenefit(WireModel):
    benefit_type: Literal["LOYALTY_POINTS"]
    program_id: Int64
    promotion_id: Int64
    allocation_strategy_id: Int64
    expiration_strategy_id: Int64
    points: Int64 | None = None
    default_till_id: Int64 | None = None


Benefit = Annotated[CouponBenefit | LoyaltyPointsBenefit, Field(discriminator="benefit_type")]

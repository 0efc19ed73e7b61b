"""The domain's typed view of a badge being created or edited.

Every field is optional, because a form or a request body may be incomplete, and enum fields keep
unknown raw strings (`earn_type="ISSUE EARN"`) so that `check_badge` can report them with the
server's own message instead of failing while parsing. Attribute names are snake_case; the edit
rules report problems with the API's wire names (`startOn`, `customerConstraints[0].refreshRate`).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from lib.domain.badge import BadgeRules
from lib.domain.cycles import FixedWindowRule
from lib.domain.enums import (
    AbsoluteExpiryKind,
    ConstraintLevel,
    ConstraintType,
    DurationUnit,
    EarnType,
    ExpiryType,
    Weekday,
    WindowFamily,
)
from lib.domain.expiry import ExpiryRule
from lib.domain.limits import (
    FixedValueLimit,
    FixedWindowLimit,
    Limit,
    NoLimit,
    RollingWindowLimit,
    customer_rolling_limits,
)

E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: object) -> E | None:
    """The enum member for `value`, or None when `value` is missing or not one of its values."""
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ExpiryDraft:
    """`earnedBadgeExpiry` / `issuedBadgeExpiry` as typed in: `expiryType`, `type`, `expiresOn`,
    `relativeExpirytype`, `value`, `expireWithBadgeMeta`."""

    expiry_type: ExpiryType | str | None = None
    kind: AbsoluteExpiryKind | str | None = None
    fixed_at: datetime | None = None
    relative_unit: DurationUnit | str | None = None
    value: int | None = None
    expire_with_badge_meta: bool | None = None

    def to_rule(self) -> ExpiryRule | None:
        """The expiry rule, or None while the draft is incomplete or invalid."""
        expiry_type = parse_enum(ExpiryType, self.expiry_type)
        try:
            if expiry_type is ExpiryType.RELATIVE:
                return ExpiryRule(
                    expiry_type, unit=parse_enum(DurationUnit, self.relative_unit), value=self.value
                )
            if expiry_type is ExpiryType.ABSOLUTE:
                return ExpiryRule(
                    expiry_type, kind=parse_enum(AbsoluteExpiryKind, self.kind), fixed_at=self.fixed_at
                )
            if expiry_type is ExpiryType.NEVER:
                return ExpiryRule(expiry_type)
        except (ValueError, TypeError):
            return None
        return None


@dataclass(frozen=True, slots=True)
class ConstraintDraft:
    """One entry of `customerConstraints` / `badgeConstraints` as typed in.

    `start_day_of_the_week` accepts a name or an integer (0 = MONDAY), as the API does.
    """

    constraint_type: ConstraintType | str | None = None
    max_earn_limit: int | None = None
    duration_type: DurationUnit | str | None = None
    refresh_rate: int | None = None
    start_day_of_the_week: Weekday | str | int | None = None
    roll_type: DurationUnit | str | None = None
    roll_value: int | None = None
    max_earn_for_days: int | None = None
    roll_for_days: int | None = None
    max_earn_for_weeks: int | None = None
    roll_for_weeks: int | None = None
    max_earn_for_months: int | None = None
    roll_for_months: int | None = None
    reference_id: str | None = None

    @property
    def type(self) -> ConstraintType | None:
        return parse_enum(ConstraintType, self.constraint_type)

    @property
    def family(self) -> WindowFamily | None:
        constraint_type = self.type
        return None if constraint_type is None else constraint_type.family

    def week_start(self) -> Weekday | None:
        if self.start_day_of_the_week is None:
            return Weekday.MONDAY
        try:
            return Weekday.from_api(self.start_day_of_the_week)
        except ValueError:
            return None

    def fixed_window_rule(self) -> FixedWindowRule | None:
        """The cycle shape of a fixed-window draft, or None while incomplete or invalid."""
        unit = parse_enum(DurationUnit, self.duration_type)
        week_start = self.week_start()
        if unit is None or week_start is None:
            return None
        refresh_rate = self.refresh_rate if unit is DurationUnit.DAYS else 1
        try:
            return FixedWindowRule(unit, refresh_rate if refresh_rate is not None else 0, week_start)
        except (ValueError, TypeError):
            return None

    def to_limits(self) -> tuple[Limit, ...]:
        """The limits this entry stands for (a customer rolling window may stand for three).

        Raises ValueError when the draft is incomplete; run `check_badge` first to see why.
        """
        constraint_type = self.type
        if constraint_type is None:
            raise ValueError(f"unknown constraintType {self.constraint_type!r}")
        level = constraint_type.level
        family = constraint_type.family
        if family is WindowFamily.NO_LIMIT:
            return (NoLimit(level),)
        if family is WindowFamily.FIXED_VALUE:
            return (FixedValueLimit(level, _required(self.max_earn_limit, "maxEarnLimit")),)
        if family is WindowFamily.FIXED_WINDOW:
            rule = self.fixed_window_rule()
            if rule is None:
                raise ValueError("incomplete fixed window (durationType/refreshRate/startDayOfTheWeek)")
            return (FixedWindowLimit(level, _required(self.max_earn_limit, "maxEarnLimit"), rule),)
        if level is ConstraintLevel.CUSTOMER:
            return customer_rolling_limits(
                max_for_days=self.max_earn_for_days,
                roll_for_days=self.roll_for_days,
                max_for_weeks=self.max_earn_for_weeks,
                roll_for_weeks=self.roll_for_weeks,
                max_for_months=self.max_earn_for_months,
                roll_for_months=self.roll_for_months,
            )
        unit = parse_enum(DurationUnit, self.roll_type)
        if unit is None:
            raise ValueError(f"invalid rollType {self.roll_type!r}")
        return (
            RollingWindowLimit(
                level,
                _required(self.max_earn_limit, "maxEarnLimit"),
                unit,
                _required(self.roll_value, "rollValue"),
            ),
        )


def _required(value: int | None, field: str) -> int:
    if value is None:
        raise ValueError(f"{field} is missing")
    return value


@dataclass(frozen=True, slots=True)
class BadgeDraft:
    """A badge definition as saved or as being edited; every field optional.

    `owners` is `ownership.restrictedToOwners`. `customer_constraints`/`badge_constraints` keep the
    request's order, so violations can point at `customerConstraints[i]`.
    """

    id: str | None = None
    name: str | None = None
    start_on: datetime | None = None
    expires_on: datetime | None = None
    earn_type: EarnType | str | None = None
    earned_expiry: ExpiryDraft | None = None
    issued_expiry: ExpiryDraft | None = None
    owners: tuple[str, ...] | None = None
    customer_constraints: tuple[ConstraintDraft, ...] = ()
    badge_constraints: tuple[ConstraintDraft, ...] = ()

    def to_rules(self) -> BadgeRules:
        """The earn rules of a complete draft; raises ValueError when something needed is missing.

        A fixed window sent inside `badgeConstraints` with a `CUSTOMER_` type counts per customer,
        as the server files it under `customerConstraints`.
        """
        if self.start_on is None:
            raise ValueError("startOn is missing")
        customer: list[Limit] = []
        badge: list[Limit] = []
        for draft in self.customer_constraints + self.badge_constraints:
            for limit in draft.to_limits():
                (customer if limit.level is ConstraintLevel.CUSTOMER else badge).append(limit)
        earn_type = parse_enum(EarnType, self.earn_type) or EarnType.EARN
        return BadgeRules(
            start=self.start_on,
            end=self.expires_on,
            earn_type=earn_type,
            customer_limits=tuple(customer),
            badge_limits=tuple(badge),
            earned_expiry=self.earned_expiry.to_rule() if self.earned_expiry else None,
            issued_expiry=self.issued_expiry.to_rule() if self.issued_expiry else None,
        )

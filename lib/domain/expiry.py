"""When an enrolment (`issuedBadgeExpiry`) or an earned badge (`earnedBadgeExpiry`) expires.

Always computed from the *processing* time of the enrol/earn call, not its event date (reference
7.3: an earn processed 2026-01-19 12:23:16Z with RELATIVE 2 WEEKS expires 2026-02-02 12:23:16Z even
though its event date was 2025-12-02).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.domain.enums import AbsoluteExpiryKind, DurationUnit, ExpiryType
from lib.domain.timeutil import add_months, as_utc

NEVER_YEARS = 100
"""The server stores a NEVER expiry as processing time + 100 years."""


@dataclass(frozen=True, slots=True)
class ExpiryRule:
    """One expiry config.

    * RELATIVE: `unit` (DAYS/WEEKS/MONTHS) and `value` (>= 0);
    * ABSOLUTE: `kind` FIXED_DATE with `fixed_at`, or WITH_BADGE_META (the badge's own end);
    * NEVER: no extra fields.
    """

    type: ExpiryType
    unit: DurationUnit | None = None
    value: int | None = None
    fixed_at: datetime | None = None
    kind: AbsoluteExpiryKind | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ExpiryType(self.type))
        if self.unit is not None:
            object.__setattr__(self, "unit", DurationUnit(self.unit))
        if self.kind is not None:
            object.__setattr__(self, "kind", AbsoluteExpiryKind(self.kind))
        if self.fixed_at is not None:
            object.__setattr__(self, "fixed_at", as_utc(self.fixed_at, "fixed_at"))
        if self.type is ExpiryType.RELATIVE:
            if self.unit is None or self.value is None:
                raise ValueError("a RELATIVE expiry needs a unit and a value")
            if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
                raise ValueError(f"a RELATIVE expiry value must be a whole number >= 0, got {self.value!r}")
        elif self.type is ExpiryType.ABSOLUTE:
            if self.kind is None:
                raise ValueError("an ABSOLUTE expiry needs a kind (WITH_BADGE_META or FIXED_DATE)")
            if self.kind is AbsoluteExpiryKind.FIXED_DATE and self.fixed_at is None:
                raise ValueError("a FIXED_DATE expiry needs fixed_at (the API's expiresOn)")


def add_duration(start: datetime, unit: DurationUnit, value: int) -> datetime:
    """`start` + `value` units: days and weeks are exact, months are calendar months.

    Month-end clamping: 2024-01-31T08:00Z + 1 month = 2024-02-29T08:00Z (2025: 02-28);
    2024-03-31 + 1 month = 2024-04-30. The time of day never changes.
    """
    start = as_utc(start, "start")
    if unit is DurationUnit.DAYS:
        return start + timedelta(days=value)
    if unit is DurationUnit.WEEKS:
        return start + timedelta(weeks=value)
    return add_months(start, value)


def compute_expiry(rule: ExpiryRule, processed_at: datetime, badge_end: datetime | None) -> datetime:
    """The expiry instant of an enrolment/earn processed at `processed_at`.

    RELATIVE may run past the badge end (documented: enrolled 17 Sep with 2 weeks -> 1 Oct although
    the badge ends 30 Sep). WITH_BADGE_META needs `badge_end`. NEVER = processed_at + 100 years
    (Feb 29 clamps to Feb 28 when the target year is not a leap year).
    """
    processed_at = as_utc(processed_at, "processed_at")
    if rule.type is ExpiryType.RELATIVE:
        assert rule.unit is not None and rule.value is not None
        return add_duration(processed_at, rule.unit, rule.value)
    if rule.type is ExpiryType.ABSOLUTE:
        if rule.kind is AbsoluteExpiryKind.FIXED_DATE:
            assert rule.fixed_at is not None
            return rule.fixed_at
        if badge_end is None:
            raise ValueError("an expiry WITH_BADGE_META needs the badge end")
        return as_utc(badge_end, "badge_end")
    return add_months(processed_at, 12 * NEVER_YEARS)

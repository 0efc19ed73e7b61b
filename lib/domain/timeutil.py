"""UTC instants, whole UTC days and calendar-month arithmetic shared by every rule.

Every instant the domain accepts is an aware `datetime`; it is normalised to UTC here once, so the
display time zone of the console can never move a cycle or an expiry. Days are counted as integers
("day numbers": days since 1970-01-01 UTC) so that the hot paths never do datetime arithmetic.
"""

import calendar
from datetime import UTC, date, datetime, timedelta

SECONDS_PER_DAY = 86_400
ONE_DAY = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# 1970-01-01 was a Thursday: weekday index 3 (0 = Monday).
_EPOCH_WEEKDAY = 3


def as_utc(value: datetime, name: str = "instant") -> datetime:
    """Return `value` converted to UTC; naive datetimes are refused (their zone would be a guess)."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value.astimezone(UTC)


def day_number(value: datetime) -> int:
    """Days since 1970-01-01 of the UTC day containing `value`."""
    return as_utc(value).date().toordinal() - _EPOCH_ORDINAL


def day_start(day: int) -> datetime:
    """00:00 UTC of a day number."""
    return EPOCH + timedelta(days=day)


def day_date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def date_day(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def weekday_of(day: int) -> int:
    """0 = Monday .. 6 = Sunday for a day number."""
    return (day + _EPOCH_WEEKDAY) % 7


def floor_day(value: datetime) -> datetime:
    """00:00 UTC of the day containing `value`."""
    return day_start(day_number(value))


def epoch_seconds(value: datetime) -> int:
    """Whole epoch seconds (floored), the simulator's unit of time."""
    return int(as_utc(value).timestamp() // 1)


def add_months_to_date(value: date, months: int) -> date:
    """Calendar-month arithmetic with month-end clamping: 2024-01-31 + 1 month = 2024-02-29."""
    month_index = value.year * 12 + (value.month - 1) + months
    year, month0 = divmod(month_index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return value.replace(year=year, month=month0 + 1, day=min(value.day, last))


def add_months(value: datetime, months: int) -> datetime:
    """`value` moved by whole calendar months (negative to go back), time of day kept, day clamped.

    Example: 2025-01-31 10:00Z + 1 month = 2025-02-28 10:00Z; 2025-03-31 - 1 month = 2025-02-28.
    """
    value = as_utc(value)
    moved = add_months_to_date(value.date(), months)
    return value.replace(year=moved.year, month=moved.month, day=moved.day)


def first_of_month_day(day: int) -> int:
    """Day number of the 1st of the month containing `day`."""
    d = day_date(day)
    return day - (d.day - 1)


def first_of_next_month_day(day: int) -> int:
    """Day number of the 1st of the month after the one containing `day`."""
    d = day_date(day)
    return day - (d.day - 1) + calendar.monthrange(d.year, d.month)[1]

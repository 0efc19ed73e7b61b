"""Earn limits ("constraints") and the decision whether one more earn is allowed.

An earn must pass every configured limit, customer-level and badge-level alike (reference 7.2).
Each limit counts past earns over a window on one time axis:

* fixed window: the cycle containing the new earn's EVENT time, `[start, end)` on event times
  (a retro earn lands in the cycle of its event date);
* rolling window: the last n units before the PROCESSING time, `(processed_at - n units,
  processed_at]` on processing times; weeks are 7 days, months are calendar months back with
  month-end clamping (processed 2025-03-31 10:00Z, 1 month -> window opens 2025-02-28 10:00Z);
* fixed value: every earn over the badge's life (LIFETIME);
* no limit: nothing to count.

The sandbox counts with SQL and the simulator in memory, from the same two steps: `count_window`
says what to count, `decide` turns the counts into an `EarnDecision`. `evaluate_earn` chains them
for earns held in memory.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from lib.domain.badge import BadgeRules
from lib.domain.cycles import Cycle, CycleLayout, FixedWindowRule
from lib.domain.enums import ConstraintLevel, CountAxis, DurationUnit
from lib.domain.timeutil import add_months, as_utc


def _level(value: ConstraintLevel | str) -> ConstraintLevel:
    return ConstraintLevel(value)


def _check_max(max_earn: int) -> None:
    if isinstance(max_earn, bool) or not isinstance(max_earn, int) or max_earn < 0:
        raise ValueError(f"max_earn must be a whole number >= 0, got {max_earn!r}")


@dataclass(frozen=True, slots=True)
class FixedWindowLimit:
    """At most `max_earn` earns per cycle (`*_FIXED_WINDOW`).

    `effective_from`/`effective_until` bound a config that covers only part of the badge, after a
    live change of its cycle shape (see `plan_fixed_window_change`); None = the badge's own bounds.
    """

    level: ConstraintLevel
    max_earn: int
    rule: FixedWindowRule
    effective_from: datetime | None = None
    effective_until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level))
        _check_max(self.max_earn)
        if self.effective_from is not None:
            object.__setattr__(self, "effective_from", as_utc(self.effective_from, "effective_from"))
        if self.effective_until is not None:
            object.__setattr__(self, "effective_until", as_utc(self.effective_until, "effective_until"))

    def layout(self, badge_start: datetime, badge_end: datetime | None) -> CycleLayout:
        return CycleLayout(
            self.rule,
            badge_start,
            badge_end,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
        )

    def describe(self) -> str:
        rule = self.rule
        if rule.unit is DurationUnit.DAYS:
            period = "day" if rule.refresh_rate == 1 else f"{rule.refresh_rate}-day cycle"
        elif rule.unit is DurationUnit.WEEKS:
            period = f"week (from {rule.week_start.title()})"
        else:
            period = "calendar month"
        return f"{_who(self.level)} {self.max_earn} per {period}"


@dataclass(frozen=True, slots=True)
class RollingWindowLimit:
    """At most `max_earn` earns in the last `span` `unit`s before the earn is processed."""

    level: ConstraintLevel
    max_earn: int
    unit: DurationUnit
    span: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level))
        object.__setattr__(self, "unit", DurationUnit(self.unit))
        _check_max(self.max_earn)
        if isinstance(self.span, bool) or not isinstance(self.span, int) or self.span < 1:
            raise ValueError(f"span must be a whole number >= 1, got {self.span!r}")

    def window_start(self, processed_at: datetime) -> datetime:
        """The exclusive start of the look-back window ending at `processed_at` (inclusive)."""
        processed_at = as_utc(processed_at, "processed_at")
        if self.unit is DurationUnit.DAYS:
            return processed_at - timedelta(days=self.span)
        if self.unit is DurationUnit.WEEKS:
            return processed_at - timedelta(weeks=self.span)
        return add_months(processed_at, -self.span)

    def describe(self) -> str:
        unit = self.unit.lower().rstrip("s")
        span = f"{self.span} {unit}s" if self.span != 1 else unit
        return f"{_who(self.level)} {self.max_earn} in any rolling {span}"


@dataclass(frozen=True, slots=True)
class FixedValueLimit:
    """At most `max_earn` earns over the badge's whole life (`*_FIXED_VALUE`, "overall")."""

    level: ConstraintLevel
    max_earn: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level))
        _check_max(self.max_earn)

    def describe(self) -> str:
        return f"{_who(self.level)} {self.max_earn} in total"


@dataclass(frozen=True, slots=True)
class NoLimit:
    """Explicitly unlimited (`*_NO_LIMIT`)."""

    level: ConstraintLevel

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level))

    def describe(self) -> str:
        return f"{_who(self.level)} unlimited"


Limit = FixedWindowLimit | RollingWindowLimit | FixedValueLimit | NoLimit


def _who(level: ConstraintLevel) -> str:
    return "Each customer:" if level is ConstraintLevel.CUSTOMER else "All customers:"


def customer_rolling_limits(
    *,
    max_for_days: int | None = None,
    roll_for_days: int | None = None,
    max_for_weeks: int | None = None,
    roll_for_weeks: int | None = None,
    max_for_months: int | None = None,
    roll_for_months: int | None = None,
) -> tuple[RollingWindowLimit, ...]:
    """Split one `CUSTOMER_BADGE_ROLLING_WINDOW` object into up to three limits.

    `{"maxEarnForDays": 1, "rollForDays": 1, "maxEarnForWeeks": 2, "rollForWeeks": 1}` means at
    most 1 earn in any day AND at most 2 in any week. A pair with either half missing is skipped.
    """
    pairs = (
        (DurationUnit.DAYS, max_for_days, roll_for_days),
        (DurationUnit.WEEKS, max_for_weeks, roll_for_weeks),
        (DurationUnit.MONTHS, max_for_months, roll_for_months),
    )
    return tuple(
        RollingWindowLimit(ConstraintLevel.CUSTOMER, max_earn, unit, span)
        for unit, max_earn, span in pairs
        if max_earn is not None and span is not None
    )


@dataclass(frozen=True, slots=True)
class Earn:
    """One earn (or attempt): who, when it happened (event) and when the server processed it."""

    customer_id: int | str
    event_time: datetime
    processed_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "event_time", as_utc(self.event_time, "event_time"))
        object.__setattr__(self, "processed_at", as_utc(self.processed_at, "processed_at"))


@dataclass(frozen=True, slots=True)
class CountWindow:
    """Which past earns count against a limit.

    Bounds depend on the axis (so a SQL query can be written from this object alone):
    EVENT: `start <= event_time < end`; PROCESSING: `start < processed_at <= end`;
    LIFETIME: every earn (`start` and `end` are None).
    `cycle` is set for fixed windows, for display.
    """

    start: datetime | None
    end: datetime | None
    axis: CountAxis
    cycle: Cycle | None = None

    def contains(self, earn: Earn) -> bool:
        if self.axis is CountAxis.LIFETIME:
            return True
        assert self.start is not None and self.end is not None
        if self.axis is CountAxis.EVENT:
            return self.start <= earn.event_time < self.end
        return self.start < earn.processed_at <= self.end


def count_window(
    limit: Limit,
    *,
    event_time: datetime,
    processed_at: datetime,
    badge_start: datetime,
    badge_end: datetime | None,
) -> CountWindow | None:
    """The window of past earns to count for a new earn, or None when the limit does not apply.

    None for NoLimit, and for a fixed window whose config has no cycle at the event time (event
    outside the badge, or outside the config's effective span after a change).
    """
    if isinstance(limit, FixedWindowLimit):
        cycle = limit.layout(badge_start, badge_end).cycle_at(event_time)
        if cycle is None:
            return None
        return CountWindow(cycle.start, cycle.end, CountAxis.EVENT, cycle)
    if isinstance(limit, RollingWindowLimit):
        processed_at = as_utc(processed_at, "processed_at")
        return CountWindow(limit.window_start(processed_at), processed_at, CountAxis.PROCESSING)
    if isinstance(limit, FixedValueLimit):
        return CountWindow(None, None, CountAxis.LIFETIME)
    if isinstance(limit, NoLimit):
        return None
    raise TypeError(f"not a limit: {limit!r}")


class LimitCount(NamedTuple):
    """A limit with the number of earns already in its window (the new earn not included).

    `count=None` means the limit does not apply to this earn (see `count_window`).
    """

    limit: Limit
    count: int | None
    window: CountWindow | None = None


@dataclass(frozen=True, slots=True)
class LimitUsage:
    """How much of one limit is used in the window of the earn being decided."""

    limit: Limit
    used: int
    remaining: int | None
    """Earns still allowed before this one (None = no cap applies)."""
    window: CountWindow | None = None

    @property
    def blocks(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True, slots=True)
class EarnDecision:
    """Allowed, or blocked by the first exhausted limit (customer limits are listed first)."""

    allowed: bool
    blocked_by: Limit | None
    usage: tuple[LimitUsage, ...]

    @property
    def blocking(self) -> tuple[Limit, ...]:
        """Every exhausted limit, when several block at once."""
        return tuple(u.limit for u in self.usage if u.blocks)


def decide(limits_with_counts: Iterable[LimitCount | tuple]) -> EarnDecision:
    """Allow the earn if every applicable limit has room (`count < max_earn`).

    Accepts `LimitCount`s or plain `(limit, count)` / `(limit, count, window)` tuples.
    """
    usage: list[LimitUsage] = []
    blocked_by: Limit | None = None
    for item in limits_with_counts:
        limit, count, *rest = item
        window = rest[0] if rest else None
        if isinstance(limit, NoLimit) or count is None:
            usage.append(LimitUsage(limit, count or 0, None, window))
            continue
        remaining = max(0, limit.max_earn - count)
        usage.append(LimitUsage(limit, count, remaining, window))
        if remaining == 0 and blocked_by is None:
            blocked_by = limit
    return EarnDecision(blocked_by is None, blocked_by, tuple(usage))


def evaluate_earn(
    rules: BadgeRules,
    *,
    customer_history: Sequence[Earn],
    badge_history: Sequence[Earn],
    attempt: Earn,
) -> EarnDecision:
    """Decide one earn against earns held in memory (this customer's, and the whole badge's).

    Only limits are checked here; whether the badge is live and the event date inside the badge
    (815/816) is the caller's concern. `simulate` makes the same decisions incrementally.
    """
    items: list[LimitCount] = []
    for limits, history in ((rules.customer_limits, customer_history), (rules.badge_limits, badge_history)):
        for limit in limits:
            window = count_window(
                limit,
                event_time=attempt.event_time,
                processed_at=attempt.processed_at,
                badge_start=rules.start,
                badge_end=rules.end,
            )
            count = None if window is None else sum(1 for earn in history if window.contains(earn))
            items.append(LimitCount(limit, count, window))
    return decide(items)

"""What-if simulation of earn attempts against a badge's limits.

The console's what-if panel replays a pattern of attempts (M customers, N attempts a day) to show
how many earns each limit lets through per cycle; the sandbox uses the same engine to check
itself. Decisions are exactly those of `evaluate_earn` (same windows, same order of limits), but
the counting is incremental so that a year of attempts runs in about a second or less: times are
turned into integer epoch seconds and day numbers once, each fixed-window limit gets a
day -> cycle table, rolling windows keep sorted processing times per counter and bisect them.

Attempts are decided in processing order (stable for ties); outcomes are returned in input order.
Times are compared at whole-second precision (floored epoch seconds), the precision the sandbox
stores; `evaluate_earn` compares exact datetimes, so the two can differ only within a second.
An attempt whose event time is outside the badge period `[start, end]` is rejected as
OUTSIDE_BADGE_PERIOD and counts against nothing.
"""

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from math import floor
from typing import NamedTuple

from lib.domain.badge import BadgeRules
from lib.domain.cycles import Cycle
from lib.domain.enums import ConstraintLevel, DurationUnit
from lib.domain.limits import Earn, FixedValueLimit, FixedWindowLimit, Limit, NoLimit, RollingWindowLimit
from lib.domain.timeutil import (
    SECONDS_PER_DAY,
    add_months_to_date,
    as_utc,
    date_day,
    day_date,
    day_number,
    day_start,
)


class Verdict(StrEnum):
    ALLOWED = "ALLOWED"
    BLOCKED_BY_LIMIT = "BLOCKED_BY_LIMIT"
    OUTSIDE_BADGE_PERIOD = "OUTSIDE_BADGE_PERIOD"


class AttemptOutcome(NamedTuple):
    attempt: Earn
    verdict: Verdict
    blocked_by: Limit | None

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOWED


@dataclass(frozen=True, slots=True)
class CycleCount:
    """Attempts in one cycle of a fixed-window limit (by event date).

    `earned`: allowed earns; `blocked`: attempts this limit refused (the first exhausted limit is
    the one blamed, customer limits first).
    """

    cycle: Cycle
    earned: int
    blocked: int


@dataclass(frozen=True, slots=True)
class DayCount:
    """Attempts per UTC event day inside the badge period: allowed earns and refused attempts."""

    day: date
    earned: int
    blocked: int


@dataclass(frozen=True, slots=True)
class LimitCycleCounts:
    limit: FixedWindowLimit
    cycles: tuple[CycleCount, ...]


@dataclass(frozen=True, slots=True)
class SimulationResult:
    outcomes: tuple[AttemptOutcome, ...]
    """One per attempt, in input order."""
    allowed: int
    blocked: int
    outside_period: int
    blocked_by: tuple[tuple[Limit, int], ...]
    """Attempts refused by each limit, in `rules.limits` order (zero counts included)."""
    cycle_counts: tuple[LimitCycleCounts, ...]
    """Per fixed-window limit: every cycle from the first one to the badge end (or, for an
    open-ended badge, to the last attempted cycle)."""
    per_day: tuple[DayCount, ...] = ()
    """Every event day that has attempts inside the badge period, in order."""


_FIXED, _ROLLING, _VALUE = 0, 1, 2
_FixedTable = tuple[
    FixedWindowLimit, object, dict[int, int], dict[int, int]
]  # limit, layout, earned, blocked
_ALLOWED, _OUTSIDE = -1, -2


def _floor_seconds(value: datetime) -> int:
    return floor(value.timestamp())


class _MonthsBack:
    """Start of a rolling window of n calendar months ending at a processing time, in seconds.

    Cached per processing day: the time of day is kept, only the date moves (with clamping).
    """

    __slots__ = ("months", "cache")

    def __init__(self, months: int) -> None:
        self.months = months
        self.cache: dict[int, int] = {}

    def start(self, processed: int) -> int:
        day = processed // SECONDS_PER_DAY
        back = self.cache.get(day)
        if back is None:
            back = date_day(add_months_to_date(day_date(day), -self.months))
            self.cache[day] = back
        return back * SECONDS_PER_DAY + processed % SECONDS_PER_DAY


def allowed_attempts(
    rules: BadgeRules, customers: Sequence[int | str], events: Sequence[int], processed: Sequence[int]
) -> list[bool]:
    """Which attempts `simulate` allows, for attempts given as whole epoch seconds (event, processing).

    The same decisions as `simulate` without an `Earn` and an outcome object per attempt: the
    sandbox's demo history decides a year of attempts with it.
    """
    return [verdict == _ALLOWED for verdict in _decide(rules, customers, events, processed)[0]]


def _decide(
    rules: BadgeRules, customers: Sequence[int | str], events: Sequence[int], processed: Sequence[int]
) -> tuple[list[int], list[int], list[Limit], list[_FixedTable]]:
    """Every attempt's verdict (`_ALLOWED`, `_OUTSIDE` or the index of the refusing limit), in input order."""
    n = len(events)
    order = sorted(range(n), key=processed.__getitem__)
    start_s = _floor_seconds(rules.start)
    end_s = _floor_seconds(rules.end) if rules.end is not None else None
    max_event_day = max((e // SECONDS_PER_DAY for e in events), default=day_number(rules.start))

    limits = [limit for limit in rules.limits if not isinstance(limit, NoLimit)]
    checkers: list[tuple] = []
    fixed_tables: list[_FixedTable] = []
    for limit in limits:
        per_customer = limit.level is ConstraintLevel.CUSTOMER
        if isinstance(limit, FixedWindowLimit):
            layout = limit.layout(rules.start, rules.end)
            first = layout.first_day
            stop = max_event_day + 1 if layout.end_day is None else layout.end_day
            table = [-1] * max(0, stop - first)
            for s, e in layout.iter_days(until_day=stop):
                for d in range(s - first, min(e, stop) - first):
                    table[d] = s
            earned: dict[int, int] = {}
            blocked: dict[int, int] = {}
            fixed_tables.append((limit, layout, earned, blocked))
            checkers.append((_FIXED, per_customer, limit.max_earn, (first, table, earned, blocked), {}))
        elif isinstance(limit, RollingWindowLimit):
            if limit.unit is DurationUnit.MONTHS:
                back: int | _MonthsBack = _MonthsBack(limit.span)
            else:
                back = limit.span * (7 if limit.unit is DurationUnit.WEEKS else 1) * SECONDS_PER_DAY
            checkers.append((_ROLLING, per_customer, limit.max_earn, back, {}))
        elif isinstance(limit, FixedValueLimit):
            checkers.append((_VALUE, per_customer, limit.max_earn, None, {}))
        else:
            raise TypeError(f"not a limit: {limit!r}")

    verdicts = [_ALLOWED] * n
    refused = [0] * len(checkers)
    keys: list = [None] * len(checkers)
    indexed = list(enumerate(checkers))
    for i in order:
        event = events[i]
        if event < start_s or (end_s is not None and event > end_s):
            verdicts[i] = _OUTSIDE
            continue
        customer = customers[i]
        proc = processed[i]
        blocker = -1
        for j, (kind, per_customer, max_earn, data, counters) in indexed:
            if kind == _FIXED:
                first, table, _, cycle_blocked = data
                offset = event // SECONDS_PER_DAY - first
                if offset < 0 or offset >= len(table) or table[offset] < 0:
                    keys[j] = None
                    continue
                key = (customer, table[offset]) if per_customer else table[offset]
                keys[j] = key
                if counters.get(key, 0) >= max_earn:
                    blocker = j
                    cycle_blocked[table[offset]] = cycle_blocked.get(table[offset], 0) + 1
                    break
            elif kind == _ROLLING:
                key = customer if per_customer else None
                keys[j] = key
                times = counters.get(key)
                if times is None:
                    times = counters[key] = []
                opens = proc - data if data.__class__ is int else data.start(proc)
                if len(times) - bisect_right(times, opens) >= max_earn:
                    blocker = j
                    break
            else:
                key = customer if per_customer else None
                keys[j] = key
                if counters.get(key, 0) >= max_earn:
                    blocker = j
                    break
        if blocker >= 0:
            verdicts[i] = blocker
            refused[blocker] += 1
            continue
        for j, (kind, _, _, data, counters) in indexed:
            key = keys[j]
            if kind == _ROLLING:
                counters[key].append(proc)
            elif kind == _FIXED:
                if key is None:
                    continue
                counters[key] = counters.get(key, 0) + 1
                cycle = key[1] if key.__class__ is tuple else key
                data[2][cycle] = data[2].get(cycle, 0) + 1
            else:
                counters[key] = counters.get(key, 0) + 1

    return verdicts, refused, limits, fixed_tables


def simulate(rules: BadgeRules, attempts: Sequence[Earn]) -> SimulationResult:
    """Decide every attempt in processing order and count the earns per limit, cycle and day.

    Example: one earn per customer per 5-day cycle from 2024-04-15, two customers attempting once
    a day for 15 days -> 6 allowed (one per customer per cycle), 24 blocked by that limit.
    """
    n = len(attempts)
    customers = [a.customer_id for a in attempts]
    events = [floor(a.event_time.timestamp()) for a in attempts]
    verdicts, refused, limits, fixed_tables = _decide(
        rules, customers, events, [floor(a.processed_at.timestamp()) for a in attempts]
    )

    outcomes = []
    allowed = outside = 0
    for attempt, verdict in zip(attempts, verdicts, strict=True):
        if verdict == _ALLOWED:
            allowed += 1
            outcomes.append(AttemptOutcome(attempt, Verdict.ALLOWED, None))
        elif verdict == _OUTSIDE:
            outside += 1
            outcomes.append(AttemptOutcome(attempt, Verdict.OUTSIDE_BADGE_PERIOD, None))
        else:
            outcomes.append(AttemptOutcome(attempt, Verdict.BLOCKED_BY_LIMIT, limits[verdict]))

    earned_days: Counter[int] = Counter()
    blocked_days: Counter[int] = Counter()
    for event, verdict in zip(events, verdicts, strict=True):
        if verdict == _ALLOWED:
            earned_days[event // SECONDS_PER_DAY] += 1
        elif verdict != _OUTSIDE:
            blocked_days[event // SECONDS_PER_DAY] += 1
    per_day = tuple(
        DayCount(day_date(day), earned_days[day], blocked_days[day])
        for day in sorted(earned_days | blocked_days)
    )

    cycle_counts = []
    for limit, layout, earned, blocked in fixed_tables:
        until = layout.end_day
        if until is None:
            touched = list(earned) + list(blocked)
            until = (max(touched) + 1) if touched else layout.first_day
        counts = tuple(
            CycleCount(Cycle(day_start(s), day_start(e)), earned.get(s, 0), blocked.get(s, 0))
            for s, e in layout.iter_days(until_day=until)
        )
        cycle_counts.append(LimitCycleCounts(limit, counts))

    blocked_total = n - allowed - outside
    refused_by = iter(refused)
    blocked_by = tuple(
        (limit, 0 if isinstance(limit, NoLimit) else next(refused_by)) for limit in rules.limits
    )
    return SimulationResult(
        outcomes=tuple(outcomes),
        allowed=allowed,
        blocked=blocked_total,
        outside_period=outside,
        blocked_by=blocked_by,
        cycle_counts=tuple(cycle_counts),
        per_day=per_day,
    )


def earn_pattern(
    *,
    customers: int,
    per_day: int,
    start: datetime,
    end: datetime,
    processing_delay: timedelta = timedelta(0),
    first_customer_id: int = 1,
) -> list[Earn]:
    """A deterministic stream of attempts: each of `customers` customers tries `per_day` times a day.

    Attempts are spread evenly over each UTC day, customers interleaved, from `start` to `end`
    (both inclusive); each is processed `processing_delay` after its event (a positive delay
    models retro processing). Customer ids are `first_customer_id`, `first_customer_id + 1`, ...
    Example: customers=2, per_day=2 on one day gives events at 00:00 (c1), 06:00 (c2), 12:00 (c1),
    18:00 (c2).
    """
    if customers < 1 or per_day < 1:
        raise ValueError("customers and per_day must be at least 1")
    start = as_utc(start, "start")
    end = as_utc(end, "end")
    slots = customers * per_day
    offsets = [(k * SECONDS_PER_DAY) // slots for k in range(slots)]
    ids = [first_customer_id + k % customers for k in range(slots)]
    out: list[Earn] = []
    lo = _floor_seconds(start)
    hi = _floor_seconds(end)
    for day in range(day_number(start), day_number(end) + 1):
        base = day_start(day)
        base_s = day * SECONDS_PER_DAY
        for offset, customer in zip(offsets, ids, strict=True):
            if lo <= base_s + offset <= hi:
                event = base + timedelta(seconds=offset)
                out.append(Earn(customer, event, event + processing_delay))
    return out

"""Fixed-window cycles: how Capillary cuts a badge's life into limit periods.

Layout (reference 7.2.3), all in UTC whole days:

* the first cycle starts at 00:00 UTC of the badge's start day, even when the badge starts later
  that day (badge start 2024-04-15 10:33Z -> first cycle starts 2024-04-15 00:00Z);
* DAYS: blocks of `refresh_rate` days counted from that day
  (refreshRate 3 from 2025-03-03: 03-03..03-05, 03-06..03-08, 03-09..03-11, ...);
* WEEKS: a new cycle starts on every `week_start` day; a badge that starts on another weekday gets
  a short first cycle up to the day before the next `week_start`
  (Monday weeks, badge from Wednesday 2023-09-27: 09-27..10-01, 10-02..10-08, ...);
* MONTHS: calendar months; a mid-month start gives a first cycle up to the month end
  (badge from 2024-05-15: 05-15..05-31, 06-01..06-30, ...);
* the last cycle is cut at the badge end and always covers the day containing the end instant
  (weekly from Monday, badge 2023-09-25 .. 2023-10-30: 25 Sep-1 Oct, 2-8 Oct, 9-15 Oct, 16-22 Oct,
  23-29 Oct, 30 Oct-30 Oct);
* a badge without an end (enrolments that never expire) has cycles for ever; ask for them with
  `iter_cycles` or bound the list with `until`.

Bounds: a `Cycle` is half-open, `start <= t < end`, both at 00:00 UTC. The API reports the
inclusive form, `endDate` = 00:00 of the last day; that is `Cycle.last_day`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.domain.enums import DurationUnit, Weekday
from lib.domain.timeutil import (
    ONE_DAY,
    SECONDS_PER_DAY,
    as_utc,
    day_number,
    day_start,
    first_of_month_day,
    first_of_next_month_day,
    weekday_of,
)


@dataclass(frozen=True, slots=True)
class FixedWindowRule:
    """The shape of a fixed-window config: `durationType`, `refreshRate`, `startDayOfTheWeek`.

    `refresh_rate` only matters for DAYS and `week_start` only for WEEKS; both are kept so that a
    rule read from the API round-trips unchanged.
    """

    unit: DurationUnit
    refresh_rate: int = 1
    week_start: Weekday = Weekday.MONDAY

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", DurationUnit(self.unit))
        object.__setattr__(self, "week_start", Weekday.from_api(self.week_start))
        if isinstance(self.refresh_rate, bool) or not isinstance(self.refresh_rate, int):
            raise TypeError(f"refresh_rate must be an int, got {self.refresh_rate!r}")
        if self.refresh_rate < 1:
            raise ValueError(f"refresh_rate must be at least 1, got {self.refresh_rate}")


@dataclass(frozen=True, slots=True, order=True)
class Cycle:
    """One fixed-window cycle, half-open: `start <= t < end`, both 00:00 UTC.

    Example: the API's cycle "2024-04-15 .. 2024-04-19" (endDate 2024-04-19T00:00Z) is
    `Cycle(2024-04-15T00:00Z, 2024-04-20T00:00Z)` with `last_day` 2024-04-19T00:00Z.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Cycle bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"Cycle end {self.end} must be after its start {self.start}")

    @property
    def last_day(self) -> datetime:
        """00:00 UTC of the cycle's last day: the API's inclusive `endDate`."""
        return self.end - ONE_DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, t: datetime) -> bool:
        return self.start <= as_utc(t, "t") < self.end


class CycleLayout:
    """The cycles of one fixed-window config on one badge, queried without listing them all.

    `effective_from` / `effective_until` bound a config that does not span the whole badge: after
    a live change of durationType/refreshRate/startDayOfTheWeek the new config is laid out from its
    own first day (`effective_from`), and the old one stops at that day (`effective_until`,
    exclusive). Both are rounded to whole UTC days (`effective_until` upwards).
    """

    __slots__ = ("rule", "first_day", "end_day", "_unit", "_k", "_ws")

    def __init__(
        self,
        rule: FixedWindowRule,
        badge_start: datetime,
        badge_end: datetime | None = None,
        *,
        effective_from: datetime | None = None,
        effective_until: datetime | None = None,
    ) -> None:
        self.rule = rule
        first = day_number(as_utc(badge_start, "badge_start"))
        if effective_from is not None:
            first = max(first, day_number(as_utc(effective_from, "effective_from")))
        end: int | None = None
        if badge_end is not None:
            end = day_number(as_utc(badge_end, "badge_end")) + 1
        if effective_until is not None:
            until = as_utc(effective_until, "effective_until")
            until_day = day_number(until) + (1 if until.timestamp() % SECONDS_PER_DAY else 0)
            end = until_day if end is None else min(end, until_day)
        if end is not None:
            end = max(end, first)
        self.first_day: int = first
        """Day number of the first cycle's start."""
        self.end_day: int | None = end
        """Day number where the last cycle ends (exclusive), None for an open-ended badge."""
        self._unit = rule.unit
        self._k = rule.refresh_rate
        self._ws = rule.week_start.index

    # -- day-number core (no datetime arithmetic; used by the simulator) --------------------------

    def start_day_of(self, day: int) -> int | None:
        """Start day of the cycle containing `day`, or None outside the layout."""
        first = self.first_day
        if day < first or (self.end_day is not None and day >= self.end_day):
            return None
        unit = self._unit
        if unit is DurationUnit.DAYS:
            return first + (day - first) // self._k * self._k
        if unit is DurationUnit.WEEKS:
            return max(first, day - (weekday_of(day) - self._ws) % 7)
        return max(first, first_of_month_day(day))

    def next_start_day(self, start: int) -> int:
        """Start of the cycle after the one starting on `start`, before cutting at the end."""
        unit = self._unit
        if unit is DurationUnit.DAYS:
            return start + self._k
        if unit is DurationUnit.WEEKS:
            return start + 7 - (weekday_of(start) - self._ws) % 7
        return first_of_next_month_day(start)

    def end_day_of(self, start: int) -> int:
        nxt = self.next_start_day(start)
        return nxt if self.end_day is None else min(nxt, self.end_day)

    def iter_days(self, until_day: int | None = None) -> Iterator[tuple[int, int]]:
        """(start, end) day numbers of each cycle, stopping before a cycle starting at `until_day`."""
        start = self.first_day
        stop = self.end_day
        if until_day is not None:
            stop = until_day if stop is None else min(stop, until_day)
        end_day = self.end_day
        while stop is None or start < stop:
            nxt = self.next_start_day(start)
            if end_day is not None and nxt > end_day:
                nxt = end_day
            yield start, nxt
            start = nxt

    def boundary_days(self) -> list[int]:
        """Every cycle start day plus the final end day (bounded layouts only), for bisecting."""
        if self.end_day is None:
            raise ValueError("an open-ended layout has no last boundary; pass badge_end or use until")
        days = [start for start, _ in self.iter_days()]
        days.append(self.end_day)
        return days

    # -- datetime queries -------------------------------------------------------------------------

    def cycles(self, *, until: datetime | None = None) -> list[Cycle]:
        """All cycles, or those starting before `until` (required when the badge has no end)."""
        until_day = None
        if until is not None:
            u = as_utc(until, "until")
            until_day = day_number(u) + (1 if u.timestamp() % SECONDS_PER_DAY else 0)
        elif self.end_day is None:
            raise ValueError("the badge has no end: pass until=... or use iter_cycles()")
        return _cycles_from_days(list(self.iter_days(until_day)))

    def iter_cycles(self) -> Iterator[Cycle]:
        for s, e in self.iter_days():
            yield Cycle(day_start(s), day_start(e))

    def cycle_at(self, t: datetime) -> Cycle | None:
        """The cycle with `start <= t < end`, or None when `t` is outside every cycle."""
        day = day_number(as_utc(t, "t"))
        start = self.start_day_of(day)
        if start is None:
            return None
        return Cycle(day_start(start), day_start(self.end_day_of(start)))

    def between(self, a: datetime, b: datetime, *, inc: bool = False) -> list[Cycle]:
        """Cycles overlapping the span from `a` to `b`.

        `inc=False`: the span is half-open `[a, b)`, so a cycle starting exactly at `b` is left out.
        `inc=True`: the span is closed `[a, b]`, so that cycle is included.
        Example (refreshRate 3 from 2025-03-03): between(03-04 12:00, 03-09 00:00) gives
        03-03..03-05 and 03-06..03-08; with inc=True also 03-09..03-11.
        """
        a = as_utc(a, "a")
        b = as_utc(b, "b")
        if b < a or (b == a and not inc):
            return []
        first_day = max(self.first_day, day_number(a))
        last_day = day_number(b)
        if not inc and b == day_start(last_day):
            last_day -= 1
        if self.end_day is not None:
            last_day = min(last_day, self.end_day - 1)
        if last_day < first_day:
            return []
        start = self.start_day_of(first_day)
        out: list[Cycle] = []
        while start is not None and start <= last_day:
            end = self.end_day_of(start)
            out.append(Cycle(day_start(start), day_start(end)))
            start = end if self.end_day is None or end < self.end_day else None
        return out

    def next_boundary(self, t: datetime, *, inc: bool = False) -> datetime | None:
        """The first cycle start after `t` (`inc=True`: at or after `t`); None once no cycle follows.

        Before the first cycle this is the first cycle's start. Inside the last cycle of a bounded
        badge there is no further boundary where the count resets, so None.
        """
        t = as_utc(t, "t")
        day = day_number(t)
        if day < self.first_day:
            return day_start(self.first_day)
        if inc and t == day_start(day) and self.start_day_of(day) == day:
            return t
        start = self.start_day_of(day)
        if start is None:
            return None
        end = self.end_day_of(start)
        if self.end_day is not None and end >= self.end_day:
            return None
        return day_start(end)


def _cycles_from_days(spans: list[tuple[int, int]]) -> list[Cycle]:
    """Cycles for (start, end) day numbers; the bounds are known-good, so validation is skipped."""
    if not spans:
        return []
    first = spans[0][0]
    base = day_start(first)
    instants = [base + timedelta(days=d - first) for d in [s for s, _ in spans] + [spans[-1][1]]]
    new, set_ = object.__new__, object.__setattr__
    out = []
    for i in range(len(spans)):
        cycle = new(Cycle)
        set_(cycle, "start", instants[i])
        set_(cycle, "end", instants[i + 1])
        out.append(cycle)
    return out


def cycles(
    rule: FixedWindowRule,
    badge_start: datetime,
    badge_end: datetime | None = None,
    *,
    until: datetime | None = None,
) -> list[Cycle]:
    """Every cycle of the badge in time order; `until` is required when `badge_end` is None.

    With `until`, cycles that start before `until` are returned (the last one keeps its full
    length). Example: WEEKS from MONDAY, badge 2023-09-25 .. 2023-10-30 gives six cycles, the last
    one 2023-10-30..2023-10-30 (one day).
    """
    return CycleLayout(rule, badge_start, badge_end).cycles(until=until)


def iter_cycles(
    rule: FixedWindowRule, badge_start: datetime, badge_end: datetime | None = None
) -> Iterator[Cycle]:
    """Lazy cycles; endless for a badge without an end."""
    return CycleLayout(rule, badge_start, badge_end).iter_cycles()


def cycle_at(
    rule: FixedWindowRule, badge_start: datetime, badge_end: datetime | None, t: datetime
) -> Cycle | None:
    """The cycle containing `t` (`start <= t < end`), or None before the first / after the last."""
    return CycleLayout(rule, badge_start, badge_end).cycle_at(t)


def cycles_between(
    rule: FixedWindowRule,
    badge_start: datetime,
    badge_end: datetime | None,
    a: datetime,
    b: datetime,
    *,
    inc: bool = False,
) -> list[Cycle]:
    """Cycles overlapping `[a, b)` (`inc=True`: `[a, b]`); see `CycleLayout.between`."""
    return CycleLayout(rule, badge_start, badge_end).between(a, b, inc=inc)


def next_boundary(
    rule: FixedWindowRule,
    badge_start: datetime,
    badge_end: datetime | None,
    t: datetime,
    *,
    inc: bool = False,
) -> datetime | None:
    """When the count next resets after `t` (`inc=True`: at or after); see `CycleLayout.next_boundary`."""
    return CycleLayout(rule, badge_start, badge_end).next_boundary(t, inc=inc)

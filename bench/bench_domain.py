"""Figures for the domain engine: cycle layout and earn simulation, each beside a peer baseline.

Run: python bench/bench_domain.py   (prints figures; nothing is asserted)

* Cycles: a 5-year badge with daily cycles (1,826 windows), laid out by `lib.domain.cycles`,
  beside dateutil's rrule (DAILY over the same span, paired into [start, end) windows), the
  reference recurrence engine. Target: <= 10 ms (median of several runs).
* Simulator: earn attempts per second through `simulate` with six limits of every kind, beside the
  plain approach of recounting the history for every attempt with `evaluate_earn` (same decisions,
  measured on a smaller sample because it is quadratic). Target: >= 100,000 attempts/s.
"""

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dateutil.rrule import DAILY, rrule

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.domain import (  # noqa: E402
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    Earn,
    FixedValueLimit,
    FixedWindowLimit,
    FixedWindowRule,
    RollingWindowLimit,
    Weekday,
    customer_rolling_limits,
    cycles,
    earn_pattern,
    evaluate_earn,
    simulate,
)

START = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
END = datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC)


def median_ms(fn, runs: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def rrule_windows():
    days = list(rrule(DAILY, dtstart=START.replace(hour=0, minute=0, second=0), until=END))
    days.append(days[-1] + timedelta(days=1))
    return list(zip(days, days[1:], strict=False))


def bench_cycles() -> None:
    print("== Fixed-window cycles, 5-year badge (2025-01-01 .. 2029-12-31) ==")
    rows = [
        ("lib.domain cycles, DAYS x1", lambda: cycles(FixedWindowRule(DurationUnit.DAYS), START, END)),
        ("peer: dateutil rrule DAILY", rrule_windows),
        ("lib.domain cycles, DAYS x3", lambda: cycles(FixedWindowRule(DurationUnit.DAYS, 3), START, END)),
        (
            "lib.domain cycles, WEEKS",
            lambda: cycles(FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.SUNDAY), START, END),
        ),
        ("lib.domain cycles, MONTHS", lambda: cycles(FixedWindowRule(DurationUnit.MONTHS), START, END)),
    ]
    for label, fn in rows:
        fn()  # warm up
        ms, result = median_ms(fn, runs=21)
        target = "" if label.startswith("peer") else "   (target <= 10 ms)"
        print(f"  {label:<30} {len(result):>6} windows   median {ms:7.2f} ms{target}")


def rules() -> BadgeRules:
    customer = ConstraintLevel.CUSTOMER
    badge = ConstraintLevel.BADGE
    return BadgeRules(
        START,
        END,
        customer_limits=(
            FixedWindowLimit(customer, 3, FixedWindowRule(DurationUnit.WEEKS)),
            *customer_rolling_limits(max_for_days=1, roll_for_days=1, max_for_months=8, roll_for_months=1),
        ),
        badge_limits=(
            RollingWindowLimit(badge, 700, DurationUnit.DAYS, 1),
            FixedWindowLimit(badge, 1_800, FixedWindowRule(DurationUnit.DAYS, refresh_rate=3)),
            FixedValueLimit(badge, 60_000),
        ),
    )


def naive_replay(badge: BadgeRules, attempts: list[Earn]) -> int:
    """Recount the whole history for every attempt: the obvious implementation."""
    history: list[Earn] = []
    by_customer: dict[object, list[Earn]] = {}
    for attempt in attempts:
        mine = by_customer.setdefault(attempt.customer_id, [])
        decision = evaluate_earn(badge, customer_history=mine, badge_history=history, attempt=attempt)
        if decision.allowed:
            history.append(attempt)
            mine.append(attempt)
    return len(history)


def bench_simulator() -> None:
    print(
        "== Earn simulation (6 limits: customer weekly/rolling day/rolling month, badge rolling/3-day/total) =="
    )
    badge = rules()
    t0 = time.perf_counter()
    attempts = earn_pattern(customers=1_000, per_day=1, start=START, end=START + timedelta(days=100))
    print(f"  earn_pattern: {len(attempts):,} attempts built in {(time.perf_counter() - t0) * 1000:.0f} ms")
    simulate(badge, attempts[:1000])
    ms, result = median_ms(lambda: simulate(badge, attempts), runs=5)
    rate = len(attempts) / (ms / 1000)
    print(
        f"  lib.domain simulate        {len(attempts):>7,} attempts   median {ms:7.1f} ms   "
        f"{rate:>10,.0f} attempts/s   (target >= 100,000/s; allowed {result.allowed:,})"
    )
    sample = attempts[:3_000]
    t0 = time.perf_counter()
    allowed = naive_replay(badge, sample)
    naive_s = time.perf_counter() - t0
    fast = simulate(badge, sample)
    print(
        f"  peer: recount per attempt  {len(sample):>7,} attempts   total  {naive_s * 1000:7.1f} ms   "
        f"{len(sample) / naive_s:>10,.0f} attempts/s   (allowed {allowed:,}; simulate agrees: {fast.allowed == allowed})"
    )
    print(f"  speed-up on equal work: simulate is {rate / (len(sample) / naive_s):,.0f}x the recount rate")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}")
    bench_cycles()
    bench_simulator()

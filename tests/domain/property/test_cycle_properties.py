"""Properties of fixed-window cycles: a partition of the badge's UTC days, whatever the rule."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import (
    CycleLayout,
    DurationUnit,
    cycle_at,
    cycles,
    cycles_between,
    iter_cycles,
    next_boundary,
)
from lib.domain.timeutil import floor_day
from tests.domain.property.strategies import ZONES, badge_periods, rules

ONE_DAY = timedelta(days=1)
FEW = settings(max_examples=150, deadline=None)


@FEW
@given(rule=rules, period=badge_periods())
def test_cycles_partition_the_badge_days(rule, period):
    start, end = period
    got = cycles(rule, start, end)
    assert got[0].start == floor_day(start)
    assert got[-1].end == floor_day(end) + ONE_DAY
    for before, after in zip(got, got[1:], strict=False):
        assert before.end == after.start  # contiguous, hence sorted and non-overlapping
    for cycle in got:
        assert cycle.start < cycle.end
        assert cycle.start.hour == cycle.start.minute == cycle.start.second == cycle.start.microsecond == 0
        assert cycle.last_day == cycle.end - ONE_DAY
    for cycle in got[1:]:
        if rule.unit is DurationUnit.DAYS:
            assert (cycle.start - got[0].start).days % rule.refresh_rate == 0
        elif rule.unit is DurationUnit.WEEKS:
            assert cycle.start.weekday() == rule.week_start.index
        else:
            assert cycle.start.day == 1
    longest = {DurationUnit.DAYS: rule.refresh_rate, DurationUnit.WEEKS: 7, DurationUnit.MONTHS: 31}[
        rule.unit
    ]
    assert all(cycle.days <= longest for cycle in got)


@FEW
@given(rule=rules, period=badge_periods(), fraction=st.floats(min_value=0, max_value=1))
def test_every_instant_is_in_exactly_one_cycle(rule, period, fraction):
    start, end = period
    first = floor_day(start)
    t = first + (end - first) * fraction
    got = cycles(rule, start, end)
    holders = [cycle for cycle in got if cycle.contains(t)]
    assert len(holders) == 1
    found = cycle_at(rule, start, end, t)
    assert found == holders[0]
    assert found.start <= t < found.end


@FEW
@given(
    rule=rules,
    period=badge_periods(max_days=200),
    a_days=st.floats(-30, 230),
    span_days=st.floats(0, 120),
    inc=st.booleans(),
)
def test_between_is_the_overlapping_cycles(rule, period, a_days, span_days, inc):
    start, end = period
    a = floor_day(start) + timedelta(days=a_days)
    b = a + timedelta(days=span_days)
    every = cycles(rule, start, end)
    if inc:
        expected = [c for c in every if c.start <= b and c.end > a]
    elif a == b:
        expected = []  # the half-open span [a, a) is empty
    else:
        expected = [c for c in every if c.start < b and c.end > a]
    assert cycles_between(rule, start, end, a, b, inc=inc) == expected


@FEW
@given(rule=rules, period=badge_periods(max_days=200), t_days=st.floats(-30, 230), inc=st.booleans())
def test_next_boundary_is_the_next_cycle_start(rule, period, t_days, inc):
    start, end = period
    t = floor_day(start) + timedelta(days=t_days)
    if inc and t_days == int(t_days):
        t = floor_day(t)
    starts = [c.start for c in cycles(rule, start, end)]
    later = [s for s in starts if (s >= t if inc else s > t)]
    assert next_boundary(rule, start, end, t, inc=inc) == (later[0] if later else None)


@FEW
@given(rule=rules, period=badge_periods(max_days=400))
def test_open_ended_layout_extends_the_bounded_one(rule, period):
    start, end = period
    bounded = cycles(rule, start, end)
    endless = iter_cycles(rule, start)
    unbounded = [next(endless) for _ in bounded]
    assert unbounded[:-1] == bounded[:-1]
    assert unbounded[-1].start == bounded[-1].start and unbounded[-1].end >= bounded[-1].end
    assert cycles(rule, start, until=end) == unbounded[: len(cycles(rule, start, until=end))]


@FEW
@given(rule=rules, period=badge_periods(max_days=400), zone=st.sampled_from(ZONES))
def test_display_zone_never_moves_cycles(rule, period, zone):
    start, end = period
    tz = ZoneInfo(zone)
    assert cycles(rule, start.astimezone(tz), end.astimezone(tz)) == cycles(rule, start, end)


@FEW
@given(rule=rules, period=badge_periods(max_days=400))
def test_day_number_tables_match_the_cycles(rule, period):
    start, end = period
    layout = CycleLayout(rule, start, end)
    boundaries = layout.boundary_days()
    assert [c.start for c in layout.cycles()] == [
        floor_day(start) + timedelta(days=d - boundaries[0]) for d in boundaries[:-1]
    ]

"""The simulator never lets a limit be exceeded, and decides exactly as `evaluate_earn` does.

The allowed earns are recounted here independently of the engine's windows: per cycle (listed
with `cycles`), per rolling look-back computed with calendar arithmetic, and in total.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    Earn,
    FixedValueLimit,
    FixedWindowLimit,
    NoLimit,
    RollingWindowLimit,
    Verdict,
    add_months,
    cycles,
    simulate,
)
from tests.domain.property.strategies import rules as window_rules
from tests.domain.test_simulator import replay

BASE = datetime(2024, 1, 20, tzinfo=UTC)
FEW = settings(max_examples=60, deadline=None)


def limits_for(level: ConstraintLevel):
    return st.one_of(
        st.builds(FixedWindowLimit, level=st.just(level), max_earn=st.integers(0, 3), rule=window_rules),
        st.builds(
            RollingWindowLimit,
            level=st.just(level),
            max_earn=st.integers(0, 4),
            unit=st.sampled_from(list(DurationUnit)),
            span=st.integers(1, 3),
        ),
        st.builds(FixedValueLimit, level=st.just(level), max_earn=st.integers(0, 12)),
        st.builds(NoLimit, level=st.just(level)),
    )


@st.composite
def scenarios(draw):
    start = BASE + timedelta(seconds=draw(st.integers(0, 40 * 86_400)))
    end = start + timedelta(seconds=draw(st.integers(86_400, 120 * 86_400)))
    rules = BadgeRules(
        start,
        end,
        customer_limits=tuple(draw(st.lists(limits_for(ConstraintLevel.CUSTOMER), max_size=3))),
        badge_limits=tuple(draw(st.lists(limits_for(ConstraintLevel.BADGE), max_size=3))),
    )
    attempts = []
    for _ in range(draw(st.integers(0, 60))):
        event = start + timedelta(seconds=draw(st.integers(-2 * 86_400, 125 * 86_400)))
        delay = timedelta(seconds=draw(st.sampled_from([0, 0, 1, 3_600, 86_400, 5 * 86_400 + 7])))
        attempts.append(Earn(draw(st.integers(1, 3)), event, event + delay))
    return rules, attempts


def rolling_opens(limit: RollingWindowLimit, processed: datetime) -> datetime:
    if limit.unit is DurationUnit.MONTHS:
        return add_months(processed, -limit.span)
    return processed - timedelta(days=limit.span * (7 if limit.unit is DurationUnit.WEEKS else 1))


def assert_within_limits(rules: BadgeRules, allowed: list[Earn]) -> None:
    for limit in rules.limits:
        per_customer = limit.level is ConstraintLevel.CUSTOMER
        groups: dict[object, list[Earn]] = {}
        for earn in allowed:
            groups.setdefault(earn.customer_id if per_customer else None, []).append(earn)
        for earns in groups.values():
            if isinstance(limit, FixedValueLimit):
                assert len(earns) <= limit.max_earn
            elif isinstance(limit, FixedWindowLimit):
                listed = cycles(limit.rule, rules.start, rules.end)
                per_cycle = Counter(
                    cycle for earn in earns for cycle in listed if cycle.start <= earn.event_time < cycle.end
                )
                assert all(n <= limit.max_earn for n in per_cycle.values())
            elif isinstance(limit, RollingWindowLimit):
                for earn in earns:
                    opens = rolling_opens(limit, earn.processed_at)
                    inside = [e for e in earns if opens < e.processed_at <= earn.processed_at]
                    assert len(inside) <= limit.max_earn


@FEW
@given(scenario=scenarios())
def test_no_limit_is_ever_exceeded(scenario):
    rules, attempts = scenario
    result = simulate(rules, attempts)
    allowed = [o.attempt for o in result.outcomes if o.verdict is Verdict.ALLOWED]
    assert result.allowed == len(allowed)
    assert result.allowed + result.blocked + result.outside_period == len(attempts)
    assert_within_limits(rules, allowed)
    for o in result.outcomes:
        inside = rules.start <= o.attempt.event_time <= rules.end
        assert (o.verdict is Verdict.OUTSIDE_BADGE_PERIOD) == (not inside)
        assert (o.blocked_by is not None) == (o.verdict is Verdict.BLOCKED_BY_LIMIT)


@FEW
@given(scenario=scenarios())
def test_simulator_decides_like_evaluate_earn(scenario):
    rules, attempts = scenario
    result = simulate(rules, attempts)
    by_attempt = {}
    for attempt, verdict, blocked_by in replay(rules, attempts):
        by_attempt.setdefault(attempt, []).append((verdict, blocked_by))
    got = {}
    for o in result.outcomes:
        got.setdefault(o.attempt, []).append((o.verdict, o.blocked_by))
    # Identical attempts are interchangeable, so compare the multiset of verdicts per attempt.
    assert {k: sorted(v, key=str) for k, v in got.items()} == {
        k: sorted(v, key=str) for k, v in by_attempt.items()
    }


@FEW
@given(scenario=scenarios())
def test_cycle_counts_add_up(scenario):
    rules, attempts = scenario
    result = simulate(rules, attempts)
    fixed = [limit for limit in rules.limits if isinstance(limit, FixedWindowLimit)]
    assert [c.limit for c in result.cycle_counts] == fixed
    allowed = [o.attempt for o in result.outcomes if o.allowed]
    for counts in result.cycle_counts:
        assert [c.cycle for c in counts.cycles] == cycles(counts.limit.rule, rules.start, rules.end)
        assert sum(c.earned for c in counts.cycles) == sum(
            1 for e in allowed if rules.start <= e.event_time <= rules.end
        )
    assert sum(d.earned for d in result.per_day) == result.allowed
    assert sum(d.blocked for d in result.per_day) == result.blocked
    blamed = Counter(o.blocked_by for o in result.outcomes if o.blocked_by is not None)
    tallied: Counter = Counter()
    for limit, n in result.blocked_by:
        tallied[limit] += n
    assert [limit for limit, _ in result.blocked_by] == list(rules.limits)
    assert +tallied == blamed
    assert all(tallied[limit] == 0 for limit in rules.limits if isinstance(limit, NoLimit))

"""The earn simulator: outcomes, per-cycle counts and the attempt patterns the what-if panel uses."""

from datetime import timedelta

import pytest

from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    Earn,
    FixedValueLimit,
    FixedWindowLimit,
    FixedWindowRule,
    NoLimit,
    RollingWindowLimit,
    Verdict,
    earn_pattern,
    evaluate_earn,
    simulate,
)
from tests.domain.timeparse import api_days, utc

CUSTOMER, BADGE = ConstraintLevel.CUSTOMER, ConstraintLevel.BADGE
ONE_PER_5_DAYS = FixedWindowLimit(CUSTOMER, 1, FixedWindowRule(DurationUnit.DAYS, refresh_rate=5))


def replay(rules, attempts):
    """The reference: `evaluate_earn` over the allowed history, one attempt at a time."""
    history: list[Earn] = []
    verdicts = []
    for attempt in sorted(attempts, key=lambda a: a.processed_at):
        inside = rules.start <= attempt.event_time and (rules.end is None or attempt.event_time <= rules.end)
        if not inside:
            verdicts.append((attempt, Verdict.OUTSIDE_BADGE_PERIOD, None))
            continue
        mine = [e for e in history if e.customer_id == attempt.customer_id]
        decision = evaluate_earn(rules, customer_history=mine, badge_history=history, attempt=attempt)
        if decision.allowed:
            history.append(attempt)
            verdicts.append((attempt, Verdict.ALLOWED, None))
        else:
            verdicts.append((attempt, Verdict.BLOCKED_BY_LIMIT, decision.blocked_by))
    return verdicts


class TestEarnPattern:
    def test_documented_spread(self):
        got = earn_pattern(customers=2, per_day=2, start=utc("2024-05-01"), end=utc("2024-05-01T23:59:59"))
        assert [(e.customer_id, e.event_time) for e in got] == [
            (1, utc("2024-05-01T00:00")),
            (2, utc("2024-05-01T06:00")),
            (1, utc("2024-05-01T12:00")),
            (2, utc("2024-05-01T18:00")),
        ]

    def test_bounds_delay_and_determinism(self):
        kwargs = dict(customers=3, per_day=4, start=utc("2024-05-01T10:00"), end=utc("2024-05-03T10:00"))
        got = earn_pattern(**kwargs, processing_delay=timedelta(hours=30))
        assert got == earn_pattern(**kwargs, processing_delay=timedelta(hours=30))
        assert all(utc("2024-05-01T10:00") <= e.event_time <= utc("2024-05-03T10:00") for e in got)
        assert all(e.processed_at - e.event_time == timedelta(hours=30) for e in got)
        assert len(got) == 7 + 12 + 6  # 2-hour slots: 10:00..22:00, a full day, 00:00..10:00
        assert {e.customer_id for e in got} == {1, 2, 3}

    def test_refuses_empty_patterns(self):
        with pytest.raises(ValueError):
            earn_pattern(customers=0, per_day=1, start=utc("2024-05-01"), end=utc("2024-05-02"))


class TestSimulate:
    START, END = utc("2024-04-15T10:33:20"), utc("2024-04-29T23:59:59")

    def test_one_earn_per_cycle_per_customer(self):
        rules = BadgeRules(self.START, self.END, customer_limits=(ONE_PER_5_DAYS,))
        attempts = earn_pattern(customers=2, per_day=1, start=utc("2024-04-15T12:00"), end=self.END)
        result = simulate(rules, attempts)
        allowed = [
            (o.attempt.customer_id, o.attempt.event_time.date().isoformat())
            for o in result.outcomes
            if o.allowed
        ]
        # Customer 2's slot is at 12:00, after the badge started on the 15th; customer 1's is at 00:00.
        assert allowed == [
            (2, "2024-04-15"),
            (1, "2024-04-16"),
            (1, "2024-04-20"),
            (2, "2024-04-20"),
            (1, "2024-04-25"),
            (2, "2024-04-25"),
        ]
        assert (result.allowed, result.blocked, result.outside_period) == (6, len(attempts) - 6, 0)
        assert result.blocked_by == ((ONE_PER_5_DAYS, len(attempts) - 6),)
        (counts,) = result.cycle_counts
        assert [(api_days([c.cycle])[0], c.earned, c.blocked) for c in counts.cycles] == [
            (("2024-04-15", "2024-04-19"), 2, 7),
            (("2024-04-20", "2024-04-24"), 2, 8),
            (("2024-04-25", "2024-04-29"), 2, 8),
        ]
        assert [(d.day.isoformat(), d.earned, d.blocked) for d in result.per_day[:6]] == [
            ("2024-04-15", 1, 0),
            ("2024-04-16", 1, 1),
            ("2024-04-17", 0, 2),
            ("2024-04-18", 0, 2),
            ("2024-04-19", 0, 2),
            ("2024-04-20", 2, 0),
        ]
        assert len(result.per_day) == 15

    def test_outcomes_keep_input_order_and_decide_in_processing_order(self):
        rules = BadgeRules(self.START, self.END, badge_limits=(FixedValueLimit(BADGE, 1),))
        late = Earn(1, utc("2024-04-16"), utc("2024-04-18"))
        early = Earn(2, utc("2024-04-17"), utc("2024-04-17"))
        result = simulate(rules, [late, early])
        assert [o.attempt for o in result.outcomes] == [late, early]
        assert [o.verdict for o in result.outcomes] == [Verdict.BLOCKED_BY_LIMIT, Verdict.ALLOWED]

    def test_attempts_outside_the_badge_count_against_nothing(self):
        rules = BadgeRules(self.START, self.END, badge_limits=(FixedValueLimit(BADGE, 1),))
        before = Earn(1, utc("2024-04-15T10:00"), utc("2024-04-15T10:00"))
        after = Earn(1, utc("2024-04-30T00:00"), utc("2024-04-30T00:00"))
        inside = Earn(1, utc("2024-04-15T10:33:20"), utc("2024-04-15T10:33:20"))
        result = simulate(rules, [before, after, inside])
        assert [o.verdict for o in result.outcomes] == [
            Verdict.OUTSIDE_BADGE_PERIOD,
            Verdict.OUTSIDE_BADGE_PERIOD,
            Verdict.ALLOWED,
        ]

    def test_no_limits_allow_everything(self):
        rules = BadgeRules(self.START, self.END, customer_limits=(NoLimit(CUSTOMER),))
        attempts = earn_pattern(customers=3, per_day=5, start=self.START, end=self.END)
        result = simulate(rules, attempts)
        assert result.allowed == len(attempts) and result.blocked_by == ((NoLimit(CUSTOMER), 0),)
        assert result.cycle_counts == ()

    def test_open_ended_badge_reports_cycles_up_to_the_last_attempt(self):
        weekly = FixedWindowLimit(BADGE, 3, FixedWindowRule(DurationUnit.WEEKS))
        rules = BadgeRules(utc("2024-05-01"), None, badge_limits=(weekly,))
        attempts = earn_pattern(customers=1, per_day=1, start=utc("2024-05-01"), end=utc("2024-05-20"))
        (counts,) = simulate(rules, attempts).cycle_counts
        assert [c.earned for c in counts.cycles] == [3, 3, 3, 1]
        assert api_days([counts.cycles[-1].cycle]) == [("2024-05-20", "2024-05-26")]

    @pytest.mark.parametrize("delay_hours", [0, 50])
    def test_agrees_with_evaluate_earn(self, delay_hours):
        rules = BadgeRules(
            self.START,
            utc("2024-07-31T23:59:59"),
            customer_limits=(
                FixedWindowLimit(CUSTOMER, 2, FixedWindowRule(DurationUnit.WEEKS, week_start=2)),
                RollingWindowLimit(CUSTOMER, 5, DurationUnit.MONTHS, 1),
            ),
            badge_limits=(
                RollingWindowLimit(BADGE, 4, DurationUnit.DAYS, 1),
                FixedWindowLimit(BADGE, 9, FixedWindowRule(DurationUnit.MONTHS)),
                FixedValueLimit(BADGE, 40),
            ),
        )
        attempts = earn_pattern(
            customers=3,
            per_day=2,
            start=utc("2024-04-10"),
            end=utc("2024-08-02"),
            processing_delay=timedelta(hours=delay_hours),
        )
        result = simulate(rules, attempts)
        expected = sorted(replay(rules, attempts), key=lambda v: attempts.index(v[0]))
        assert [(o.attempt, o.verdict, o.blocked_by) for o in result.outcomes] == expected
        assert result.allowed == sum(1 for _, verdict, _ in expected if verdict is Verdict.ALLOWED)
        assert result.allowed == 36  # the monthly badge cap (9) binds in each of the 4 months
        assert {limit for _, _, limit in expected if limit is not None} == set(rules.limits) - {
            rules.badge_limits[2]
        }

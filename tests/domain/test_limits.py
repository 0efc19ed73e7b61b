"""Limit windows and earn decisions: what counts, on which axis, and who blocks."""

import pytest

from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    CountAxis,
    CountWindow,
    DurationUnit,
    Earn,
    FixedValueLimit,
    FixedWindowLimit,
    FixedWindowRule,
    LimitCount,
    NoLimit,
    RollingWindowLimit,
    count_window,
    customer_rolling_limits,
    decide,
    evaluate_earn,
)
from tests.domain.timeparse import utc

CUSTOMER, BADGE = ConstraintLevel.CUSTOMER, ConstraintLevel.BADGE
START, END = utc("2024-04-15T10:33:20"), utc("2024-12-31T23:59:59")
FIVE_DAYS = FixedWindowLimit(CUSTOMER, 1, FixedWindowRule(DurationUnit.DAYS, refresh_rate=5))


def window(limit, event, processed):
    return count_window(
        limit, event_time=utc(event), processed_at=utc(processed), badge_start=START, badge_end=END
    )


def earn(event, processed=None, customer=1):
    return Earn(customer, utc(event), utc(processed or event))


class TestCountWindow:
    def test_fixed_window_is_the_cycle_of_the_event_date(self):
        # A retro earn processed in a later cycle counts in the cycle of its event date.
        got = window(FIVE_DAYS, "2024-04-18T22:00", "2024-04-23T09:00")
        assert got == CountWindow(utc("2024-04-15"), utc("2024-04-20"), CountAxis.EVENT, got.cycle)
        assert got.cycle.last_day == utc("2024-04-19")

    def test_fixed_window_outside_the_badge_does_not_apply(self):
        assert window(FIVE_DAYS, "2025-01-01T00:00", "2025-01-01T00:00") is None

    def test_fixed_window_outside_its_effective_span_does_not_apply(self):
        later = FixedWindowLimit(
            CUSTOMER, 1, FixedWindowRule(DurationUnit.MONTHS), effective_from=utc("2024-05-01")
        )
        assert window(later, "2024-04-20", "2024-04-20") is None
        assert window(later, "2024-05-20", "2024-05-20").start == utc("2024-05-01")

    @pytest.mark.parametrize(
        ("unit", "span", "processed", "opens"),
        [
            (DurationUnit.DAYS, 1, "2024-06-10T15:00", "2024-06-09T15:00"),
            (DurationUnit.DAYS, 5, "2024-06-10T15:00", "2024-06-05T15:00"),
            (DurationUnit.WEEKS, 2, "2024-06-10T15:00", "2024-05-27T15:00"),
            (DurationUnit.MONTHS, 1, "2024-06-10T15:00", "2024-05-10T15:00"),
            (DurationUnit.MONTHS, 1, "2025-03-31T10:00", "2025-02-28T10:00"),
            (DurationUnit.MONTHS, 3, "2024-05-31T10:00", "2024-02-29T10:00"),
        ],
    )
    def test_rolling_window_looks_back_from_processing(self, unit, span, processed, opens):
        limit = RollingWindowLimit(CUSTOMER, 3, unit, span)
        got = window(limit, "2024-04-20", processed)
        assert (got.start, got.end, got.axis) == (utc(opens), utc(processed), CountAxis.PROCESSING)

    def test_rolling_window_bounds_open_start_closed_end(self):
        w = window(RollingWindowLimit(CUSTOMER, 3, DurationUnit.DAYS, 1), "2024-06-10", "2024-06-10T15:00")
        assert not w.contains(earn("2024-06-01", "2024-06-09T15:00:00"))
        assert w.contains(earn("2024-06-01", "2024-06-09T15:00:01"))
        assert w.contains(earn("2024-06-01", "2024-06-10T15:00:00"))
        assert not w.contains(earn("2024-06-01", "2024-06-10T15:00:01"))

    def test_fixed_window_bounds_closed_start_open_end(self):
        w = window(FIVE_DAYS, "2024-04-16", "2024-04-16")
        assert w.contains(earn("2024-04-15T00:00:00", "2024-05-01"))
        assert w.contains(earn("2024-04-19T23:59:59"))
        assert not w.contains(earn("2024-04-20T00:00:00"))

    def test_fixed_value_is_lifetime_and_no_limit_counts_nothing(self):
        lifetime = window(FixedValueLimit(BADGE, 10), "2024-06-10", "2024-06-10")
        assert lifetime == CountWindow(None, None, CountAxis.LIFETIME)
        assert lifetime.contains(earn("2024-04-15"))
        assert window(NoLimit(CUSTOMER), "2024-06-10", "2024-06-10") is None


class TestDecide:
    def test_allows_while_every_limit_has_room(self):
        weekly = RollingWindowLimit(CUSTOMER, 2, DurationUnit.WEEKS, 1)
        total = FixedValueLimit(BADGE, 100)
        got = decide([(weekly, 1), LimitCount(total, 99)])
        assert got.allowed and got.blocked_by is None
        assert [(u.used, u.remaining) for u in got.usage] == [(1, 1), (99, 1)]

    def test_the_first_exhausted_limit_blocks_and_all_are_listed(self):
        a = FixedValueLimit(CUSTOMER, 1)
        b = FixedValueLimit(BADGE, 5)
        got = decide([(a, 1), (b, 7)])
        assert not got.allowed and got.blocked_by == a
        assert got.blocking == (a, b)
        assert [u.remaining for u in got.usage] == [0, 0]

    def test_zero_max_blocks_everything(self):
        assert not decide([(FixedValueLimit(BADGE, 0), 0)]).allowed

    def test_no_limit_and_limits_that_do_not_apply_never_block(self):
        got = decide([(NoLimit(BADGE), 12345), (FIVE_DAYS, None)])
        assert got.allowed
        assert [u.remaining for u in got.usage] == [None, None]

    def test_no_limits_at_all(self):
        assert decide([]).allowed


class TestEvaluateEarn:
    RULES = BadgeRules(
        START,
        END,
        customer_limits=(FIVE_DAYS, *customer_rolling_limits(max_for_weeks=2, roll_for_weeks=1)),
        badge_limits=(FixedValueLimit(BADGE, 3),),
    )

    def evaluate(self, customer_history, badge_history, attempt):
        return evaluate_earn(
            self.RULES, customer_history=customer_history, badge_history=badge_history, attempt=attempt
        )

    def test_second_earn_in_the_same_cycle_is_blocked_by_the_fixed_window(self):
        first = earn("2024-04-16T10:00")
        got = self.evaluate([first], [first], earn("2024-04-19T10:00"))
        assert got.blocked_by == FIVE_DAYS
        assert got.usage[0].window.cycle.start == utc("2024-04-15")

    def test_next_cycle_is_allowed(self):
        first = earn("2024-04-16T10:00")
        assert self.evaluate([first], [first], earn("2024-04-20T00:00")).allowed

    def test_retro_earn_counts_in_its_event_cycle(self):
        first = earn("2024-04-16T10:00")
        retro = earn("2024-04-18T10:00", processed="2024-04-22T10:00")
        assert self.evaluate([first], [first], retro).blocked_by == FIVE_DAYS

    def test_rolling_week_counts_by_processing_time(self):
        history = [earn("2024-04-16T10:00"), earn("2024-04-20T10:00")]
        got = self.evaluate(history, history, earn("2024-04-25T10:00", processed="2024-04-23T09:00"))
        assert got.blocked_by == self.RULES.customer_limits[1]
        later = earn("2024-04-25T10:00", processed="2024-04-23T10:00:01")
        assert self.evaluate(history, history, later).allowed

    def test_badge_limit_counts_everyone(self):
        others = [
            earn("2024-05-01", customer=2),
            earn("2024-05-02", customer=3),
            earn("2024-05-03", customer=4),
        ]
        got = self.evaluate([], others, earn("2024-06-01"))
        assert got.blocked_by == self.RULES.badge_limits[0]


class TestLimitValues:
    def test_customer_rolling_object_becomes_up_to_three_limits(self):
        got = customer_rolling_limits(
            max_for_days=1,
            roll_for_days=1,
            max_for_weeks=2,
            roll_for_weeks=1,
            max_for_months=10,
            roll_for_months=1,
        )
        assert got == (
            RollingWindowLimit(CUSTOMER, 1, DurationUnit.DAYS, 1),
            RollingWindowLimit(CUSTOMER, 2, DurationUnit.WEEKS, 1),
            RollingWindowLimit(CUSTOMER, 10, DurationUnit.MONTHS, 1),
        )
        assert customer_rolling_limits(max_for_days=1) == ()

    @pytest.mark.parametrize(
        "make",
        [
            lambda: FixedValueLimit(CUSTOMER, -1),
            lambda: RollingWindowLimit(BADGE, 1, DurationUnit.DAYS, 0),
            lambda: RollingWindowLimit(BADGE, 1, "DAILY", 1),
            lambda: FixedWindowLimit("SHOP", 1, FixedWindowRule(DurationUnit.DAYS)),
            lambda: BadgeRules(START, END, customer_limits=(FixedValueLimit(BADGE, 1),)),
        ],
    )
    def test_invalid_values_are_refused(self, make):
        with pytest.raises(ValueError):
            make()

    def test_descriptions_read_as_sentences(self):
        assert FIVE_DAYS.describe() == "Each customer: 1 per 5-day cycle"
        assert FixedWindowLimit(BADGE, 9, FixedWindowRule("WEEKS", week_start=6)).describe() == (
            "All customers: 9 per week (from Sunday)"
        )
        assert (
            RollingWindowLimit(BADGE, 100, DurationUnit.DAYS, 1).describe()
            == "All customers: 100 in any rolling day"
        )
        assert (
            RollingWindowLimit(CUSTOMER, 3, DurationUnit.MONTHS, 2).describe()
            == "Each customer: 3 in any rolling 2 months"
        )

"""Fixed-window cycles against the examples the Capillary docs publish, plus the inferred cases."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lib.domain import (
    Cycle,
    CycleLayout,
    DurationUnit,
    FixedWindowRule,
    Weekday,
    cycle_at,
    cycles,
    cycles_between,
    iter_cycles,
    next_boundary,
)
from tests.domain.timeparse import api_days, utc

DAYS_3 = FixedWindowRule(DurationUnit.DAYS, refresh_rate=3)
DAYS_5 = FixedWindowRule(DurationUnit.DAYS, refresh_rate=5)
WEEKS_MON = FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.MONDAY)
MONTHS = FixedWindowRule(DurationUnit.MONTHS)


class TestDocumentedExamples:
    def test_weekly_from_monday_badge_25_sep_to_30_oct(self):
        got = cycles(WEEKS_MON, utc("2023-09-25T06:00:00"), utc("2023-10-30T18:00:00"))
        assert api_days(got) == [
            ("2023-09-25", "2023-10-01"),
            ("2023-10-02", "2023-10-08"),
            ("2023-10-09", "2023-10-15"),
            ("2023-10-16", "2023-10-22"),
            ("2023-10-23", "2023-10-29"),
            ("2023-10-30", "2023-10-30"),
        ]

    def test_refresh_rate_3_from_3_march(self):
        got = cycles(DAYS_3, utc("2025-03-03T09:00:00"), None, until=utc("2025-03-12"))
        assert api_days(got) == [
            ("2025-03-03", "2025-03-05"),
            ("2025-03-06", "2025-03-08"),
            ("2025-03-09", "2025-03-11"),
        ]

    def test_refresh_rate_5_from_15_april_starts_at_midnight_of_the_start_day(self):
        got = cycles(DAYS_5, utc("2024-04-15T10:33:20"), utc("2024-04-29T23:59:59"))
        assert api_days(got) == [
            ("2024-04-15", "2024-04-19"),
            ("2024-04-20", "2024-04-24"),
            ("2024-04-25", "2024-04-29"),
        ]
        assert got[0].start == utc("2024-04-15T00:00:00")
        assert got[0].last_day == utc("2024-04-19T00:00:00")
        assert got[0].end == utc("2024-04-20T00:00:00")

    def test_monthly_cycles_are_calendar_months(self):
        got = cycles(MONTHS, utc("2024-05-01T00:00:00"), utc("2024-07-31T12:00:00"))
        assert api_days(got) == [
            ("2024-05-01", "2024-05-31"),
            ("2024-06-01", "2024-06-30"),
            ("2024-07-01", "2024-07-31"),
        ]


class TestInferredLayout:
    def test_weekly_badge_starting_midweek_gets_a_short_first_cycle(self):
        # 2023-09-27 is a Wednesday; weeks start on Monday.
        got = cycles(WEEKS_MON, utc("2023-09-27T12:00:00"), utc("2023-10-10T00:00:00"))
        assert api_days(got) == [
            ("2023-09-27", "2023-10-01"),
            ("2023-10-02", "2023-10-08"),
            ("2023-10-09", "2023-10-10"),
        ]

    def test_week_start_given_as_integer_one_is_tuesday(self):
        rule = FixedWindowRule(DurationUnit.WEEKS, week_start=1)
        assert rule.week_start is Weekday.TUESDAY
        got = cycles(rule, utc("2023-09-25"), utc("2023-10-04"))
        assert api_days(got) == [
            ("2023-09-25", "2023-09-25"),
            ("2023-09-26", "2023-10-02"),
            ("2023-10-03", "2023-10-04"),
        ]

    def test_sunday_weeks(self):
        rule = FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.SUNDAY)
        got = cycles(rule, utc("2024-01-01"), utc("2024-01-20"))
        assert api_days(got) == [
            ("2024-01-01", "2024-01-06"),
            ("2024-01-07", "2024-01-13"),
            ("2024-01-14", "2024-01-20"),
        ]

    def test_mid_month_start_runs_to_the_month_end(self):
        got = cycles(MONTHS, utc("2024-05-15T08:00:00"), utc("2024-07-03T08:00:00"))
        assert api_days(got) == [
            ("2024-05-15", "2024-05-31"),
            ("2024-06-01", "2024-06-30"),
            ("2024-07-01", "2024-07-03"),
        ]

    def test_february_in_a_leap_year(self):
        got = cycles(MONTHS, utc("2024-01-31"), utc("2024-03-01"))
        assert api_days(got) == [
            ("2024-01-31", "2024-01-31"),
            ("2024-02-01", "2024-02-29"),
            ("2024-03-01", "2024-03-01"),
        ]

    def test_badge_ending_at_midnight_still_covers_its_end_day(self):
        got = cycles(DAYS_5, utc("2024-04-15"), utc("2024-04-20T00:00:00"))
        assert api_days(got) == [("2024-04-15", "2024-04-19"), ("2024-04-20", "2024-04-20")]

    def test_one_day_badge_is_one_cycle(self):
        got = cycles(MONTHS, utc("2024-04-15T10:00"), utc("2024-04-15T11:00"))
        assert got == [Cycle(utc("2024-04-15"), utc("2024-04-16"))]

    def test_end_before_start_gives_no_cycles(self):
        assert cycles(DAYS_3, utc("2024-04-15"), utc("2024-04-10")) == []

    def test_refresh_rate_is_ignored_outside_days(self):
        rule = FixedWindowRule(DurationUnit.MONTHS, refresh_rate=5)
        assert api_days(cycles(rule, utc("2024-05-01"), utc("2024-06-30"))) == [
            ("2024-05-01", "2024-05-31"),
            ("2024-06-01", "2024-06-30"),
        ]


class TestOpenEnded:
    def test_list_needs_a_bound(self):
        with pytest.raises(ValueError, match="until"):
            cycles(DAYS_3, utc("2025-03-03"))

    def test_until_keeps_cycles_starting_before_it(self):
        got = cycles(DAYS_3, utc("2025-03-03"), until=utc("2025-03-06T00:00:01"))
        assert api_days(got) == [("2025-03-03", "2025-03-05"), ("2025-03-06", "2025-03-08")]
        got = cycles(DAYS_3, utc("2025-03-03"), until=utc("2025-03-06"))
        assert api_days(got) == [("2025-03-03", "2025-03-05")]

    def test_until_does_not_extend_a_bounded_badge(self):
        got = cycles(DAYS_3, utc("2025-03-03"), utc("2025-03-04"), until=utc("2026-01-01"))
        assert api_days(got) == [("2025-03-03", "2025-03-04")]

    def test_iter_cycles_is_endless(self):
        it = iter_cycles(MONTHS, utc("2024-11-20"))
        got = [next(it) for _ in range(4)]
        assert api_days(got) == [
            ("2024-11-20", "2024-11-30"),
            ("2024-12-01", "2024-12-31"),
            ("2025-01-01", "2025-01-31"),
            ("2025-02-01", "2025-02-28"),
        ]

    def test_cycle_at_far_in_the_future(self):
        got = cycle_at(DAYS_3, utc("2025-03-03"), None, utc("2125-03-03T12:00"))
        assert got is not None and got.contains(utc("2125-03-03T12:00")) and got.days == 3


class TestCycleAt:
    BADGE = (utc("2024-04-15T10:33:20"), utc("2024-04-29T23:59:59"))

    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            ("2024-04-15T00:00:00", ("2024-04-15", "2024-04-19")),  # before the badge starts, same day
            ("2024-04-19T23:59:59", ("2024-04-15", "2024-04-19")),
            ("2024-04-20T00:00:00", ("2024-04-20", "2024-04-24")),  # start is inclusive
            ("2024-04-29T23:59:59", ("2024-04-25", "2024-04-29")),
        ],
    )
    def test_inside(self, t, expected):
        assert api_days([cycle_at(DAYS_5, *self.BADGE, utc(t))]) == [expected]

    @pytest.mark.parametrize("t", ["2024-04-14T23:59:59", "2024-04-30T00:00:00", "2030-01-01T00:00:00"])
    def test_outside(self, t):
        assert cycle_at(DAYS_5, *self.BADGE, utc(t)) is None

    def test_instant_in_another_zone_is_read_as_utc(self):
        # 2024-04-20 01:30 in Kolkata is 2024-04-19 20:00 UTC: still the first cycle.
        t = datetime(2024, 4, 20, 1, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
        assert api_days([cycle_at(DAYS_5, *self.BADGE, t)]) == [("2024-04-15", "2024-04-19")]


class TestBetween:
    START = utc("2025-03-03T09:00")

    def test_exclusive_end_leaves_out_a_cycle_starting_at_b(self):
        got = cycles_between(DAYS_3, self.START, None, utc("2025-03-04T12:00"), utc("2025-03-09"))
        assert api_days(got) == [("2025-03-03", "2025-03-05"), ("2025-03-06", "2025-03-08")]

    def test_inclusive_end_keeps_it(self):
        got = cycles_between(DAYS_3, self.START, None, utc("2025-03-04T12:00"), utc("2025-03-09"), inc=True)
        assert api_days(got) == [
            ("2025-03-03", "2025-03-05"),
            ("2025-03-06", "2025-03-08"),
            ("2025-03-09", "2025-03-11"),
        ]

    def test_b_inside_a_cycle_is_the_same_either_way(self):
        a, b = utc("2025-03-06"), utc("2025-03-09T00:00:01")
        assert cycles_between(DAYS_3, self.START, None, a, b) == cycles_between(
            DAYS_3, self.START, None, a, b, inc=True
        )
        assert api_days(cycles_between(DAYS_3, self.START, None, a, b)) == [
            ("2025-03-06", "2025-03-08"),
            ("2025-03-09", "2025-03-11"),
        ]

    def test_empty_and_point_spans(self):
        t = utc("2025-03-07T10:00")
        assert cycles_between(DAYS_3, self.START, None, t, t) == []
        assert api_days(cycles_between(DAYS_3, self.START, None, t, t, inc=True)) == [
            ("2025-03-06", "2025-03-08")
        ]
        assert cycles_between(DAYS_3, self.START, None, t, t - timedelta(days=1), inc=True) == []

    def test_clipped_to_the_badge(self):
        got = cycles_between(
            WEEKS_MON, utc("2023-09-25"), utc("2023-10-30"), utc("2020-01-01"), utc("2030-01-01")
        )
        assert len(got) == 6 and got == cycles(WEEKS_MON, utc("2023-09-25"), utc("2023-10-30"))

    def test_span_before_the_badge(self):
        assert cycles_between(DAYS_3, self.START, None, utc("2025-01-01"), utc("2025-03-03")) == []
        got = cycles_between(DAYS_3, self.START, None, utc("2025-01-01"), utc("2025-03-03"), inc=True)
        assert api_days(got) == [("2025-03-03", "2025-03-05")]


class TestNextBoundary:
    START, END = utc("2023-09-25T06:00"), utc("2023-10-30T18:00")

    def test_exclusive(self):
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-09-27")) == utc("2023-10-02")
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-02")) == utc("2023-10-09")

    def test_inclusive_returns_t_on_a_boundary(self):
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-02"), inc=True) == utc(
            "2023-10-02"
        )
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-02T00:00:01"), inc=True) == utc(
            "2023-10-09"
        )
        # Midnight that is not a cycle start is not a boundary.
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-04"), inc=True) == utc(
            "2023-10-09"
        )

    def test_before_the_first_cycle(self):
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-09-01")) == utc("2023-09-25")

    def test_none_in_or_after_the_last_cycle(self):
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-27")) == utc("2023-10-30")
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2023-10-30T12:00")) is None
        assert next_boundary(WEEKS_MON, self.START, self.END, utc("2024-01-01")) is None


class TestLayoutBounds:
    def test_effective_window_of_a_replaced_config(self):
        layout = CycleLayout(DAYS_5, utc("2024-04-15"), utc("2024-06-30"), effective_until=utc("2024-05-01"))
        assert api_days(layout.cycles())[-2:] == [("2024-04-25", "2024-04-29"), ("2024-04-30", "2024-04-30")]
        new = CycleLayout(MONTHS, utc("2024-04-15"), utc("2024-06-30"), effective_from=utc("2024-05-01"))
        assert api_days(new.cycles()) == [("2024-05-01", "2024-05-31"), ("2024-06-01", "2024-06-30")]

    def test_boundary_days_need_an_end(self):
        with pytest.raises(ValueError):
            CycleLayout(DAYS_3, utc("2024-01-01")).boundary_days()


class TestDisplayZoneDoesNotMoveCycles:
    @pytest.mark.parametrize(
        "zone", ["America/New_York", "Europe/London", "Asia/Kolkata", "Pacific/Auckland"]
    )
    def test_same_instant_in_any_zone_gives_the_same_cycles(self, zone):
        start_utc, end_utc = utc("2024-03-05T03:30"), utc("2024-11-20T02:00")
        tz = ZoneInfo(zone)
        for rule in (DAYS_3, WEEKS_MON, MONTHS):
            expected = cycles(rule, start_utc, end_utc)
            assert cycles(rule, start_utc.astimezone(tz), end_utc.astimezone(tz)) == expected

    def test_dst_change_does_not_shift_cycle_bounds(self):
        # New York springs forward on 2024-03-10 and falls back on 2024-11-03.
        ny = ZoneInfo("America/New_York")
        start = datetime(2024, 3, 8, 21, 0, tzinfo=ny)  # 2024-03-09 02:00 UTC
        got = cycles(FixedWindowRule(DurationUnit.DAYS), start, datetime(2024, 11, 4, 23, 0, tzinfo=ny))
        assert got[0].start == utc("2024-03-09")
        assert got[-1].last_day == utc("2024-11-05")
        assert all(c.start.utcoffset() == timedelta(0) and c.start.hour == 0 for c in got)
        assert all(c.days == 1 for c in got)

    def test_london_local_midnight_in_summer_is_the_previous_utc_day(self):
        start = datetime(2024, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/London"))  # 2024-06-30 23:30 UTC
        assert cycles(MONTHS, start, utc("2024-07-15"))[0] == Cycle(utc("2024-06-30"), utc("2024-07-01"))


class TestValidation:
    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            cycles(DAYS_3, datetime(2024, 1, 1), datetime(2024, 2, 1, tzinfo=UTC))
        with pytest.raises(ValueError, match="timezone-aware"):
            cycle_at(DAYS_3, utc("2024-01-01"), None, datetime(2024, 1, 5))

    @pytest.mark.parametrize("rate", [0, -3])
    def test_refresh_rate_must_be_positive(self, rate):
        with pytest.raises(ValueError):
            FixedWindowRule(DurationUnit.DAYS, refresh_rate=rate)

    def test_unknown_unit(self):
        with pytest.raises(ValueError):
            FixedWindowRule("DAILY")

    def test_cycle_rejects_reversed_bounds(self):
        with pytest.raises(ValueError):
            Cycle(utc("2024-01-02"), utc("2024-01-01"))


class TestWeekdayFromApi:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (0, Weekday.MONDAY),
            (1, Weekday.TUESDAY),
            (6, Weekday.SUNDAY),
            ("1", Weekday.TUESDAY),
            ("TUESDAY", Weekday.TUESDAY),
            ("tuesday", Weekday.TUESDAY),
            (Weekday.FRIDAY, Weekday.FRIDAY),
        ],
    )
    def test_accepts_names_and_numbers(self, value, expected):
        assert Weekday.from_api(value) is expected

    @pytest.mark.parametrize("value", [7, -1, "MON", "", True, 1.0, None])
    def test_refuses_anything_else(self, value):
        with pytest.raises(ValueError):
            Weekday.from_api(value)

    def test_index_matches_date_weekday(self):
        assert [w.index for w in Weekday] == list(range(7))
        assert Weekday.from_api(utc("2023-09-25").weekday()) is Weekday.MONDAY

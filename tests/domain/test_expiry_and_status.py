"""Expiry of enrolments and earns, and the time-derived badge status."""

from datetime import datetime

import pytest

from lib.domain import (
    AbsoluteExpiryKind,
    BadgeRules,
    BadgeStatus,
    DurationUnit,
    ExpiryRule,
    ExpiryType,
    add_duration,
    badge_status,
    compute_expiry,
)
from tests.domain.timeparse import utc

BADGE_END = utc("2026-06-30T23:59:59")


class TestRelative:
    def test_documented_two_weeks_from_processing_time(self):
        rule = ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.WEEKS, value=2)
        assert compute_expiry(rule, utc("2026-01-19T12:23:16"), BADGE_END) == utc("2026-02-02T12:23:16")

    def test_may_run_past_the_badge_end(self):
        rule = ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.WEEKS, value=2)
        assert compute_expiry(rule, utc("2024-09-17T10:00"), utc("2024-09-30T23:59")) == utc(
            "2024-10-01T10:00"
        )

    def test_days(self):
        rule = ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.DAYS, value=10)
        assert compute_expiry(rule, utc("2024-02-25T08:00"), None) == utc("2024-03-06T08:00")

    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            ("2024-01-31T08:00", 1, "2024-02-29T08:00"),  # leap year clamp
            ("2025-01-31T08:00", 1, "2025-02-28T08:00"),
            ("2024-03-31T23:59:59", 1, "2024-04-30T23:59:59"),
            ("2024-01-15T00:00", 12, "2025-01-15T00:00"),
            ("2024-11-30T12:00", 3, "2025-02-28T12:00"),
            ("2024-05-10T12:00", 0, "2024-05-10T12:00"),
        ],
    )
    def test_calendar_months_clamp_to_the_month_end(self, start, months, expected):
        rule = ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.MONTHS, value=months)
        assert compute_expiry(rule, utc(start), None) == utc(expected)
        assert add_duration(utc(start), DurationUnit.MONTHS, months) == utc(expected)

    @pytest.mark.parametrize("value", [None, -1, 1.5, True])
    def test_value_must_be_a_whole_number(self, value):
        with pytest.raises(ValueError):
            ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.DAYS, value=value)


class TestAbsoluteAndNever:
    def test_fixed_date_is_the_same_for_everyone(self):
        rule = ExpiryRule(ExpiryType.ABSOLUTE, kind=AbsoluteExpiryKind.FIXED_DATE, fixed_at=utc("2027-12-31"))
        assert compute_expiry(rule, utc("2026-01-01"), BADGE_END) == utc("2027-12-31")
        assert compute_expiry(rule, utc("2026-05-01"), BADGE_END) == utc("2027-12-31")

    def test_fixed_date_needs_the_date(self):
        with pytest.raises(ValueError, match="fixed_at"):
            ExpiryRule(ExpiryType.ABSOLUTE, kind=AbsoluteExpiryKind.FIXED_DATE)

    def test_with_badge_meta_is_the_badge_end(self):
        rule = ExpiryRule(ExpiryType.ABSOLUTE, kind="WITH_BADGE_META")
        assert compute_expiry(rule, utc("2026-01-01"), BADGE_END) == BADGE_END
        with pytest.raises(ValueError):
            compute_expiry(rule, utc("2026-01-01"), None)

    def test_absolute_needs_a_kind(self):
        with pytest.raises(ValueError):
            ExpiryRule(ExpiryType.ABSOLUTE)

    def test_never_is_a_hundred_years_from_processing(self):
        rule = ExpiryRule(ExpiryType.NEVER)
        assert compute_expiry(rule, utc("2026-01-19T12:23:16"), BADGE_END) == utc("2126-01-19T12:23:16")
        assert compute_expiry(rule, utc("2024-02-29T01:00"), None) == utc("2124-02-29T01:00")
        assert compute_expiry(rule, utc("2000-02-29T01:00"), None) == utc(
            "2100-02-28T01:00"
        )  # 2100 is not a leap year

    def test_naive_processing_time_is_refused(self):
        with pytest.raises(ValueError):
            compute_expiry(ExpiryRule(ExpiryType.NEVER), datetime(2026, 1, 1), None)

    def test_badge_rules_expose_both_expiries(self):
        rules = BadgeRules(
            utc("2026-01-01"),
            BADGE_END,
            earn_type="ISSUE_EARN",
            earned_expiry=ExpiryRule(ExpiryType.ABSOLUTE, kind="WITH_BADGE_META"),
            issued_expiry=ExpiryRule(ExpiryType.RELATIVE, unit="DAYS", value=14),
        )
        assert rules.enrolment_expires_at(utc("2026-09-02T10:00")) == utc("2026-09-16T10:00")
        assert rules.earned_expires_at(utc("2026-03-02T10:00")) == BADGE_END
        assert BadgeRules(utc("2026-01-01"), None).earned_expires_at(utc("2026-03-02")) is None


class TestStatus:
    START, END = utc("2024-06-01T00:00:00"), utc("2024-06-30T23:59:59")

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            ("2024-05-31T23:59:59", BadgeStatus.UPCOMING),
            ("2024-06-01T00:00:00", BadgeStatus.LIVE),
            ("2024-06-15T12:00:00", BadgeStatus.LIVE),
            ("2024-06-30T23:59:59", BadgeStatus.LIVE),
            ("2024-07-01T00:00:00", BadgeStatus.EXPIRED),
        ],
    )
    def test_bounds_are_inclusive(self, now, expected):
        assert badge_status(self.START, self.END, utc(now)) is expected

    def test_open_ended_never_expires(self):
        assert badge_status(self.START, None, utc("2124-01-01")) is BadgeStatus.LIVE

    def test_now_is_required_to_be_aware(self):
        with pytest.raises(ValueError):
            badge_status(self.START, self.END, datetime(2024, 6, 2))

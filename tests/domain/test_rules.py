"""Edit rules of create/update badge, and how a live fixed-window change takes effect."""

from dataclasses import replace

import pytest

from lib.domain import (
    BadgeDraft,
    ConstraintDraft,
    ConstraintLevel,
    DurationUnit,
    ExpiryDraft,
    FixedWindowChangeKind,
    FixedWindowLimit,
    FixedWindowRule,
    Weekday,
    check_badge,
    cycles,
    first_boundary_on_or_after,
    plan_fixed_window_change,
)
from tests.domain.timeparse import api_days, utc

NOW = utc("2024-04-10T12:00:00")
FIXED_5_DAYS = ConstraintDraft(
    "CUSTOMER_BADGE_FIXED_WINDOW", max_earn_limit=1, duration_type="DAYS", refresh_rate=5
)
ROLLING = ConstraintDraft("CUSTOMER_BADGE_ROLLING_WINDOW", max_earn_for_days=1, roll_for_days=1)
FIXED_VALUE = ConstraintDraft("CUSTOMER_BADGE_FIXED_VALUE", max_earn_limit=100)

VALID = BadgeDraft(
    name="Pet lover",
    start_on=utc("2024-04-15T10:33:20"),
    expires_on=utc("2024-12-31T23:59:59"),
    earn_type="EARN",
    earned_expiry=ExpiryDraft(expiry_type="ABSOLUTE", kind="WITH_BADGE_META", expire_with_badge_meta=True),
    owners=("Loyalty", "Milestones"),
    customer_constraints=(FIXED_5_DAYS,),
    badge_constraints=(
        ConstraintDraft("BADGE_ROLLING_WINDOW", max_earn_limit=100, roll_type="DAYS", roll_value=1),
    ),
)


def codes(violations):
    return [(v.code, v.field) for v in violations]


class TestCreate:
    def test_valid_badge_passes(self):
        assert check_badge(None, VALID, NOW) == []

    def test_every_violation_is_reported_at_once(self):
        draft = replace(VALID, name="  ", start_on=utc("2024-04-01"), expires_on=utc("2024-03-01"), owners=())
        assert codes(check_badge(None, draft, NOW)) == [
            (400, "name"),
            (720, "startOn"),
            (722, "startOn"),
            (724, "expiresOn"),
            (728, "ownership.restrictedToOwners"),
        ]

    def test_messages_are_the_servers(self):
        draft = replace(VALID, start_on=utc("2024-04-01"), owners=None)
        messages = {v.code: v.message for v in check_badge(None, draft, NOW)}
        assert messages == {722: "Start Date cannot be past date", 728: "Atleast one owner is required"}

    def test_migration_allows_a_past_start(self):
        draft = replace(VALID, start_on=utc("2020-01-01"))
        assert codes(check_badge(None, draft, NOW, migration=True)) == []

    def test_start_equal_to_end_is_refused(self):
        draft = replace(VALID, expires_on=VALID.start_on)
        assert (720, "startOn") in codes(check_badge(None, draft, NOW))

    def test_missing_mandatory_fields(self):
        assert codes(check_badge(None, BadgeDraft(owners=("Loyalty",)), NOW)) == [
            (400, "name"),
            (400, "startOn"),
            (400, "expiresOn"),
            (400, "earnType"),
            (400, "earnedBadgeExpiry"),
        ]

    def test_issue_earn_needs_an_enrolment_expiry(self):
        draft = replace(VALID, earn_type="ISSUE_EARN")
        assert codes(check_badge(None, draft, NOW)) == [(400, "issuedBadgeExpiry")]
        ok = replace(draft, issued_expiry=ExpiryDraft(expiry_type="RELATIVE", relative_unit="WEEKS", value=2))
        assert check_badge(None, ok, NOW) == []

    def test_invalid_enum_message(self):
        draft = replace(VALID, earn_type="ISSUE EARN")
        (violation,) = check_badge(None, draft, NOW)
        assert (violation.code, violation.field) == (400, "earnType")
        assert violation.message == (
            "Invalid enum value: 'ISSUE EARN' for the field: 'earnType'. The value must be one of: [EARN, ISSUE_EARN]."
        )

    def test_owner_types_are_case_sensitive(self):
        draft = replace(VALID, owners=("Loyalty", "LOYALTY"))
        (violation,) = check_badge(None, draft, NOW)
        assert violation.field == "ownership.restrictedToOwners[1]"
        assert violation.message.startswith(
            "Invalid enum value: 'LOYALTY' for the field: 'restrictedToOwners[1]'"
        )

    @pytest.mark.parametrize(
        ("expiry", "expected"),
        [
            (ExpiryDraft(), [(400, "earnedBadgeExpiry.expiryType")]),
            (ExpiryDraft(expiry_type="LATER"), [(400, "earnedBadgeExpiry.expiryType")]),
            (ExpiryDraft(expiry_type="ABSOLUTE"), [(400, "earnedBadgeExpiry.type")]),
            (ExpiryDraft(expiry_type="ABSOLUTE", kind="FIXED_DATE"), [(400, "earnedBadgeExpiry.expiresOn")]),
            (ExpiryDraft(expiry_type="ABSOLUTE", kind="FIXED"), [(400, "earnedBadgeExpiry.type")]),
            (
                ExpiryDraft(expiry_type="RELATIVE"),
                [(400, "earnedBadgeExpiry.relativeExpirytype"), (400, "earnedBadgeExpiry.value")],
            ),
            (
                ExpiryDraft(expiry_type="RELATIVE", relative_unit="YEARS", value=1),
                [(400, "earnedBadgeExpiry.relativeExpirytype")],
            ),
            (
                ExpiryDraft(expiry_type="RELATIVE", relative_unit="DAYS", value=0),
                [(400, "earnedBadgeExpiry.value")],
            ),
            (ExpiryDraft(expiry_type="NEVER"), []),
            (ExpiryDraft(expiry_type="ABSOLUTE", kind="FIXED_DATE", fixed_at=utc("2025-01-01")), []),
        ],
    )
    def test_expiry_sub_fields(self, expiry, expected):
        assert codes(check_badge(None, replace(VALID, earned_expiry=expiry), NOW)) == expected

    @pytest.mark.parametrize(
        ("constraint", "expected"),
        [
            (ConstraintDraft(), [(400, "customerConstraints[0].constraintType")]),
            (ConstraintDraft("CUSTOMER_FIXED"), [(400, "customerConstraints[0].constraintType")]),
            (
                ConstraintDraft("CUSTOMER_BADGE_FIXED_WINDOW"),
                [(400, "customerConstraints[0].maxEarnLimit"), (400, "customerConstraints[0].durationType")],
            ),
            (replace(FIXED_5_DAYS, refresh_rate=None), [(400, "customerConstraints[0].refreshRate")]),
            (replace(FIXED_5_DAYS, refresh_rate=0), [(400, "customerConstraints[0].refreshRate")]),
            (replace(FIXED_5_DAYS, duration_type="DAILY"), [(400, "customerConstraints[0].durationType")]),
            (replace(FIXED_5_DAYS, duration_type="WEEKS", refresh_rate=None), []),
            (replace(FIXED_5_DAYS, duration_type="WEEKS", start_day_of_the_week=1), []),
            (
                replace(FIXED_5_DAYS, duration_type="WEEKS", start_day_of_the_week="MON"),
                [(400, "customerConstraints[0].startDayOfTheWeek")],
            ),
            (replace(FIXED_5_DAYS, max_earn_limit=-1), [(400, "customerConstraints[0].maxEarnLimit")]),
            (
                ConstraintDraft("CUSTOMER_BADGE_ROLLING_WINDOW"),
                [(400, "customerConstraints[0].maxEarnForDays")],
            ),
            (
                ConstraintDraft("CUSTOMER_BADGE_ROLLING_WINDOW", max_earn_for_weeks=2),
                [(400, "customerConstraints[0].rollForWeeks")],
            ),
            (ROLLING, []),
            (ConstraintDraft("CUSTOMER_BADGE_NO_LIMIT", max_earn_limit=0), []),
            (FIXED_VALUE, []),
        ],
    )
    def test_customer_constraints(self, constraint, expected):
        draft = replace(VALID, customer_constraints=(constraint,))
        assert codes(check_badge(None, draft, NOW)) == expected

    def test_badge_rolling_window_needs_type_and_value(self):
        draft = replace(VALID, badge_constraints=(ConstraintDraft("BADGE_ROLLING_WINDOW", max_earn_limit=5),))
        assert codes(check_badge(None, draft, NOW)) == [
            (400, "badgeConstraints[0].rollType"),
            (400, "badgeConstraints[0].rollValue"),
        ]


class TestUpdate:
    LIVE_NOW = utc("2024-04-27T08:00:00")

    def test_upcoming_badge_may_move_its_start_and_change_window_type(self):
        edited = replace(VALID, start_on=utc("2024-04-20"), customer_constraints=(ROLLING,))
        assert check_badge(VALID, edited, NOW) == []

    def test_live_badge_start_is_locked(self):
        edited = replace(VALID, start_on=utc("2024-04-16"))
        assert codes(check_badge(VALID, edited, self.LIVE_NOW)) == [(723, "startOn")]

    def test_start_read_back_as_float_seconds_is_unchanged(self):
        echoed = replace(VALID, start_on=utc("2024-04-15T10:33:20.000400"))
        assert check_badge(VALID, echoed, self.LIVE_NOW) == []

    def test_end_cannot_move_into_the_past(self):
        edited = replace(VALID, expires_on=utc("2024-04-26"))
        assert codes(check_badge(VALID, edited, self.LIVE_NOW)) == [(724, "expiresOn")]

    def test_expired_badge_can_be_edited_without_touching_its_end(self):
        saved = replace(VALID, earn_type="ISSUE_EARN", issued_expiry=ExpiryDraft(expiry_type="NEVER"))
        edited = replace(saved, name="Pet lover 2024")
        assert check_badge(saved, edited, utc("2025-02-01")) == []

    @pytest.mark.parametrize(
        ("before", "after", "expected"),
        [
            ((FIXED_5_DAYS,), (ROLLING,), [(826, "customerConstraints[0].constraintType")]),
            ((FIXED_5_DAYS,), (FIXED_VALUE,), [(826, "customerConstraints[0].constraintType")]),
            ((ROLLING,), (FIXED_5_DAYS,), [(826, "customerConstraints[0].constraintType")]),
            ((FIXED_VALUE,), (ROLLING, FIXED_5_DAYS), [(826, "customerConstraints[1].constraintType")]),
            ((FIXED_VALUE, FIXED_5_DAYS), (FIXED_VALUE,), [(826, "customerConstraints[0].constraintType")]),
            ((ROLLING,), (FIXED_VALUE,), []),
            ((FIXED_VALUE,), (ROLLING,), []),
            ((FIXED_5_DAYS,), (replace(FIXED_5_DAYS, duration_type="MONTHS"),), []),
            ((FIXED_5_DAYS,), (), []),
        ],
    )
    def test_window_type_changes_once_live(self, before, after, expected):
        saved = replace(VALID, customer_constraints=before)
        edited = replace(VALID, customer_constraints=after)
        assert codes(check_badge(saved, edited, self.LIVE_NOW)) == expected
        assert check_badge(saved, edited, NOW) == []  # still upcoming: anything goes

    def test_levels_are_checked_separately(self):
        saved = replace(VALID, customer_constraints=(FIXED_5_DAYS,), badge_constraints=())
        edited = replace(
            VALID,
            customer_constraints=(FIXED_5_DAYS,),
            badge_constraints=(ConstraintDraft("BADGE_FIXED_VALUE", max_earn_limit=10),),
        )
        assert check_badge(saved, edited, self.LIVE_NOW) == []


class TestFixedWindowChange:
    START, END = utc("2024-04-15T10:33:20"), utc("2024-07-31T23:59:59")
    SAVED = FixedWindowLimit(ConstraintLevel.CUSTOMER, 1, FixedWindowRule(DurationUnit.DAYS, refresh_rate=5))

    def plan(self, edited, now):
        return plan_fixed_window_change(self.SAVED, edited, utc(now), self.START, self.END)

    def test_before_the_start_the_config_is_replaced(self):
        edited = FixedWindowLimit(ConstraintLevel.CUSTOMER, 2, FixedWindowRule(DurationUnit.MONTHS))
        got = self.plan(edited, "2024-04-10")
        assert got.kind is FixedWindowChangeKind.REPLACED and got.active == edited and got.upcoming is None

    def test_only_the_max_changes_in_place(self):
        got = self.plan(replace(self.SAVED, max_earn=3), "2024-04-27")
        assert got.kind is FixedWindowChangeKind.MAX_UPDATED
        assert got.active == replace(self.SAVED, max_earn=3) and got.upcoming is None

    def test_unchanged(self):
        assert self.plan(self.SAVED, "2024-04-27").kind is FixedWindowChangeKind.UNCHANGED

    def test_documented_switch_from_five_days_to_months(self):
        monthly = FixedWindowLimit(ConstraintLevel.CUSTOMER, 4, FixedWindowRule(DurationUnit.MONTHS))
        got = self.plan(monthly, "2024-04-27T08:00")
        assert got.kind is FixedWindowChangeKind.NEW_UPCOMING_CONFIG
        assert got.starts_at == utc("2024-05-01")
        old = got.active.layout(self.START, self.END).cycles()
        new = got.upcoming.layout(self.START, self.END).cycles()
        assert api_days(old) == [
            ("2024-04-15", "2024-04-19"),
            ("2024-04-20", "2024-04-24"),
            ("2024-04-25", "2024-04-29"),
            ("2024-04-30", "2024-04-30"),
        ]
        assert api_days(new) == [
            ("2024-05-01", "2024-05-31"),
            ("2024-06-01", "2024-06-30"),
            ("2024-07-01", "2024-07-31"),
        ]
        assert got.active.max_earn == 1 and got.upcoming.max_earn == 4

    def test_new_days_config_starts_when_the_running_cycle_ends(self):
        got = self.plan(
            replace(self.SAVED, rule=FixedWindowRule(DurationUnit.DAYS, refresh_rate=2)), "2024-04-21"
        )
        assert got.starts_at == utc("2024-04-25")
        assert api_days(got.upcoming.layout(self.START, self.END).cycles())[0] == ("2024-04-25", "2024-04-26")

    def test_new_weekly_config_starts_on_its_week_start(self):
        weekly = replace(self.SAVED, rule=FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.SUNDAY))
        got = self.plan(weekly, "2024-04-21")  # running cycle ends 2024-04-25 (Thursday)
        assert got.starts_at == utc("2024-04-28")

    def test_editing_an_upcoming_config_replaces_it(self):
        monthly = FixedWindowLimit(
            ConstraintLevel.CUSTOMER,
            4,
            FixedWindowRule(DurationUnit.MONTHS),
            effective_from=utc("2024-05-01"),
        )
        weekly = FixedWindowLimit(ConstraintLevel.CUSTOMER, 2, FixedWindowRule(DurationUnit.WEEKS))
        got = plan_fixed_window_change(monthly, weekly, utc("2024-04-28"), self.START, self.END)
        assert got.kind is FixedWindowChangeKind.REPLACED
        assert got.starts_at == utc("2024-05-06") and got.active.effective_from == utc("2024-05-06")

    def test_level_cannot_change(self):
        with pytest.raises(ValueError):
            self.plan(replace(self.SAVED, level=ConstraintLevel.BADGE), "2024-04-27")

    @pytest.mark.parametrize(
        ("unit", "day", "expected"),
        [
            (DurationUnit.DAYS, "2024-04-30", "2024-04-30"),
            (DurationUnit.DAYS, "2024-04-30T00:00:01", "2024-05-01"),
            (DurationUnit.MONTHS, "2024-04-30", "2024-05-01"),
            (DurationUnit.MONTHS, "2024-05-01", "2024-05-01"),
            (DurationUnit.WEEKS, "2024-05-01", "2024-05-06"),
            (DurationUnit.WEEKS, "2024-05-06", "2024-05-06"),
        ],
    )
    def test_first_boundary_on_or_after(self, unit, day, expected):
        assert first_boundary_on_or_after(unit, Weekday.MONDAY, utc(day)) == utc(expected)


class TestDraftToRules:
    def test_complete_draft_gives_badge_rules(self):
        rules = VALID.to_rules()
        assert [limit.describe() for limit in rules.limits] == [
            "Each customer: 1 per 5-day cycle",
            "All customers: 100 in any rolling day",
        ]
        assert cycles(rules.customer_limits[0].rule, rules.start, rules.end)[0].start == utc("2024-04-15")

    def test_customer_fixed_window_sent_among_badge_constraints_counts_per_customer(self):
        draft = replace(VALID, customer_constraints=(), badge_constraints=(FIXED_5_DAYS,))
        assert [limit.level for limit in draft.to_rules().customer_limits] == [ConstraintLevel.CUSTOMER]

    def test_incomplete_draft_raises(self):
        with pytest.raises(ValueError):
            replace(VALID, customer_constraints=(ConstraintDraft("CUSTOMER_BADGE_FIXED_WINDOW"),)).to_rules()

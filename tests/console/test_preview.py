"""The editor's timeline frames, computed by lib.domain's cycle layout."""

from datetime import UTC, datetime

import pandas as pd

from lib.console.preview import timeline_frames
from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    EarnType,
    ExpiryRule,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    FixedWindowRule,
    NoLimit,
    RollingWindowLimit,
    Weekday,
)

NOW = datetime(2023, 9, 20, tzinfo=UTC)


def _lane(windows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return windows[windows["lane"].str.startswith(prefix)].reset_index(drop=True)


def test_documented_weekly_example_gives_the_documented_cycles():
    """Badge 25 Sep - 30 Oct 2023, weekly from Monday: 25 Sep-1 Oct, 2-8 Oct, ... 30 Oct (reference 7.2.3)."""
    rules = BadgeRules(
        start=datetime(2023, 9, 25, tzinfo=UTC),
        end=datetime(2023, 10, 30, 23, 59, tzinfo=UTC),
        customer_limits=(
            FixedWindowLimit(
                ConstraintLevel.CUSTOMER, 1, FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.MONDAY)
            ),
        ),
    )
    cycles = _lane(timeline_frames(rules, sample=NOW, now=NOW).windows, "Fixed window")
    starts = [d.strftime("%m-%d") for d in cycles["start"]]
    last_days = [(d - pd.Timedelta(days=1)).strftime("%m-%d") for d in cycles["end"]]
    assert list(zip(starts, last_days, strict=True)) == [
        ("09-25", "10-01"),
        ("10-02", "10-08"),
        ("10-09", "10-15"),
        ("10-16", "10-22"),
        ("10-23", "10-29"),
        ("10-30", "10-30"),
    ]
    assert cycles["label"][0] == "Cycle 1: 2023-09-25 .. 2023-10-01 · max 1"


def test_every_limit_kind_and_both_expiries_get_a_lane():
    rules = BadgeRules(
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime(2024, 12, 31, tzinfo=UTC),
        earn_type=EarnType.ISSUE_EARN,
        customer_limits=(
            FixedWindowLimit(ConstraintLevel.CUSTOMER, 1, FixedWindowRule(DurationUnit.DAYS, 5)),
            RollingWindowLimit(ConstraintLevel.CUSTOMER, 2, DurationUnit.WEEKS, 1),
        ),
        badge_limits=(FixedValueLimit(ConstraintLevel.BADGE, 1000), NoLimit(ConstraintLevel.BADGE)),
        earned_expiry=ExpiryRule(ExpiryType.RELATIVE, DurationUnit.WEEKS, 2),
        issued_expiry=ExpiryRule(ExpiryType.NEVER),
    )
    sample = datetime(2024, 3, 10, 12, tzinfo=UTC)
    timeline = timeline_frames(rules, sample=sample, now=NOW)
    lanes = list(dict.fromkeys(timeline.windows["lane"]))
    assert lanes[0] == "Badge period"
    assert [lane.split(" · ")[0] for lane in lanes[1:]] == [
        "Fixed window",
        "Rolling",
        "Lifetime",
        "No limit",
        "Enrolment (sample)",
        "Earned badge (sample)",
    ]
    rolling = _lane(timeline.windows, "Rolling").iloc[0]
    assert (rolling["start"], rolling["end"]) == (
        pd.Timestamp("2024-03-03 12:00"),
        pd.Timestamp("2024-03-10 12:00"),
    )
    earned = _lane(timeline.windows, "Earned").iloc[0]
    assert earned["end"] == pd.Timestamp("2024-03-24 12:00")  # relative expiry from processing time
    enrolment = _lane(timeline.windows, "Enrolment").iloc[0]
    assert "never expires" in enrolment["label"]
    assert list(timeline.markers["label"]) == ["today", "sample earn"]


def test_five_year_daily_badge_has_one_row_per_cycle():
    rules = BadgeRules(
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2030, 12, 31, 23, 59, tzinfo=UTC),
        badge_limits=(FixedWindowLimit(ConstraintLevel.BADGE, 100, FixedWindowRule(DurationUnit.DAYS)),),
    )
    windows = timeline_frames(rules, sample=NOW, now=NOW).windows
    assert len(_lane(windows, "Fixed window")) == 1826


def test_open_ended_badge_is_drawn_for_a_year():
    rules = BadgeRules(
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=None,
        customer_limits=(
            FixedWindowLimit(ConstraintLevel.CUSTOMER, 1, FixedWindowRule(DurationUnit.MONTHS)),
        ),
    )
    windows = timeline_frames(rules, sample=datetime(2024, 1, 1, tzinfo=UTC), now=NOW).windows
    assert len(_lane(windows, "Fixed window")) in (12, 13)

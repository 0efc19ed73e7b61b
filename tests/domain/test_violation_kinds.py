"""Each violation says what kind of problem it is, so no reader has to parse its message."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lib.domain import BadgeDraft, ConstraintDraft, check_badge
from lib.domain.rules import START_LOCKED, WINDOW_TYPE_LOCKED, ViolationKind

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LIVE = BadgeDraft(
    name="Live",
    start_on=NOW - timedelta(days=10),
    expires_on=NOW + timedelta(days=100),
    earn_type="EARN",
    owners=("Loyalty",),
    customer_constraints=(
        ConstraintDraft(
            "CUSTOMER_BADGE_FIXED_WINDOW", max_earn_limit=1, duration_type="DAYS", refresh_rate=1
        ),
    ),
)


def test_a_blank_badge_is_missing_its_mandatory_fields():
    found = check_badge(None, BadgeDraft(), NOW)
    missing = [v for v in found if v.kind is ViolationKind.MISSING]
    assert missing and all(v.message.endswith("is mandatory") and v.code == 400 for v in missing)
    assert [v for v in found if v.message.endswith("is mandatory")] == missing


def test_what_a_started_badge_cannot_change_is_locked():
    edited = replace(
        LIVE,
        start_on=LIVE.start_on + timedelta(days=1),
        customer_constraints=(ConstraintDraft("CUSTOMER_BADGE_FIXED_VALUE", max_earn_limit=1),),
    )
    found = check_badge(LIVE, edited, NOW)
    assert {v.code for v in found if v.kind is ViolationKind.LOCKED} == {START_LOCKED, WINDOW_TYPE_LOCKED}


def test_a_refused_value_is_invalid():
    edited = replace(LIVE, start_on=NOW + timedelta(days=5), earn_type="ISSUE EARN")
    found = [v for v in check_badge(None, edited, NOW) if v.field == "earnType"]
    assert found and all(v.kind is ViolationKind.INVALID for v in found)

"""From wire models to the domain: the badge draft the edit rules check and the rules earns follow."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.api import parse_request, parse_response
from lib.api.convert import badge_draft, badge_rules
from lib.api.models import BadgeCreate
from lib.domain import (
    AbsoluteExpiryKind,
    ConstraintLevel,
    DurationUnit,
    EarnType,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    NoLimit,
    RollingWindowLimit,
    Weekday,
    check_badge,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2024, 5, 1, tzinfo=UTC)


def fixture(path: str) -> str:
    return (FIXTURES / path).read_text(encoding="utf-8")


def test_a_documented_badge_becomes_its_earn_rules():
    envelope = parse_response(
        "GET",
        "/api_gateway/v1/badges/badgeMeta/662749408fe258516a88fe89",
        fixture("get_badge/response-2024-export-fixed-window-statistics.json"),
    )
    rules = badge_rules(envelope.data)
    assert rules.start == datetime(2024, 5, 27, 9, 51, 27, tzinfo=UTC)
    assert rules.end == datetime(2024, 9, 20, 3, 46, 40, tzinfo=UTC)
    assert rules.earn_type is EarnType.EARN
    (customer,) = rules.customer_limits
    (badge,) = rules.badge_limits
    assert isinstance(customer, FixedWindowLimit) and customer.max_earn == 1
    assert customer.rule.unit is DurationUnit.DAYS and customer.rule.refresh_rate == 3
    assert isinstance(badge, FixedWindowLimit) and badge.max_earn == 2
    assert rules.earned_expiry.type is ExpiryType.ABSOLUTE
    assert rules.earned_expiry.kind is AbsoluteExpiryKind.WITH_BADGE_META


def test_every_limit_kind_of_a_documented_create_is_carried_over():
    request = parse_request(
        "POST",
        "/api_gateway/v1/badges/badgeMeta",
        fixture("create_badge/request-2024-export-issue-earn-rolling-window.json"),
    )
    rules = badge_rules(request)
    assert rules.earn_type is EarnType.ISSUE_EARN
    assert {type(limit) for limit in rules.customer_limits} == {RollingWindowLimit, FixedValueLimit}
    assert len([limit for limit in rules.customer_limits if isinstance(limit, RollingWindowLimit)]) == 3
    assert {(type(limit), getattr(limit, "unit", None)) for limit in rules.badge_limits} == {
        (FixedValueLimit, None),
        (RollingWindowLimit, DurationUnit.DAYS),
        (RollingWindowLimit, DurationUnit.WEEKS),
    }
    assert rules.earned_expiry.unit is DurationUnit.WEEKS and rules.earned_expiry.value == 2
    assert rules.issued_expiry.fixed_at == datetime(2031, 1, 15, 9, 32, 37, tzinfo=UTC)


def test_a_customer_window_sent_among_badge_limits_counts_per_customer():
    request = parse_request(
        "POST",
        "/api_gateway/v1/badges/badgeMeta",
        fixture("create_badge/request-2026-openapi-earn-type-fixed-window.json"),
    )
    rules = badge_rules(request)
    assert [limit.level for limit in rules.customer_limits] == [ConstraintLevel.CUSTOMER]
    assert rules.customer_limits[0].rule.week_start is Weekday.TUESDAY
    assert rules.badge_limits[0].rule.week_start is Weekday.TUESDAY  # sent as the number 1


def test_no_limit_entries_become_no_limits():
    badge = BadgeCreate.model_validate(
        {
            "name": "n",
            "startOn": 1716803487,
            "expiresOn": 1726804000,
            "earnType": "EARN",
            "earnedBadgeExpiry": {"expiryType": "NEVER"},
            "customerConstraints": [{"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}],
            "badgeConstraints": [{"constraintType": "BADGE_NO_LIMIT", "maxEarnLimit": 0}],
        }
    )
    rules = badge_rules(badge)
    assert rules.limits == (NoLimit(ConstraintLevel.CUSTOMER), NoLimit(ConstraintLevel.BADGE))
    assert rules.earned_expiry.type is ExpiryType.NEVER


def test_the_iso_twin_wins_in_the_draft_too():
    draft = badge_draft({"startOn": 1716803487, "startOnISO": "2024-06-01T00:00:00+05:30"})
    assert draft.start_on == datetime(2024, 5, 31, 18, 30, tzinfo=UTC)


def test_a_model_and_its_wire_body_give_the_same_draft():
    request = parse_request(
        "POST",
        "/api_gateway/v1/badges/badgeMeta",
        fixture("create_badge/request-2024-export-earn-type-fixed-window.json"),
    )
    assert badge_draft(request) == badge_draft(request.to_wire())


def test_a_raw_body_keeps_unknown_spellings_for_the_servers_message():
    draft = badge_draft(
        {
            "name": "Weekly",
            "startOn": 1716803487,
            "expiresOn": 1726804000,
            "earnType": "ISSUE EARN",
            "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpiryType": "FORTNIGHTS", "value": 2},
            "issuedBadgeExpiry": {"expiryType": "NEVER"},
            "ownership": {"restrictedToOwners": ["LOYALTY"]},
            "customerConstraints": [
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "WEEKLY",
                    "maxEarnLimit": "2",
                }
            ],
        }
    )
    assert draft.earn_type == "ISSUE_EARN"
    assert draft.earned_expiry.relative_unit == "FORTNIGHTS"
    assert draft.customer_constraints[0].duration_type == "WEEKS"
    assert draft.customer_constraints[0].max_earn_limit == 2
    violations = {(v.code, v.field) for v in check_badge(None, draft, NOW)}
    assert (400, "ownership.restrictedToOwners[0]") in violations
    assert any(code == 400 and "relativeExpirytype" in field for code, field in violations)


def test_an_incomplete_badge_says_what_is_missing():
    with pytest.raises(ValueError, match="startOn"):
        badge_rules({"name": "no dates yet"})
    with pytest.raises(TypeError):
        badge_draft(["not", "a", "badge"])

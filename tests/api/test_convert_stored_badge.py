"""`lib.api.convert` reads the sandbox's stored badges: canonical wire JSON with float epoch seconds."""

from datetime import UTC, datetime

from lib.api.convert import badge_draft, badge_rules
from lib.domain import DurationUnit, EarnType, ExpiryType, FixedWindowLimit

STORED = {
    "id": "6630f4d2e4b0a1b2c3d4e5f6",
    "orgId": 100737,
    "name": "Weekly walker",
    "startOn": 1735689600.0,
    "expiresOn": 1767225599.5,
    "earnType": "ISSUE_EARN",
    "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30},
    "issuedBadgeExpiry": {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": 1764547200},
    "ownership": {"restrictedToOwners": ["Loyalty"], "claims": []},
    "customerConstraints": [
        {
            "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
            "durationType": "WEEKS",
            "startDayOfTheWeek": "SUNDAY",
            "maxEarnLimit": 2,
            "referenceId": "0b8f0a7e-1f3a-5c53-9a4e-2a64f0b5d1a1",
        }
    ],
    "badgeConstraints": [],
    "createdOn": 1735000000.25,
}


def test_a_stored_badge_becomes_a_draft():
    draft = badge_draft(STORED)
    assert draft.id == STORED["id"]
    assert draft.start_on == datetime(2025, 1, 1, tzinfo=UTC)
    assert draft.expires_on == datetime(2025, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    assert draft.owners == ("Loyalty",)
    assert draft.issued_expiry is not None
    assert draft.issued_expiry.fixed_at == datetime(2025, 12, 1, tzinfo=UTC)
    (window,) = draft.customer_constraints
    assert window.reference_id == STORED["customerConstraints"][0]["referenceId"]
    assert window.start_day_of_the_week == "SUNDAY"


def test_a_stored_badge_becomes_its_rules():
    rules = badge_rules(STORED)
    assert rules.earn_type is EarnType.ISSUE_EARN
    assert rules.earned_expiry.type is ExpiryType.RELATIVE
    (limit,) = rules.customer_limits
    assert isinstance(limit, FixedWindowLimit)
    assert limit.rule.unit is DurationUnit.WEEKS
    assert rules.badge_limits == ()


def test_an_iso_twin_inside_an_expiry_wins_over_its_epoch_field():
    stored = {
        **STORED,
        "issuedBadgeExpiry": {
            "expiryType": "ABSOLUTE",
            "type": "FIXED_DATE",
            "expiresOn": 1764547200,
            "expiresOnISO": "2025-12-02T00:00:00Z",
        },
    }
    assert badge_draft(stored).issued_expiry.fixed_at == datetime(2025, 12, 2, tzinfo=UTC)

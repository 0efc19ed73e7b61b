"""The file itself: what it leaves out, its order and dates, and how a bad hand edit is reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.api.models import Badge, BadgeGroup, CustomField
from lib.promote.document import DocumentError, document_of, dumps, loads

ANSWER = {
    "id": "6b14d9191b3f653e51cf5c98", "badgeNumericId": 7, "orgId": 50001, "name": "Big Spender",
    "description": "Spend over 500", "startOn": 1764979200.25, "startOnISO": "2025-12-06T00:00:00Z",
    "expiresOn": 1828051200, "expiresOnISO": "2027-12-06T00:00:00Z", "earnType": "EARN", "active": True,
    "earnedBadgeExpiry": {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": 1830000000,
                          "expiresOnISO": "2027-12-28T13:20:00Z", "expireWithBadgeMeta": False},
    "ownership": {"restrictedToOwners": ["Loyalty"], "claims": [{"ownerType": "Loyalty", "referenceId": "p", "isActive": True}]},
    "customerConstraints": [{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "WEEKS", "maxEarnLimit": 2,
                             "startDayOfTheWeek": "MONDAY", "referenceId": "72fac0a9", "cycleStatus": "ACTIVE",
                             "startDate": 1764979200, "endDate": 1828051200, "currentCycle": None}],
    "badgeConstraints": [], "benefits": [], "images": [], "tags": [],
    "customFields": {"Points": "25", "Campaign": "ALWAYS"}, "badgeGroupId": "6b14d9181b3f653e51cf5c92",
    "badgeGroupName": "Spend", "badgeRank": 1, "status": "LIVE", "issuedCount": 10, "earnedCount": 4,
    "createdOn": 1764979200, "createdBy": 75000001, "lastUpdatedOn": 1764979200, "lastUpdatedBy": 75000001,
}  # fmt: skip
GROUPS = [
    BadgeGroup(id="6b14d9181b3f653e51cf5c92", name="Spend", rank=2),
    BadgeGroup(id="6b14d9181b3f653e51cf5c91", name="Unused", rank=1),
]
FIELDS = [
    CustomField(id="6b14d9181b3f653e51cf5c93", name="Points", data_type="INTEGER", default_value="0"),
    CustomField(id="6b14d9181b3f653e51cf5c94", name="Campaign", data_type="STRING", is_mandatory=True,
                default_value="ALWAYS"),
    CustomField(id="6b14d9181b3f653e51cf5c95", name="Unused", data_type="DATE"),
]  # fmt: skip


def _text() -> str:
    return dumps(document_of([Badge.model_validate(ANSWER)], GROUPS, FIELDS))


def test_the_file_has_names_not_ids_and_nothing_the_server_owns():
    text = _text()
    for owned in ("6b14d9", "badgeNumericId", "orgId", "status", "Count", "createdOn", "lastUpdated", "claims",
                  "referenceId", "cycleStatus", "startDate", "ISO", "Unused", "badgeGroup"):  # fmt: skip
        assert owned not in text, owned
    assert "group: Spend" in text and "rank: 2" in text


def test_dates_are_iso_with_the_zone_and_keys_keep_one_order():
    text = _text()
    assert "startOn: '2025-12-06T00:00:00.250000Z'" in text
    assert "expiresOn: '2027-12-28T13:20:00Z'" in text  # the fixed earned-badge expiry
    assert (
        text.index("name: Big Spender")
        < text.index("earnType")
        < text.index("startOn")
        < text.index("group: Spend")
    )
    assert text.index("Campaign: ALWAYS") < text.index("Points: '25'")  # custom values by name
    assert loads(text).badges[0].definition.starts == datetime(2025, 12, 6, 0, 0, 0, 250000, tzinfo=UTC)
    assert dumps(loads(text)) == text


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (("earnType: EARN", "earnType: SOMETIMES"), "badges[0].earnType"),
        (("  badgeRank: 1", "  badgeRank: 1\n  status: LIVE"), "badges[0].status: not a badge field"),
        (
            ("    maxEarnLimit: 2", "    maxEarnLimit: 2\n    maxEarnLimt: 3"),
            "customerConstraints[0].maxEarnLimt",
        ),
        (("  group: Spend", "  badgeGroupId: x"), "name the group with `group`"),
        (("- name: Points", "- name: Campaign"), "custom field 'Campaign' appears twice"),
        (("format: badge-console/badges", "format: other"), "format: badge-console/badges"),
        (("startOn: '2025-12-06T00:00:00.250000Z'", "startOn: 2025-12-06T00:00:00"), "badges[0].startOn"),
    ],
)
def test_a_bad_hand_edit_names_the_place(edit, problem):
    old, new = edit
    text = _text()
    assert old in text
    with pytest.raises(DocumentError) as error:
        loads(text.replace(old, new, 1))
    assert problem in str(error.value)


def test_select_keeps_the_groups_and_fields_the_badges_use():
    document = document_of([Badge.model_validate(ANSWER)], GROUPS, FIELDS)
    assert document.select([]).groups == () and document.select([]).custom_fields == ()
    assert document.select(["Big Spender"]) == document

"""Contract: the customer views (#15-#17) and customer identifier look-ups."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from lib.api.errors import APIStatusError, BadRequestError, NotFoundError
from tests.sandbox.conftest import LOYALTY


@pytest.fixture
def known_customer(sandbox):
    """Customer 7001 with every identifier (the API has no call to create customers; sandbox only)."""
    sandbox.add_customers(
        [{"customerId": 7001, "email": "ada@example.com", "mobile": "919800007001", "externalId": "EXT-7001",
          "cardNumber": "CARD7001"}]
    )  # fmt: skip
    return 7001


def _ids(badges) -> list[str]:
    return [b.badge_meta_id for b in badges]


def test_customer_badges_available_and_earned(client, make_badge):
    direct = make_badge(badgeRank=2)
    enrol = make_badge(earnType="ISSUE_EARN", badgeRank=1)
    available = _ids(client.iter_badges_for_customer(customer_id=301))
    assert direct.id in available and enrol.id not in available  # not enrolled: not open to this customer
    client.issue_bulk(badge_id=enrol.id, customers=[301])
    available = _ids(client.iter_badges_for_customer(customer_id=301))
    assert available.index(enrol.id) < available.index(direct.id)  # sortOn RANK: rank 1 first
    client.earn(badge_id=direct.id, customer_id=301, triggered_by=LOYALTY)
    earned = {
        b.badge_meta_id: b for b in client.iter_badges_for_customer(customer_id=301, badge_type="EARNED")
    }
    assert earned[direct.id].earned_count >= 1 and earned[direct.id].last_earned_on_date is not None
    assert enrol.id not in earned


def test_management_list_filters(client, make_badge):
    direct = make_badge(name=f"Direct {uuid.uuid4().hex[:8]}")
    enrol = make_badge(earnType="ISSUE_EARN")
    assert enrol.id in _ids(client.iter_customer_badges(customer_id=302))  # AVAILABLE_TO_ISSUE by default
    client.issue_bulk(badge_id=enrol.id, customers=[302])
    assert enrol.id not in _ids(client.iter_customer_badges(customer_id=302))
    available = client.list_customer_badges(customer_id=302, badge_type="AVAILABLE", name=direct.name)
    assert [(b.badge_meta_id, b.badge_type, b.badge_status) for b in available.customer_badges] == [
        (direct.id, "EARN", "LIVE")
    ]
    client.earn(badge_id=enrol.id, customer_id=302, triggered_by=LOYALTY)
    earned = {
        b.badge_meta_id: b
        for b in client.iter_customer_badges(customer_id=302, badge_type="EARNED", page_size=1)
    }
    assert (earned[enrol.id].earn_count, earned[enrol.id].issue_status) == (1, "ACTIVE")


def test_expired_earns_move_to_expired(client, sandbox, make_badge, now):
    badge = make_badge(earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 1})
    client.earn(badge_id=badge.id, customer_id=303, triggered_by=LOYALTY)
    sandbox.set_clock(now + timedelta(days=2))
    assert client.get_customer_badges(customer_id=303, badge_type="EARNED").badges == []
    with_expired = client.get_customer_badges(customer_id=303, badge_type="EARNED", include_expired=True)
    assert [b.badge_meta_id for b in with_expired.badges] == [badge.id]
    expired = client.list_customer_badges(customer_id=303, badge_type="EXPIRED")
    assert [b.badge_meta_id for b in expired.customer_badges] == [badge.id]


def test_customer_badge_detail_with_history_and_limit_usage(client, make_badge):
    badge = make_badge(
        earnType="ISSUE_EARN",
        customerConstraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "WEEKS", "maxEarnLimit": 3},
            {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 5, "rollForDays": 2},
        ],
        badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 99}],
    )
    issue = client.issue_bulk(badge_id=badge.id, customers=[304], triggered_by=LOYALTY).issued_badges[0]
    earned = client.earn(badge_id=badge.id, customer_id=304, triggered_by=LOYALTY)
    plain = client.get_customer_badge(customer_id=304, badge_id=badge.id)
    assert plain.id == badge.id and plain.active_earned_count == 1 and plain.issual_details is None
    detail = client.get_customer_badge(customer_id=304, badge_id=badge.id, include_statistics=True)
    assert detail.badge_type == "ISSUE_EARN" and detail.action == "ACTIVATED" and detail.owner == ["Loyalty"]
    assert [(i.issue_id, i.issued_status, i.owner_type) for i in detail.issual_details.issuals] == [
        (issue.issued_id, "ACTIVE", "Loyalty")
    ]
    assert [(e.earned_badge_id, e.earned_status) for e in detail.earn_details.earns] == [
        (earned.earned_badge_id, "ACTIVE")
    ]
    usage = {
        (c.constraint_type, c.earn_constraint_block_statistics.current_earn_count)
        for c in detail.customer_constraints
    }
    assert usage == {("FIXED_WINDOW", 1), ("ROLLING_WINDOW", 1)}
    assert [(c.constraint_type, c.max_earn_limit) for c in detail.badge_constraints] == [("OVERALL", 99)]


@pytest.mark.parametrize(
    "identifier, value",
    [
        ("email", "ada@example.com"),
        ("mobile", "919800007001"),
        ("externalId", "EXT-7001"),
        ("cardNumber", "CARD7001"),
    ],
)
def test_identifier_lookups(client, make_badge, known_customer, identifier, value):
    badge = make_badge()
    earned = client.earn(badge_id=badge.id, customer_id=known_customer, triggered_by=LOYALTY)
    views = client.get_customer_badges(customer_id=value, identifier=identifier, badge_type="EARNED")
    assert [b.badge_meta_id for b in views.badges] == [badge.id]
    page = client.list_customer_badges(customer_id=value, identifier=identifier, badge_type="EARNED")
    assert [b.badge_meta_id for b in page.customer_badges] == [badge.id]
    detail = client.get_customer_badge(customer_id=value, identifier=identifier, badge_id=badge.id)
    assert detail.active_earned_count == 1
    revoked = client.revoke_earn(badge_id=badge.id, customer_id=value, identifier=identifier,
                                 earned_badge_id=earned.earned_badge_id)  # fmt: skip
    assert revoked.is_active is False


def test_unknown_customer_is_1026_and_bad_identifier_type_1028(client, known_customer):
    with pytest.raises(NotFoundError) as missing:
        client.get_customer_badges(customer_id="nobody@example.com", identifier="email")
    assert missing.value.code == 1026
    with pytest.raises(BadRequestError) as invalid:
        client.send_raw(
            "GET",
            "/api_gateway/v1/badges/customer/ada@example.com",
            headers={"X-CAP-CUSTOMER-IDENTIFIER": "passport"},
        )
    assert invalid.value.code == 1028


def test_detail_of_an_unknown_badge_is_404(client):
    with pytest.raises(APIStatusError) as info:
        client.get_customer_badge(customer_id=305, badge_id="0" * 24)
    assert info.value.status_code == 404


def test_fixed_window_counts_for_a_customer_named_by_identifier(client, make_badge, known_customer):
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "MONTHS",
                              "maxEarnLimit": 3}]
    )  # fmt: skip
    client.earn(badge_id=badge.id, customer_id=known_customer, triggered_by=LOYALTY)
    answer = client.send_raw(
        "GET",
        "/api_gateway/v1/badges/badgeMeta/getFixedWindowDetails",
        params={"badgeMetaId": badge.id, "constraintType": "CUSTOMER", "customerId": "ada@example.com",
                "includeEarnCount": "true"},
        headers={"X-CAP-CUSTOMER-IDENTIFIER": "email"},
    )  # fmt: skip
    data = answer.json()["data"]
    assert data["customerId"] == known_customer
    assert sum(c["earnCount"] for c in data["fixedWindowCycles"]) == 1


def test_repeated_query_parameters_read_as_a_list(client, make_badge):
    live = make_badge()
    answer = client.send_raw(
        "GET", f"/api_gateway/v1/badges/badgeMeta?status=LIVE&status=UPCOMING&limit=50&name={live.name}"
    )
    assert live.id in [b["id"] for b in answer.json()["data"]["metaBasicDetails"]]

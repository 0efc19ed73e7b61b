"""Contract: enrolment, earning, revoking and import (#9-#14) and their errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lib.api.client import failed_items
from lib.api.errors import (
    APIStatusError,
    BadRequestError,
    ConflictError,
    DuplicateRequestError,
    NotFoundError,
)
from tests.sandbox.conftest import LOYALTY, rid

ISSUE = "/api_gateway/v1/badges/badgeMeta/customer/issueBulk"
EARN = "/api_gateway/v1/badges/customer/earn"
EARN_BULK = "/api_gateway/v1/badges/customer/earnBulk"
REVOKE_ISSUE = "/api_gateway/v1/badges/badgeMeta/customer/revokeIssue"


def test_issue_bulk_enrols_and_reports_overlaps_per_customer(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    first = client.issue_bulk(
        badge_id=badge.id, customers=[11, 12, 12], request_id=rid("enrol-1"), triggered_by=LOYALTY
    )
    assert first.badge_meta_id == badge.id and first.request_id == rid("enrol-1")
    assert [i.customer_id for i in first.issued_badges] == [11, 12, 12]
    assert first.issued_badges[0].status == "ACTIVE" and first.issued_badges[0].error is None
    duplicate = first.issued_badges[2]
    assert duplicate.error.code == 1040 and duplicate.issued_id == first.issued_badges[1].issued_id
    again = client.issue_bulk(badge_id=badge.id, customers=[11, 13])
    assert [(f.customer_id, f.code) for f in failed_items(again)] == [(11, 1040)]
    assert again.issued_badges[0].issued_id == first.issued_badges[0].issued_id
    assert (first.expires_on - first.expires_on_iso).total_seconds() == pytest.approx(0, abs=1)


def test_a_reused_request_id_is_809_and_changes_nothing(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    client.issue_bulk(badge_id=badge.id, customers=[21], request_id=rid("batch-7"))
    with pytest.raises(DuplicateRequestError) as info:
        client.issue_bulk(badge_id=badge.id, customers=[22], request_id=rid("batch-7"))
    assert info.value.code == 809 and info.value.status_code == 400
    assert client.get_badge(badge_id=badge.id, include_statistics=True).issued_count == 1


def test_a_refused_call_leaves_its_request_id_unused(client, make_badge, now):
    badge = make_badge(earnType="ISSUE_EARN")
    with pytest.raises(BadRequestError) as info:
        client.issue_bulk(badge_id=badge.id, customers=[31], request_id=rid("retry-me"),
                          issue_event_date=now + timedelta(days=90))  # fmt: skip
    assert info.value.code == 816
    assert (
        client.issue_bulk(badge_id=badge.id, customers=[31], request_id=rid("retry-me"))
        .issued_badges[0]
        .error
        is None
    )


def test_revoke_issue_by_customer_and_by_issual(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    issued = client.issue_bulk(badge_id=badge.id, customers=[41, 42, 43]).issued_badges
    by_customer = client.revoke_issue(badge_id=badge.id, customers=[41, 49])
    assert [
        (r.customer_id, r.error.code if r.error else None) for r in by_customer.revoked_issued_badges
    ] == [
        (41, None),
        (49, 404),
    ]
    pairs = [
        {"customerId": 42, "issueId": issued[1].issued_id},
        {"customerId": 42, "issueId": issued[2].issued_id},
    ]
    by_issual = client.revoke_issue(badge_id=badge.id, revoke_issuals=pairs, customers=[43])
    errors = [r.error for r in by_issual.revoked_issued_badges]
    assert errors[0] is None and errors[1].message == "issue doesn't belong to customer"
    detail = client.get_customer_badge(customer_id=41, badge_id=badge.id, include_statistics=True)
    assert [i.issued_status for i in detail.issual_details.issuals] == ["REVOKED"]


def test_revoke_issue_needs_customers_or_issuals_1051(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    with pytest.raises(APIStatusError) as info:
        client.send("POST", REVOKE_ISSUE, json={"badgeMetaId": badge.id})
    assert (info.value.status_code, info.value.code) == (200, 1051)  # documented as a 200 body


def test_revoke_issue_of_an_unknown_badge_is_404(client):
    with pytest.raises(NotFoundError):
        client.revoke_issue(badge_id="0" * 24, customers=[1])


def test_earn_direct_badge_and_expiry_from_processing_time(client, make_badge, now):
    badge = make_badge()
    event = now - timedelta(hours=5)
    earned = client.earn(badge_id=badge.id, customer_id=51, triggered_by=LOYALTY, request_id=rid("e-1"),
                         earn_event_date=event)  # fmt: skip
    assert earned.issued_id is None and len(earned.earned_badge_id) == 24
    assert abs(earned.expires_on - now - timedelta(days=10)) < timedelta(seconds=5)  # not from the event date
    with pytest.raises(DuplicateRequestError):
        client.earn(badge_id=badge.id, customer_id=51, triggered_by=LOYALTY, request_id=rid("e-1"))


def test_earn_enrol_type_needs_an_enrolment_811_and_links_it(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    with pytest.raises(ConflictError) as info:
        client.earn(badge_id=badge.id, customer_id=61, triggered_by=LOYALTY)
    assert info.value.code == 811 and info.value.status_code == 409
    issued = client.issue_bulk(badge_id=badge.id, customers=[61]).issued_badges[0]
    earned = client.earn(badge_id=badge.id, customer_id=61, triggered_by=LOYALTY)
    assert earned.issued_id == issued.issued_id


def test_earn_needs_a_matching_claim_810(client, make_badge):
    badge = make_badge(claim=False)
    with pytest.raises(ConflictError) as info:
        client.earn(badge_id=badge.id, customer_id=71, triggered_by=LOYALTY)
    assert info.value.code == 810


def test_earn_of_an_upcoming_badge_is_815(client, make_badge, now):
    badge = make_badge(startOn=now + timedelta(days=1))
    with pytest.raises(ConflictError) as info:
        client.earn(badge_id=badge.id, customer_id=72, triggered_by=LOYALTY)
    assert info.value.code == 815


def test_earn_event_date_rules_750_and_816(client, make_badge, now):
    badge = make_badge()
    with pytest.raises(BadRequestError) as future:
        client.earn(
            badge_id=badge.id, customer_id=73, triggered_by=LOYALTY, earn_event_date=now + timedelta(days=2)
        )
    assert future.value.code == 750
    assert client.earn(badge_id=badge.id, customer_id=73, triggered_by=LOYALTY,
                       earn_event_date=now + timedelta(hours=20)).earned_badge_id  # fmt: skip
    with pytest.raises(BadRequestError) as before:
        client.earn(
            badge_id=badge.id, customer_id=73, triggered_by=LOYALTY, earn_event_date=now - timedelta(days=3)
        )
    assert before.value.code == 816


def test_earn_missing_fields_have_their_own_codes(client, make_badge):
    badge = make_badge()
    base = {"badgeMetaId": badge.id, "customerId": 74, "requestId": "m-1", "triggeredBy": LOYALTY}
    for field, code in (("requestId", 804), ("customerId", 812)):
        body = {k: v for k, v in base.items() if k != field}
        with pytest.raises(BadRequestError) as info:
            client.send_raw("POST", EARN, json=body)
        assert info.value.code == code, field
    with pytest.raises(BadRequestError) as owner:
        client.send_raw("POST", EARN, json={**base, "triggeredBy": {"referenceId": "program-1"}})
    assert owner.value.code == 716


def test_earn_limits_are_enforced(client, make_badge):
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 2}],
        badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "DAYS", "rollValue": 1,
                           "maxEarnLimit": 3}],
    )  # fmt: skip
    for _ in range(2):
        client.earn(badge_id=badge.id, customer_id=81, triggered_by=LOYALTY)
    with pytest.raises(ConflictError) as per_customer:
        client.earn(badge_id=badge.id, customer_id=81, triggered_by=LOYALTY)
    assert "2 in total" in per_customer.value.message
    client.earn(badge_id=badge.id, customer_id=82, triggered_by=LOYALTY)
    result = client.earn_bulk(badge_id=badge.id, customer_ids=[83, 84], triggered_by=LOYALTY)
    assert result.failed_count == 2 and all("rolling" in f.message for f in failed_items(result))


def test_earn_bulk_reports_per_customer(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    client.issue_bulk(badge_id=badge.id, customers=[91, 92])
    result = client.earn_bulk(badge_id=badge.id, customer_ids=[91, 92, 93, 91], triggered_by=LOYALTY,
                              request_id=rid("eb-1"))  # fmt: skip
    assert [e.customer_id for e in result.earned()] == [91, 92]
    assert (result.total_count, result.earned_count, result.failed_count) == (4, 2, 2)
    assert sorted((f.customer_id, f.code) for f in failed_items(result)) == [(91, 1040), (93, 811)]
    with pytest.raises(DuplicateRequestError):
        client.earn_bulk(badge_id=badge.id, customer_ids=[92], triggered_by=LOYALTY, request_id=rid("eb-1"))
    with pytest.raises(ConflictError) as unclaimed:
        client.earn_bulk(
            badge_id=badge.id, customer_ids=[92], triggered_by={"ownerType": "Loyalty", "referenceId": "x"}
        )
    assert unclaimed.value.code == 810


def test_revoke_earn_and_814(client, make_badge):
    badge = make_badge()
    earned = client.earn(badge_id=badge.id, customer_id=95, triggered_by=LOYALTY)
    revoked = client.revoke_earn(badge_id=badge.id, customer_id=95, earned_badge_id=earned.earned_badge_id)
    assert revoked.is_active is False and revoked.earned_badge_id == earned.earned_badge_id
    with pytest.raises(ConflictError) as info:
        client.revoke_earn(badge_id=badge.id, customer_id=95, earned_badge_id=earned.earned_badge_id)
    assert info.value.code == 814


def test_import_answers_one_envelope_per_item(client, client2, make_badge, now):
    badge = make_badge()
    foreign = client2.create_badge(
        badge={"name": rid("Other org"), "startOn": now + timedelta(hours=1), "expiresOn": now + timedelta(days=9),
               "earnType": "EARN", "earnedBadgeExpiry": {"expiryType": "NEVER"},
               "ownership": {"restrictedToOwners": ["Loyalty"]}}
    )  # fmt: skip
    item = {"badgeMetaId": badge.id, "customerId": 96, "earnEventDate": now - timedelta(days=400),
            "earnExpiresOn": now - timedelta(days=30)}  # fmt: skip
    answers = client.import_customer_badges(items=[item, item, {**item, "badgeMetaId": foreign.id}])
    assert [a.data is not None for a in answers] == [True, True, False]
    first, second = answers[0].data, answers[1].data
    assert first.earned_badge_id != second.earned_badge_id
    assert first.request_id.endswith("_1") and second.request_id.endswith("_2")
    assert abs(first.expires_on - (now - timedelta(days=30))) < timedelta(seconds=1)
    assert answers[2].errors[0].code == 1054
    raw = client.send_raw("POST", "/api_gateway/v1/badges/import/customerBadges",
                          json=[{**item, "earnEventDate": item["earnEventDate"].timestamp(),
                                 "earnExpiresOn": item["earnExpiresOn"].timestamp()}])  # fmt: skip
    assert raw.status_code == 200

"""Contract: badge definitions (#1-#8) and their errors, through the console's own client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lib.api.errors import APIStatusError, BadRequestError, NotFoundError
from tests.sandbox.conftest import badge_body


def test_create_answers_201_with_the_full_badge(client, now):
    body = badge_body(
        now + timedelta(hours=1),
        startOn=now + timedelta(hours=1),
        customerConstraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "WEEKS", "maxEarnLimit": 2,
             "startDayOfTheWeek": 1}
        ],
        badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 100}],
    )  # fmt: skip
    badge = client.create_badge(badge=body)
    raw = client.request_log.entries()[-1]
    assert raw.status == 201
    assert len(badge.id) == 24 and badge.status == "UPCOMING" and badge.active is True
    assert badge.name == body["name"] and badge.ownership.restricted_to_owners == ["Loyalty"]
    window = badge.customer_constraints[0]
    assert window.start_day_of_the_week == "TUESDAY"  # 1 = TUESDAY (0 = MONDAY)
    assert window.reference_id and window.cycle_status == "UPCOMING"
    assert badge.badge_constraints[0].max_earn_limit == 100


def test_get_with_statistics_adds_counts_and_the_current_cycle(client, make_badge):
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS",
                              "refreshRate": 3, "maxEarnLimit": 1}]
    )  # fmt: skip
    plain = client.get_badge(badge_id=badge.id)
    assert plain.issued_count is None and plain.earned_count is None
    stats = client.get_badge(badge_id=badge.id, include_statistics=True)
    assert (stats.issued_count, stats.earned_count) == (0, 0)
    cycle = stats.customer_constraints[0].current_cycle
    assert cycle.start_date.hour == 0 and (cycle.end_date - cycle.start_date).days == 2
    assert stats.status == "LIVE"


def test_list_filters_and_pages(client, make_badge, now):
    live = make_badge()
    enrol = make_badge(earnType="ISSUE_EARN")
    upcoming = client.create_badge(badge=badge_body(now, startOn=now + timedelta(days=2)))
    page = client.list_badges(limit=1, earn_type="EARN", status=["LIVE"])
    assert len(page.meta_basic_details) == 1 and page.pagination.size == 1
    assert page.pagination.total >= 1 and page.pagination.total_pages == page.pagination.total
    live_direct = {b.id: b for b in client.iter_badges(page_size=1, earn_type="EARN", status=["LIVE"])}
    assert live.id in live_direct and enrol.id not in live_direct and upcoming.id not in live_direct
    assert live_direct[live.id].issued_count == 0 and live_direct[live.id].earned_count == 0
    upcoming_ids = {b.id for b in client.iter_badges(page_size=5, status=["UPCOMING"])}
    assert upcoming.id in upcoming_ids and live.id not in upcoming_ids
    unclaimed = {b.id for b in client.iter_badges(unclaimed=True)}
    assert upcoming.id in unclaimed and live.id not in unclaimed
    assert live.id in {b.id for b in client.iter_badges(claimed_by="Loyalty")}


def test_update_keeps_omitted_fields_and_enforces_edit_rules(client, make_badge, now):
    badge = make_badge()
    updated = client.update_badge(
        badge={"id": badge.id, "description": "new text", "expiresOn": now + timedelta(days=60)}
    )
    assert updated.description == "new text" and updated.name == badge.name
    assert updated.expires_on > badge.expires_on
    with pytest.raises(BadRequestError) as started:
        client.update_badge(badge={"id": badge.id, "startOn": now + timedelta(days=1)})
    assert started.value.code == 723
    with pytest.raises(BadRequestError) as past:
        client.update_badge(badge={"id": badge.id, "expiresOn": now - timedelta(hours=1)})
    assert 724 in past.value.codes


def test_live_fixed_window_cannot_become_a_rolling_window(client, make_badge):
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "MONTHS",
                              "maxEarnLimit": 2}]
    )  # fmt: skip
    with pytest.raises(BadRequestError) as info:
        client.update_badge(
            badge={"id": badge.id, "customerConstraints": [
                {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 1}]}
        )  # fmt: skip
    assert info.value.code == 826


def test_create_reports_every_broken_rule_at_once(client, make_badge, now):
    existing = make_badge()
    body = badge_body(
        now, name=existing.name, startOn=now - timedelta(days=2), ownership={"restrictedToOwners": []}
    )
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", "/api_gateway/v1/badges/badgeMeta", json=_wire(body))
    assert set(info.value.codes) >= {728, 725, 722}
    assert info.value.codes[0] == 728


def test_start_after_end_is_720(client, now):
    body = badge_body(now, startOn=now + timedelta(days=5), expiresOn=now + timedelta(days=2))
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", "/api_gateway/v1/badges/badgeMeta", json=_wire(body))
    assert info.value.code == 720


def test_owner_not_enabled_for_the_org_is_714(client, now):
    body = badge_body(now + timedelta(hours=1), startOn=now + timedelta(hours=1),
                      ownership={"restrictedToOwners": ["Loyalty_Promotion"]})  # fmt: skip
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", "/api_gateway/v1/badges/badgeMeta", json=_wire(body))
    assert info.value.code == 714 and info.value.reference == "ownership.restrictedToOwners"


def test_invalid_enum_is_400_with_the_server_wording(client, now):
    body = _wire(badge_body(now + timedelta(hours=1), startOn=now + timedelta(hours=1)))
    body["earnType"] = "SOMETIMES"
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", "/api_gateway/v1/badges/badgeMeta", json=body)
    assert info.value.code == 400
    assert "Invalid enum value: 'SOMETIMES' for the field: 'earnType'" in info.value.message


def test_activation_switch(client, make_badge):
    badge = make_badge()
    assert client.deactivate_badge(badge_id=badge.id).is_active is False
    assert client.get_badge(badge_id=badge.id).active is False
    assert client.activate_badge(badge_id=badge.id).is_active is True


def test_claim_and_unclaim(client, make_badge):
    badge = make_badge(claim=False)
    claim = client.claim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="program-9")
    assert claim.is_active is True and claim.reference_id == "program-9"
    claims = client.get_badge(badge_id=badge.id).ownership.claims
    assert [(c.owner_type, c.reference_id, c.is_active) for c in claims] == [("Loyalty", "program-9", True)]
    assert (
        client.unclaim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="program-9").is_active
        is False
    )
    with pytest.raises(APIStatusError) as info:
        client.unclaim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="program-9")
    assert info.value.code == 737
    with pytest.raises(BadRequestError) as other:
        client.claim_badge(badge_id=badge.id, owner_type="Journeys", reference_id="j-1")
    assert other.value.code == 714


def test_unknown_badge_is_404(client):
    with pytest.raises(NotFoundError) as info:
        client.get_badge(badge_id="0" * 24)
    assert info.value.code == 404 and info.value.message == "Passed badge is not found"


def test_fixed_window_details_lists_cycles_with_earn_counts(client, make_badge, now):
    badge = make_badge(
        startOn=now - timedelta(days=10),
        expiresOn=now + timedelta(days=10),
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS",
                              "refreshRate": 7, "maxEarnLimit": 5}],
        badgeConstraints=[{"constraintType": "BADGE_FIXED_WINDOW", "durationType": "MONTHS", "maxEarnLimit": 50}],
    )  # fmt: skip
    client.earn(
        badge_id=badge.id, customer_id=42, triggered_by={"ownerType": "Loyalty", "referenceId": "program-1"}
    )
    details = client.get_fixed_window_details(
        badge_id=badge.id, constraint_type="CUSTOMER", customer_id=42, include_earn_count=True, size=50
    )
    cycles = details.fixed_window_cycles
    assert len(cycles) == 3 and all(c.constraint_type == "CUSTOMER" for c in cycles)
    assert [(c.end_date - c.start_date).days for c in cycles[:2]] == [6, 6]
    assert sum(c.earn_count for c in cycles) == 1
    everything = list(client.iter_fixed_window_cycles(badge_id=badge.id, page_size=2))
    assert {c.constraint_type for c in everything} == {"CUSTOMER", "BADGE"}
    assert everything == sorted(everything, key=lambda c: c.start_date)


def _wire(body):
    """A create body as JSON (datetimes as epoch seconds), for calls the client would refuse to send."""
    out = {}
    for key, value in body.items():
        out[key] = value.timestamp() if hasattr(value, "timestamp") else value
    return out

"""Behaviour the sandbox takes from `lib.domain`: live fixed-window changes, deactivation, ended
enrol-type badges, limit windows moving with the clock. Sandbox only (the clock is moved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lib.api.errors import BadRequestError, ConflictError
from tests.sandbox.conftest import LOYALTY

START = datetime(2024, 4, 15, 10, 33, 20, tzinfo=UTC)  # the documented 5-day example


@pytest.fixture
def five_day_badge(client, sandbox, make_badge):
    sandbox.set_clock(START + timedelta(hours=1))
    return make_badge(
        startOn=START,
        expiresOn=datetime(2024, 6, 30, tzinfo=UTC),
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS",
                              "refreshRate": 5, "maxEarnLimit": 1}],
    )  # fmt: skip


def test_a_live_change_of_cycle_shape_starts_a_new_config_at_its_boundary(client, sandbox, five_day_badge):
    sandbox.set_clock(datetime(2024, 4, 27, 12, tzinfo=UTC))  # inside the 04-25..04-29 cycle
    old_reference = five_day_badge.customer_constraints[0].reference_id
    updated = client.update_badge(
        badge={"id": five_day_badge.id, "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "MONTHS", "maxEarnLimit": 2}]}
    )  # fmt: skip
    new = updated.customer_constraints[0]
    assert new.reference_id != old_reference and new.cycle_status == "UPCOMING"
    assert new.start_date == datetime(2024, 5, 1, tzinfo=UTC)
    cycles = list(client.iter_fixed_window_cycles(badge_id=five_day_badge.id, page_size=100))
    spans = [(c.start_date.date().isoformat(), c.end_date.date().isoformat(), c.fixed_window_cycle_reference_id)
             for c in cycles]  # fmt: skip
    assert spans[:3] == [("2024-04-15", "2024-04-19", old_reference), ("2024-04-20", "2024-04-24", old_reference),
                         ("2024-04-25", "2024-04-29", old_reference)]  # fmt: skip
    assert spans[3] == ("2024-04-30", "2024-04-30", old_reference)
    assert spans[4] == ("2024-05-01", "2024-05-31", new.reference_id)
    assert spans[-1] == ("2024-06-01", "2024-06-30", new.reference_id)


def test_only_max_changes_in_place_and_counts_follow_the_event_date(client, sandbox, five_day_badge):
    sandbox.set_clock(datetime(2024, 4, 22, 9, tzinfo=UTC))
    client.earn(badge_id=five_day_badge.id, customer_id=1, triggered_by=LOYALTY)
    with pytest.raises(ConflictError):  # 1 per 5-day cycle
        client.earn(badge_id=five_day_badge.id, customer_id=1, triggered_by=LOYALTY)
    retro = client.earn(badge_id=five_day_badge.id, customer_id=1, triggered_by=LOYALTY,
                        earn_event_date=datetime(2024, 4, 16, tzinfo=UTC))  # fmt: skip
    assert retro.earned_badge_id  # counted in the cycle of its event date, which had room
    reference = five_day_badge.customer_constraints[0].reference_id
    updated = client.update_badge(
        badge={"id": five_day_badge.id, "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS", "refreshRate": 5,
             "maxEarnLimit": 2}]}
    )  # fmt: skip
    assert updated.customer_constraints[0].reference_id == reference
    client.earn(badge_id=five_day_badge.id, customer_id=1, triggered_by=LOYALTY)
    sandbox.set_clock(datetime(2024, 4, 25, 0, tzinfo=UTC))  # next cycle: the count starts again
    client.earn(badge_id=five_day_badge.id, customer_id=1, triggered_by=LOYALTY)


def test_deactivated_badges_refuse_enrolments_earns_and_claims(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    client.deactivate_badge(badge_id=badge.id)
    for call in (
        lambda: client.issue_bulk(badge_id=badge.id, customers=[1]),
        lambda: client.earn(badge_id=badge.id, customer_id=1, triggered_by=LOYALTY),
        lambda: client.claim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="p-2"),
    ):
        with pytest.raises(ConflictError) as info:
            call()
        assert info.value.code == 815


def test_an_ended_enrol_badge_can_still_be_earned_on_a_valid_enrolment(client, sandbox, make_badge, now):
    badge = make_badge(earnType="ISSUE_EARN", expiresOn=now + timedelta(days=1),
                       issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5})  # fmt: skip
    client.issue_bulk(badge_id=badge.id, customers=[8])
    sandbox.set_clock(now + timedelta(days=3))
    assert client.get_badge(badge_id=badge.id).status == "EXPIRED"
    assert client.earn(badge_id=badge.id, customer_id=8, triggered_by=LOYALTY).earned_badge_id
    with pytest.raises(BadRequestError) as info:  # and no new enrolments once it has ended
        client.issue_bulk(badge_id=badge.id, customers=[9])
    assert info.value.code == 816
    direct = make_badge(startOn=now - timedelta(days=2), expiresOn=now + timedelta(days=1))
    with pytest.raises(ConflictError) as ended:
        client.earn(badge_id=direct.id, customer_id=8, triggered_by=LOYALTY)
    assert ended.value.code == 815


def test_enrolment_expiry_allows_a_new_enrolment(client, sandbox, make_badge, now):
    badge = make_badge(earnType="ISSUE_EARN")
    first = client.issue_bulk(badge_id=badge.id, customers=[10]).issued_badges[0]
    sandbox.set_clock(now + timedelta(days=6))  # the 5-day enrolment has expired
    second = client.issue_bulk(badge_id=badge.id, customers=[10]).issued_badges[0]
    assert second.error is None and second.issued_id != first.issued_id
    sandbox.set_clock(now + timedelta(days=12))
    with pytest.raises(ConflictError) as info:
        client.earn(badge_id=badge.id, customer_id=10, triggered_by=LOYALTY)
    assert info.value.code == 811

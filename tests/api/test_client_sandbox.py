"""The client against the local sandbox over real HTTP, including the failures the retry policy is for:
a write that was committed but answered too late, a dropped connection, 503 with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient, failed_items
from lib.api.errors import (
    APIConnectionError,
    AuthenticationError,
    DuplicateRequestError,
    InternalServerError,
    NotFoundError,
)

TRIGGER = {"ownerType": "Loyalty", "referenceId": "program-1"}


@pytest.fixture(autouse=True)
def no_faults(sandbox):
    """The shared session sandbox, without fault rules before and after each test."""
    sandbox.clear_faults()
    yield
    sandbox.clear_faults()


@pytest.fixture
def badge_id(client, sandbox):
    """A live enrol-type badge claimed by the loyalty program (created in migration mode: it starts
    in the past)."""
    now = sandbox.now()
    badge = client.create_badge(
        badge={
            "name": f"Enrol {now.timestamp()}",
            "startOn": now - timedelta(days=1),
            "expiresOn": now + timedelta(days=30),
            "earnType": "ISSUE_EARN",
            "earnedBadgeExpiry": {"expiryType": "NEVER"},
            "issuedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5},
            "ownership": {"restrictedToOwners": ["Loyalty"]},
        },
        migration=True,
    )
    client.claim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="program-1")
    client.request_log.clear()
    return badge.id


def test_enrol_earn_and_read_back(client, badge_id):
    issued = client.issue_bulk(badge_id=badge_id, customers=[501, 502], triggered_by=TRIGGER)
    assert failed_items(issued) == []
    again = client.issue_bulk(badge_id=badge_id, customers=[501])
    assert [(f.customer_id, f.code) for f in failed_items(again)] == [(501, 1040)]

    earned = client.earn(badge_id=badge_id, customer_id=501, triggered_by=TRIGGER)
    detail = client.get_customer_badge(customer_id=501, badge_id=badge_id, include_statistics=True)
    assert detail.id == badge_id
    names = [b.badge_meta_id for b in client.iter_customer_badges(customer_id=501, badge_type="EARNED")]
    assert badge_id in names

    revoked = client.revoke_earn(badge_id=badge_id, customer_id=501, earned_badge_id=earned.earned_badge_id)
    assert revoked.is_active is False
    assert any(b.id == badge_id for b in client.iter_badges(page_size=2))


def test_committed_but_late_write_comes_back_as_a_duplicate_to_check(client, sandbox, badge_id):
    sandbox.set_faults([{"kind": "commit_then_delay", "path_suffix": "issueBulk", "delay": 1.0, "count": 1}])
    late = BadgesClient(
        sandbox.base_url, BasicAuth("demo", "demo"), timeout=0.3, connect_timeout=2, sleep=lambda _: None
    )
    with late, pytest.raises(DuplicateRequestError) as info:
        late.issue_bulk(badge_id=badge_id, customers=[601], request_id="late-batch-1")
    assert info.value.after_ambiguous_attempt and info.value.ambiguous
    entries = late.request_log.entries()
    assert [e.status for e in entries] == [None, 400]
    assert entries[0].request_body == entries[1].request_body
    # Reconciliation finds the first attempt applied.
    detail = client.get_customer_badge(customer_id=601, badge_id=badge_id, include_statistics=True)
    assert detail.issual_details is not None and detail.issual_details.issuals


def test_a_dropped_write_without_request_id_is_not_resent(client, sandbox, badge_id):
    sandbox.set_faults([{"kind": "drop_before_commit", "path_suffix": "/claim", "count": 1}])
    with pytest.raises(APIConnectionError) as info:
        client.claim_badge(badge_id=badge_id, owner_type="Loyalty", reference_id="program-2")
    assert info.value.sent and info.value.ambiguous
    assert len(client.request_log) == 1


def test_reads_ride_out_503_with_retry_after(client, sandbox, badge_id):
    sandbox.set_faults(
        [{"path_suffix": badge_id, "method": "GET", "status": 503, "retry_after": "1", "count": 2}]
    )
    assert client.get_badge(badge_id=badge_id).id == badge_id
    assert [e.status for e in client.request_log.entries()] == [503, 503, 200]


def test_a_failing_import_is_sent_once(client, sandbox, badge_id):
    sandbox.set_faults([{"path_suffix": "customerBadges", "status": 503, "count": 1}])
    now = sandbox.now()
    item = {
        "badgeMetaId": badge_id,
        "customerId": 701,
        "earnEventDate": now,
        "earnExpiresOn": now + timedelta(days=3),
    }
    with pytest.raises(InternalServerError):
        client.import_customer_badges(items=[item])
    assert len(client.request_log) == 1


def test_wrong_credentials_and_unknown_badge(client, sandbox):
    with (
        BadgesClient(sandbox.base_url, BasicAuth("demo", "wrong")) as wrong,
        pytest.raises(AuthenticationError),
    ):
        wrong.get_org_meta()
    with pytest.raises(NotFoundError):
        client.get_badge(badge_id="0" * 24)

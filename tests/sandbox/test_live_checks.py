"""Checks of the sandbox's inferred choices against a real cluster (FIDELITY.md, "Inferred").

Run only when `BADGES_TEST_BASE_URL` and credentials point the suite at Capillary; a failure means
the real service differs from the sandbox's guess, and the sandbox (and FIDELITY.md) should change.
"""

from __future__ import annotations

import uuid

import pytest

from lib.api.errors import APIStatusError, BadRequestError
from tests.conftest import live_mode
from tests.sandbox.conftest import LOYALTY

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not live_mode(), reason="checks the real cluster (set BADGES_TEST_BASE_URL)"),
]


def test_a_refused_call_leaves_its_request_id_unused(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    request_id = f"live-refused-{uuid.uuid4().hex}"
    with pytest.raises(APIStatusError) as refused:
        client.earn(badge_id=badge.id, customer_id=1, triggered_by=LOYALTY, request_id=request_id)
    assert refused.value.code == 811
    client.issue_bulk(badge_id=badge.id, customers=[1])
    assert client.earn(badge_id=badge.id, customer_id=1, triggered_by=LOYALTY, request_id=request_id)


def test_the_earn_limit_answer_matches_the_sandbox(client, make_badge):
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}]
    )
    client.earn(badge_id=badge.id, customer_id=2, triggered_by=LOYALTY)
    with pytest.raises(APIStatusError) as info:
        client.earn(badge_id=badge.id, customer_id=2, triggered_by=LOYALTY)
    assert (info.value.status_code, info.value.code) == (409, 1042)


def test_request_ids_are_scoped_per_endpoint(client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    request_id = f"live-scope-{uuid.uuid4().hex}"
    client.issue_bulk(badge_id=badge.id, customers=[3], request_id=request_id)
    assert client.earn(badge_id=badge.id, customer_id=3, triggered_by=LOYALTY, request_id=request_id)
    with pytest.raises(BadRequestError) as again:
        client.issue_bulk(badge_id=badge.id, customers=[4], request_id=request_id)
    assert again.value.code == 809

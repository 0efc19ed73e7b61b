"""Requests the sandbox must refuse: no or wrong credentials, another org's data, oversized or
malformed bodies."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import httpx
import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from lib.api.errors import AuthenticationError, BadRequestError, NotFoundError, PayloadTooLargeError
from tests.sandbox.conftest import LOYALTY, basic_header, rid

BADGES = "/api_gateway/v1/badges/badgeMeta"


def _basic(username: str, password_md5: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password_md5}".encode()).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": _basic("demo", hashlib.md5(b"wrong").hexdigest())},
        {"Authorization": _basic("demo", "demo")},  # the plain password: Capillary expects its MD5
        {"Authorization": _basic("nobody", hashlib.md5(b"demo").hexdigest())},
        {"Authorization": "Basic not-base64!"},
        {"X-CAP-API-OAUTH-TOKEN": "made-up"},
    ],
    ids=["none", "wrong-password", "unhashed-password", "unknown-user", "garbage", "unknown-token"],
)
def test_missing_or_wrong_credentials_get_the_401_envelope(api_base_url, headers):
    answer = httpx.get(api_base_url + BADGES, headers=headers)
    assert answer.status_code == 401
    body = answer.json()
    assert body["data"] is None and body["errors"][0]["code"] == 401


def test_the_client_maps_401(api_base_url):
    with BadgesClient(api_base_url, BasicAuth("demo", "not-it")) as wrong, pytest.raises(AuthenticationError):
        wrong.list_groups()


def test_an_org_never_sees_another_orgs_data(client, client2, make_badge):
    badge = make_badge()
    earned = client.earn(badge_id=badge.id, customer_id=401, triggered_by=LOYALTY)
    assert badge.id not in {b.id for b in client2.iter_badges()}
    with pytest.raises(NotFoundError):
        client2.get_badge(badge_id=badge.id)
    with pytest.raises(NotFoundError):
        client2.issue_bulk(badge_id=badge.id, customers=[401])
    with pytest.raises(NotFoundError):
        client2.claim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="mine-now")
    with pytest.raises(NotFoundError):
        client2.revoke_earn(badge_id=badge.id, customer_id=401, earned_badge_id=earned.earned_badge_id)
    assert badge.id not in {
        b.badge_meta_id for b in client2.iter_badges_for_customer(customer_id=401, badge_type="EARNED")
    }
    # The same requestId is free in another org.
    client.earn(badge_id=badge.id, customer_id=402, triggered_by=LOYALTY, request_id=rid("shared-id"))
    other = make_badge()
    assert other.id != badge.id


def test_request_ids_are_scoped_per_org(client, client2, make_badge, now):
    mine = make_badge(earnType="ISSUE_EARN")
    client.issue_bulk(badge_id=mine.id, customers=[1], request_id=rid("same"))
    theirs = client2.create_badge(
        badge={"name": rid("Theirs"), "startOn": now - timedelta(days=1), "expiresOn": now + timedelta(days=5),
               "earnType": "ISSUE_EARN", "earnedBadgeExpiry": {"expiryType": "NEVER"},
               "issuedBadgeExpiry": {"expiryType": "NEVER"}, "ownership": {"restrictedToOwners": ["Loyalty"]}},
        migration=True,
    )  # fmt: skip
    assert (
        client2.issue_bulk(badge_id=theirs.id, customers=[1], request_id=rid("same")).issued_badges[0].error
        is None
    )


def test_oversized_body_is_413_with_a_clear_message(client, sandbox):
    customers = list(range(1, 900_000))  # about 6 MB of JSON, over the 5 MB limit
    with pytest.raises(PayloadTooLargeError) as info:
        client.send_raw(
            "POST",
            "/api_gateway/v1/badges/badgeMeta/customer/issueBulk",
            json={"badgeMetaId": "0" * 24, "customers": customers},
        )
    assert info.value.status_code == 413 and "5 MB" in info.value.message


@pytest.mark.parametrize("payload", [b'{"name": "x",', b"[1, 2", b"\xff\xfe", b'{"name": }'])
def test_malformed_json_is_400_json_parse_error(api_base_url, payload):
    answer = httpx.post(
        api_base_url + BADGES,
        content=payload,
        headers={
            "Authorization": _basic("demo", hashlib.md5(b"demo").hexdigest()),
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["code"] == 400 and error["message"].startswith("JSON parse error")


def test_wrong_types_and_unknown_endpoints(client, api_base_url):
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", BADGES, json={"name": 5, "earnType": "EARN", "earnedBadgeExpiry": []})
    assert info.value.code == 400
    answer = httpx.get(
        api_base_url + "/api_gateway/v1/badges/nothingHere", headers={"Authorization": basic_header()}
    )
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == 404

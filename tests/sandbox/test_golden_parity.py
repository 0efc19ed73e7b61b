"""Parity with the documented examples in `tests/fixtures/` (copied from Capillary's docs, never
produced by our code): the sandbox accepts the documented requests and answers at least every
field the documented responses show. This is the independent check that the sandbox and the shared
models are not wrong the same way."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from tests.sandbox.conftest import basic_header

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
B = "/api_gateway/v1/badges"
TRIGGER = {"ownerType": "Loyalty", "referenceId": "p1"}


def documented(path: str):
    body = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
    return body["data"] if isinstance(body, dict) and "data" in body else body


def fields(value) -> set[str]:
    return set((value[0] if isinstance(value, list) else value).keys())


@pytest.fixture
def http(sandbox):
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": basic_header()}) as client:
        yield client


@pytest.mark.parametrize("path", sorted(p.name for p in (FIXTURES / "create_badge").glob("request-*.json")))
def test_documented_create_bodies_are_accepted(http, path):
    body = json.loads((FIXTURES / "create_badge" / path).read_text(encoding="utf-8"))
    body["name"] = f"{body.get('name', 'badge')} {uuid.uuid4().hex[:6]}"
    answer = http.post(f"{B}/badgeMeta", json=body, headers={"X-CAP-BADGES-MIGRATION": "migration"})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("path", sorted(p.name for p in (FIXTURES / "issue_bulk").glob("request-*.json")))
def test_documented_enrol_bodies_are_read(http, path):
    body = json.loads((FIXTURES / "issue_bulk" / path).read_text(encoding="utf-8"))
    answer = http.post(f"{B}/badgeMeta/customer/issueBulk", json=body)
    assert answer.status_code == 404, answer.text  # read fine; the documented badge id is not ours


def test_answers_carry_every_documented_field(http, sandbox, now):
    sandbox.add_customers([{"customerId": 7001, "email": "a@example.com"}])
    body = {
        "name": "Parity", "startOn": now.timestamp() - 86400, "expiresOn": now.timestamp() + 30 * 86400,
        "earnType": "ISSUE_EARN", "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "issuedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS",
                                 "refreshRate": 3, "maxEarnLimit": 5}],
    }  # fmt: skip
    created = http.post(f"{B}/badgeMeta", json=body, headers={"X-CAP-BADGES-MIGRATION": "migration"}).json()[
        "data"
    ]
    badge = created["id"]
    claim = http.post(f"{B}/badgeMeta/{badge}/claim", json=TRIGGER).json()["data"]
    issued = http.post(f"{B}/badgeMeta/customer/issueBulk",
                       json={"badgeMetaId": badge, "customers": [7001, 7002], "triggeredBy": TRIGGER}).json()["data"]  # fmt: skip
    earned = http.post(f"{B}/customer/earn", json={"badgeMetaId": badge, "customerId": 7001, "requestId": "p-1",
                                                    "triggeredBy": TRIGGER}).json()["data"]  # fmt: skip
    group = http.post(f"{B}/group", json={"name": "g", "rank": 1}).json()["data"]
    field = http.post(f"{B}/customField", json={"name": "f", "dataType": "STRING"}).json()["data"]
    earned_view = http.get(f"{B}/customer/7001", params={"badgeType": "EARNED"}).json()["data"]
    ours = {
        "create_badge/response-2024-export-issue-earn-type.json": created,
        "get_badge/response-2024-export-fixed-window-statistics.json":
            http.get(f"{B}/badgeMeta/{badge}", params={"includeStatistics": "true"}).json()["data"],
        "claim_badge/response-2026-openapi.json": claim,
        "issue_bulk/response-2024-export-multiple-customers.json": issued,
        "earn/response-2024-export.json": earned,
        "get_customer_badges/response-2024-export-earned.json": earned_view,
        "get_customer_badge/response-2024-export-issuals-statistics.json":
            http.get(f"{B}/management/7001/badge/{badge}", params={"includeStatistics": "true"}).json()["data"],
        "get_fixed_window_details/response-2024-export-earn-count-all.json":
            http.get(f"{B}/badgeMeta/getFixedWindowDetails",
                     params={"badgeMetaId": badge, "includeEarnCount": "true", "customerId": 7001}).json()["data"],
        "revoke_issue/response-2024-export-multiple-customers.json":
            http.post(f"{B}/badgeMeta/customer/revokeIssue", json={"badgeMetaId": badge, "customers": [7002]}).json()["data"],
        "revoke_earn/response-2024-export.json":
            http.post(f"{B}/customer/revokeEarn", json={"badgeMetaId": badge, "customerId": 7001,
                                                        "earnedBadgeId": earned["earnedBadgeId"]}).json()["data"],
        "get_group/response-2024-export.json": http.get(f"{B}/group/{group['id']}").json()["data"],
        "get_custom_field/response-2024-export.json": http.get(f"{B}/customField/{field['id']}").json()["data"],
    }  # fmt: skip
    nested = {
        "issue_bulk/response-2024-export-multiple-customers.json": "issuedBadges",
        "get_customer_badges/response-2024-export-earned.json": "badges",
    }
    missing = {}
    for path, answer in ours.items():
        gaps = fields(documented(path)) - fields(answer)
        if path in nested:
            gaps |= {
                f"{nested[path]}[].{k}"
                for k in fields(documented(path)[nested[path]]) - fields(answer[nested[path]])
            }
        if gaps:
            missing[path] = sorted(gaps)
    management = http.get(f"{B}/management/7001", params={"badgeType": "AVAILABLE"}).json()["data"][
        "customerBadges"
    ]
    documented_items = documented("list_customer_badges/response-2024-export-earned.json")["customerBadges"]
    assert management, "customer 7001 is enrolled, so the badge is available to them"
    if fields(documented_items) - fields(management):
        missing["list_customer_badges"] = sorted(fields(documented_items) - fields(management))
    assert missing == {}

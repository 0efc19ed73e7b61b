"""Every typed method reaches its row of the endpoint table, with the documented method, path, headers,
query and body, and reads the answer into the response model; list methods walk every page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient, CustomerIdentifier
from lib.api.endpoints import ENDPOINTS, match_endpoint
from lib.api.models import (
    ActivationResult,
    Badge,
    BadgeGroup,
    Claim,
    CustomerBadgeDetail,
    CustomField,
    EarnBulkResult,
    EarnResult,
    FixedWindowDetails,
    IssueBulkResult,
    OAuthToken,
    OrgMeta,
    RevokeEarnResult,
    RevokeIssueResult,
)

BASE = "https://eu.api.capillarytech.com"
B = "/api_gateway/v1/badges"
BADGE_ID = "696e2234eba5957293853195"
GROUP_ID = "696e2234eba5957293853196"
FIELD_ID = "696e2234eba5957293853197"
EARNED_ID = "696e2234eba5957293853198"
START = datetime(2026, 2, 1, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)
TRIGGER = {"ownerType": "Loyalty", "referenceId": "program-1"}

BADGE = {
    "id": BADGE_ID,
    "name": "Coffee Lover",
    "earnType": "EARN",
    "startOn": 1769904000,
    "expiresOn": 1798675200,
}
GROUP = {"id": GROUP_ID, "name": "Gold", "rank": 1}
FIELD = {"id": FIELD_ID, "name": "tier", "dataType": "STRING", "isMandatory": False}
ORG_META = {"orgId": 50074, "tags": [{"key": "region", "dataType": "STRING"}]}
PAGE = {"page": 0, "size": 50, "total": 1, "totalPages": 1}


def ok(data, status=200):
    return httpx.Response(status, json={"data": data, "errors": [], "warnings": []})


ANSWERS = {
    "create_badge": ok(BADGE, 201),
    "update_badge": ok(BADGE),
    "list_badges": ok({"metaBasicDetails": [BADGE], "pagination": PAGE}),
    "get_badge": ok(BADGE),
    "activate_badge": ok({"id": BADGE_ID, "isActive": True}),
    "deactivate_badge": ok({"id": BADGE_ID, "isActive": False}),
    "claim_badge": ok({"ownerType": "Loyalty", "referenceId": "program-1", "isActive": True}),
    "unclaim_badge": ok({"ownerType": "Loyalty", "referenceId": "program-1", "isActive": False}),
    "get_fixed_window_details": ok({"badgeMetaId": BADGE_ID, "fixedWindowCycles": [], "pagination": PAGE}),
    "issue_bulk": ok({"badgeMetaId": BADGE_ID, "issuedBadges": [{"customerId": 1, "issuedId": EARNED_ID}]}),
    "revoke_issue": ok(
        {"badgeMetaId": BADGE_ID, "revokedIssuedBadges": [{"customerId": 1, "issuedId": EARNED_ID}]}
    ),
    "earn": ok({"badgeMetaId": BADGE_ID, "customerId": 1, "earnedBadgeId": EARNED_ID, "requestId": "r"}),
    "earn_bulk": ok(
        {"badgeMetaId": BADGE_ID, "earnedBadgesList": [{"customerId": 1, "earnedBadgeId": EARNED_ID}]}
    ),
    "revoke_earn": ok(
        {"badgeMetaId": BADGE_ID, "customerId": 1, "earnedBadgeId": EARNED_ID, "isActive": False}
    ),
    "import_customer_badges": httpx.Response(
        200,
        json=[
            {"data": {"badgeMetaId": BADGE_ID, "customerId": 1, "earnedBadgeId": EARNED_ID}, "errors": None},
            {"data": None, "errors": [{"code": 1054, "message": "GLOBAL.BADGE_NOT_FOUND"}]},
        ],
    ),
    "get_customer_badges": ok({"badges": [{"badgeMetaId": BADGE_ID, "name": "Coffee"}], "pagination": PAGE}),
    "list_customer_badges": ok(
        {"customerBadges": [{"badgeMetaId": BADGE_ID, "name": "Coffee"}], "pagination": PAGE}
    ),
    "get_customer_badge": ok({"id": BADGE_ID, "name": "Coffee"}),
    "create_group": ok(GROUP),
    "update_group": ok(GROUP),
    "list_groups": ok({"badgeGroups": [GROUP], "pagination": PAGE}),
    "get_group": ok(GROUP),
    "create_custom_field": ok(FIELD, 201),
    "update_custom_field": ok(FIELD),
    "list_custom_fields": ok({"customFieldROList": [FIELD], "pagination": PAGE}),
    "get_custom_field": ok(FIELD),
    "create_org_meta": ok(ORG_META),
    "update_org_meta": ok(ORG_META),
    "get_org_meta": ok(ORG_META),
    "generate_oauth_token": ok({"accessToken": "jwt", "ttlSeconds": 300}),
}

NEW_BADGE = {
    "name": "Coffee Lover",
    "startOn": START,
    "expiresOn": END,
    "earnType": "EARN",
    "earnedBadgeExpiry": {"expiryType": "NEVER"},
    "ownership": {"restrictedToOwners": ["Loyalty"]},
}

# (call, endpoint name, expected response type)
CALLS = [
    (lambda c: c.create_badge(badge=NEW_BADGE), "create_badge", Badge),
    (lambda c: c.update_badge(badge={"id": BADGE_ID, "name": "Coffee Fan"}), "update_badge", Badge),
    (lambda c: list(c.iter_badges(status=["LIVE", "UPCOMING"])), "list_badges", list),
    (lambda c: c.get_badge(badge_id=BADGE_ID, include_statistics=True), "get_badge", Badge),
    (lambda c: c.activate_badge(badge_id=BADGE_ID), "activate_badge", ActivationResult),
    (lambda c: c.deactivate_badge(badge_id=BADGE_ID), "deactivate_badge", ActivationResult),
    (
        lambda c: c.claim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="program-1"),
        "claim_badge",
        Claim,
    ),
    (
        lambda c: c.unclaim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="program-1"),
        "unclaim_badge",
        Claim,
    ),
    (
        lambda c: c.get_fixed_window_details(badge_id=BADGE_ID, constraint_type="ALL", customer_id=5),
        "get_fixed_window_details",
        FixedWindowDetails,
    ),
    (
        lambda c: c.issue_bulk(badge_id=BADGE_ID, customers=[1, "2"], triggered_by=TRIGGER),
        "issue_bulk",
        IssueBulkResult,
    ),
    (lambda c: c.revoke_issue(badge_id=BADGE_ID, customers=[1]), "revoke_issue", RevokeIssueResult),
    (
        lambda c: c.earn(badge_id=BADGE_ID, customer_id=1, triggered_by=TRIGGER, request_id="r"),
        "earn",
        EarnResult,
    ),
    (
        lambda c: c.earn_bulk(badge_id=BADGE_ID, customer_ids=[1, 2], triggered_by=TRIGGER),
        "earn_bulk",
        EarnBulkResult,
    ),
    (
        lambda c: c.revoke_earn(badge_id=BADGE_ID, customer_id=1, earned_badge_id=EARNED_ID),
        "revoke_earn",
        RevokeEarnResult,
    ),
    (
        lambda c: c.import_customer_badges(
            items=[{"badgeMetaId": BADGE_ID, "customerId": 1, "earnEventDate": START, "earnExpiresOn": END}]
            * 2
        ),
        "import_customer_badges",
        list,
    ),
    (
        lambda c: list(c.iter_badges_for_customer(customer_id=5, badge_type="EARNED")),
        "get_customer_badges",
        list,
    ),
    (
        lambda c: list(c.iter_customer_badges(customer_id=5, badge_type="AVAILABLE")),
        "list_customer_badges",
        list,
    ),
    (
        lambda c: c.get_customer_badge(customer_id=5, badge_id=BADGE_ID),
        "get_customer_badge",
        CustomerBadgeDetail,
    ),
    (lambda c: c.create_group(name="Gold", rank=1), "create_group", BadgeGroup),
    (lambda c: c.update_group(group_id=GROUP_ID, name="Gold", rank=2), "update_group", BadgeGroup),
    (lambda c: list(c.iter_groups()), "list_groups", list),
    (lambda c: c.get_group(group_id=GROUP_ID), "get_group", BadgeGroup),
    (lambda c: c.create_custom_field(name="tier", data_type="STRING"), "create_custom_field", CustomField),
    (
        lambda c: c.update_custom_field(
            custom_field_id=FIELD_ID, name="tier", data_type="STRING", is_active=False
        ),
        "update_custom_field",
        CustomField,
    ),
    (lambda c: list(c.iter_custom_fields()), "list_custom_fields", list),
    (lambda c: c.get_custom_field(custom_field_id=FIELD_ID), "get_custom_field", CustomField),
    (lambda c: c.create_org_meta(tags=[{"key": "region", "dataType": "STRING"}]), "create_org_meta", OrgMeta),
    (lambda c: c.update_org_meta(tags=[{"key": "region"}]), "update_org_meta", OrgMeta),
    (lambda c: c.get_org_meta(), "get_org_meta", OrgMeta),
    (lambda c: c.generate_oauth_token(key="k", secret="s"), "generate_oauth_token", OAuthToken),
]


class Recorder:
    def __init__(self, answer: httpx.Response) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer


def client_for(handler) -> BadgesClient:
    return BadgesClient(BASE, BasicAuth("store.server", "server123"), transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("call", "name", "returns"), CALLS, ids=[name for _, name, _ in CALLS])
def test_each_method_reaches_its_endpoint(call, name, returns):
    recorder = Recorder(ANSWERS[name])
    with client_for(recorder) as client:
        result = call(client)
    assert isinstance(result, returns)
    (request,) = recorder.requests
    found = match_endpoint(request.method, request.url.path)
    assert found.endpoint.name == name
    assert request.method == found.endpoint.method  # import goes out as PUT, never the POST alias
    if request.content:
        assert request.headers["Content-Type"] == "application/json"


def test_every_endpoint_has_a_typed_method():
    assert {name for _, name, _ in CALLS} == {endpoint.name for endpoint in ENDPOINTS}


def test_create_with_migration_sends_the_migration_header():
    recorder = Recorder(ANSWERS["create_badge"])
    with client_for(recorder) as client:
        client.create_badge(badge=NEW_BADGE, migration=True)
        client.create_badge(badge=NEW_BADGE)
    with_header, without = recorder.requests
    assert with_header.headers["X-CAP-BADGES-MIGRATION"] == "migration"
    assert "x-cap-badges-migration" not in without.headers
    body = json.loads(with_header.content)
    assert body["startOn"] == int(START.timestamp())
    assert body["ownership"] == {"restrictedToOwners": ["Loyalty"]}


def test_import_uses_put_and_keeps_per_item_errors():
    recorder = Recorder(ANSWERS["import_customer_badges"])
    with client_for(recorder) as client:
        results = client.import_customer_badges(
            items=[{"badgeMetaId": BADGE_ID, "customerId": 1, "earnExpiresOn": END}] * 2
        )
    assert recorder.requests[0].method == "PUT"
    assert isinstance(json.loads(recorder.requests[0].content), list)
    assert results[0].data.earned_badge_id == EARNED_ID
    assert results[1].data is None and results[1].errors[0].code == 1054


def test_query_values_are_written_the_documented_way():
    recorder = Recorder(ANSWERS["list_badges"])
    with client_for(recorder) as client:
        client.list_badges(status=["LIVE", "UPCOMING"], unclaimed=True, start_on=START, limit=20)
    query = dict(parse_qsl(recorder.requests[0].url.query.decode()))
    assert query == {
        "status": "LIVE,UPCOMING",
        "unclaimed": "true",
        "startOn": "2026-02-01T00:00:00Z",
        "limit": "20",
        "page": "0",
    }


def test_identifier_enum_and_text_both_work():
    recorder = Recorder(ANSWERS["get_customer_badges"])
    with client_for(recorder) as client:
        client.get_customer_badges(customer_id="+919876543210", identifier=CustomerIdentifier.MOBILE)
        client.get_customer_badges(customer_id="CARD-1", identifier="cardNumber")
    assert [r.headers["X-CAP-CUSTOMER-IDENTIFIER"] for r in recorder.requests] == ["mobile", "cardNumber"]


# ---- pagination -------------------------------------------------------------------------------


class PagedServer:
    """Serves ``total`` numbered items in pages, honouring page and the endpoint's size parameter."""

    def __init__(
        self, total: int, *, items_key: str, size_param: str, item, ignore_page: bool = False
    ) -> None:
        self.total = total
        self.items_key = items_key
        self.size_param = size_param
        self.item = item
        self.ignore_page = ignore_page
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(parse_qsl(request.url.query.decode()))
        self.queries.append(query)
        page = 0 if self.ignore_page else int(query.get("page", 0))
        size = int(query[self.size_param])
        start = page * size
        items = [self.item(n) for n in range(start, min(start + size, self.total))]
        pages = -(-self.total // size)
        pagination = {"page": page, "size": size, "total": self.total, "totalPages": pages}
        return ok({self.items_key: items, "pagination": pagination})


def numbered_badge(n: int) -> dict:
    return {**BADGE, "id": f"{n:024x}", "name": f"Badge {n}"}


def test_list_badges_iterator_fetches_every_page_with_limit():
    server = PagedServer(5, items_key="metaBasicDetails", size_param="limit", item=numbered_badge)
    with client_for(server) as client:
        names = [b.name for b in client.iter_badges(page_size=2, earn_type="EARN")]
    assert names == [f"Badge {n}" for n in range(5)]
    assert [(q["page"], q["limit"], q["earnType"]) for q in server.queries] == [
        ("0", "2", "EARN"),
        ("1", "2", "EARN"),
        ("2", "2", "EARN"),
    ]


def test_customer_badges_iterator_uses_page_and_size():
    server = PagedServer(
        3,
        items_key="customerBadges",
        size_param="size",
        item=lambda n: {"badgeMetaId": f"{n:024x}", "name": f"Badge {n}"},
    )
    with client_for(server) as client:
        pages = client.iter_customer_badges(customer_id=5, page_size=1, badge_type="EARNED")
        assert pages.total == 3
        assert [b.name for b in pages] == ["Badge 0", "Badge 1", "Badge 2"]
    assert [q["page"] for q in server.queries] == ["0", "1", "2"]
    assert all("limit" not in q for q in server.queries)


def test_max_items_stops_before_fetching_more_pages():
    server = PagedServer(
        100, items_key="badgeGroups", size_param="size", item=lambda n: {**GROUP, "name": f"G{n}"}
    )
    with client_for(server) as client:
        groups = list(client.iter_groups(page_size=10, max_items=15))
    assert len(groups) == 15
    assert len(server.queries) == 2


def test_a_server_that_ignores_page_does_not_loop():
    server = PagedServer(
        6,
        items_key="badges",
        size_param="limit",
        item=lambda n: {"badgeMetaId": f"{n:024x}"},
        ignore_page=True,
    )
    with client_for(server) as client:
        badges = list(client.iter_badges_for_customer(customer_id=5, page_size=2))
    assert len(badges) == 2  # the first page only, never repeated
    assert len(server.queries) == 2


def test_empty_list_fetches_one_page():
    server = PagedServer(0, items_key="customFieldROList", size_param="size", item=lambda n: FIELD)
    with client_for(server) as client:
        assert list(client.iter_custom_fields()) == []
    assert len(server.queries) == 1


def test_fixed_window_cycles_iterator():
    server = PagedServer(
        4,
        items_key="fixedWindowCycles",
        size_param="size",
        item=lambda n: {"fixedWindowCycleReferenceId": "ref", "startDate": 1769904000 + n * 86400},
    )
    with client_for(server) as client:
        cycles = list(
            client.iter_fixed_window_cycles(badge_id=BADGE_ID, page_size=3, include_earn_count=False)
        )
    assert len(cycles) == 4
    assert server.queries[0]["badgeMetaId"] == BADGE_ID
    assert server.queries[0]["includeEarnCount"] == "false"


# ---- per-customer failures inside a 200 ---------------------------------------------------------


def test_failed_items_of_every_bulk_shape():
    from lib.api.client import FailedItem, failed_items
    from lib.api.endpoints import parse_response

    overlap = {"code": 1040, "message": "An active issue for the badge already exists."}
    issue = IssueBulkResult.model_validate(
        {
            "badgeMetaId": BADGE_ID,
            "issuedBadges": [
                {"customerId": 1, "issuedId": EARNED_ID, "status": "ACTIVE"},
                {"customerId": 2, "issuedId": EARNED_ID, "status": "ACTIVE", "error": overlap},
            ],
        }
    )
    assert failed_items(issue) == [FailedItem(1, 2, 1040, overlap["message"])]

    revoke = RevokeIssueResult.model_validate(
        {"revokedIssuedBadges": [{"customerId": 3, "error": {"message": "issue doesn't belong to customer"}}]}
    )
    assert failed_items(revoke) == [FailedItem(0, 3, None, "issue doesn't belong to customer")]

    earn_new = EarnBulkResult.model_validate(
        {
            "earnedBadgesList": [],
            "failedEarnBadgeErrorList": [{"customerId": 4, "code": 810, "message": "claim"}],
        }
    )
    earn_old = EarnBulkResult.model_validate({"issuedBadges": [{"customerId": 5, "error": overlap}]})
    assert failed_items(earn_new) == [FailedItem(0, 4, 810, "claim")]
    assert failed_items(earn_old) == [FailedItem(0, 5, 1040, overlap["message"])]

    imported = parse_response("PUT", f"{B}/import/customerBadges", ANSWERS["import_customer_badges"].content)
    assert failed_items(imported) == [FailedItem(1, None, 1054, "GLOBAL.BADGE_NOT_FOUND")]

    clean = IssueBulkResult.model_validate({"issuedBadges": [{"customerId": 1, "issuedId": EARNED_ID}]})
    assert failed_items(clean) == []

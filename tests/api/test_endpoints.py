"""The endpoint table: every documented call is matched from a concrete path, and the parsers report
exactly which field (or which character of the JSON) did not fit."""

from __future__ import annotations

import json

import pytest

from lib.api import (
    ENDPOINTS,
    ENDPOINTS_BY_NAME,
    UnknownEndpointError,
    match_endpoint,
    parse_query,
    parse_request,
    parse_response,
)
from lib.api.endpoints import format_loc
from lib.api.errors import RequestValidationError, ResponseValidationError
from lib.api.models import (
    BadgeCreate,
    BadgeListQuery,
    Envelope,
    FixedWindowQuery,
    ImportEarnedBadge,
    ImportResult,
)
from lib.domain import BadgeStatus

B = "/api_gateway/v1/badges"
BADGE = "662749408fe258516a88fe89"

# Every call of the reference's section 1 (#1-#28) and the OAuth token call, as a concrete request.
CALLS = [
    ("POST", f"{B}/badgeMeta", "create_badge"),
    ("PUT", f"{B}/badgeMeta", "update_badge"),
    ("GET", f"{B}/badgeMeta", "list_badges"),
    ("GET", f"{B}/badgeMeta?status=LIVE,UPCOMING&limit=5", "list_badges"),
    ("GET", f"{B}/badgeMeta/{BADGE}", "get_badge"),
    ("GET", f"{B}/badgeMeta/{BADGE}?includeStatistics=true", "get_badge"),
    ("PUT", f"{B}/badgeMeta/{BADGE}/activate", "activate_badge"),
    ("PUT", f"{B}/badgeMeta/{BADGE}/deactivate", "deactivate_badge"),
    ("POST", f"{B}/badgeMeta/{BADGE}/claim", "claim_badge"),
    ("POST", f"{B}/badgeMeta/{BADGE}/unclaim", "unclaim_badge"),
    ("GET", f"{B}/badgeMeta/getFixedWindowDetails?badgeMetaId={BADGE}", "get_fixed_window_details"),
    ("GET", f"{B}/badgeMeta/getFixedWindowDetails", "get_fixed_window_details"),
    ("POST", f"{B}/badgeMeta/customer/issueBulk", "issue_bulk"),
    ("POST", f"{B}/badgeMeta/customer/revokeIssue", "revoke_issue"),
    ("POST", f"{B}/customer/earn", "earn"),
    ("POST", f"{B}/customer/earnBulk", "earn_bulk"),
    ("POST", f"{B}/customer/revokeEarn", "revoke_earn"),
    ("PUT", f"{B}/import/customerBadges", "import_customer_badges"),
    ("POST", f"{B}/import/customerBadges", "import_customer_badges"),
    ("GET", f"{B}/customer/62090013", "get_customer_badges"),
    ("GET", f"{B}/customer/tom.sawyer%40capillarytech.com?badgeType=EARNED", "get_customer_badges"),
    ("GET", f"{B}/management/62090013?badgeType=AVAILABLE&page=0&size=50", "list_customer_badges"),
    ("GET", f"{B}/management/62090013/badge/{BADGE}?includeStatistics=true", "get_customer_badge"),
    ("POST", f"{B}/group", "create_group"),
    ("PUT", f"{B}/group/6581281e8f68666070de15c5", "update_group"),
    ("GET", f"{B}/group?page=0&size=10", "list_groups"),
    ("GET", f"{B}/group/6581281e8f68666070de15c5", "get_group"),
    ("POST", f"{B}/customField", "create_custom_field"),
    ("PUT", f"{B}/customField/65bb446bfd3e324f2cac8871", "update_custom_field"),
    ("GET", f"{B}/customField?isActive=true", "list_custom_fields"),
    ("GET", f"{B}/customField/65bb3daffd3e324f2cac883c", "get_custom_field"),
    ("POST", f"{B}/orgMeta", "create_org_meta"),
    ("PUT", f"{B}/orgMeta", "update_org_meta"),
    ("GET", f"{B}/orgMeta", "get_org_meta"),
    ("POST", "/v3/oauth/token/generate", "generate_oauth_token"),
]


@pytest.mark.parametrize(("method", "path", "name"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_every_documented_call_finds_its_endpoint(method, path, name):
    assert match_endpoint(method, path).endpoint.name == name


def test_the_table_covers_every_endpoint_once():
    assert {name for _, _, name in CALLS} == set(ENDPOINTS_BY_NAME)
    assert len(ENDPOINTS_BY_NAME) == len(ENDPOINTS)


@pytest.mark.parametrize(
    "path",
    [
        f"https://eu.api.capillarytech.com{B}/badgeMeta/{BADGE}",
        f"https://eucrm.cc.capillarytech.com/{B}/badgeMeta/{BADGE}",
        f"{B}/badgeMeta/{BADGE}/",
        f"{B}/badgeMeta/{BADGE}?includeStatistics=true&order=DESC",
    ],
)
def test_hosts_double_slashes_trailing_slashes_and_queries_do_not_matter(path):
    found = match_endpoint("get", path)
    assert found.endpoint.name == "get_badge"
    assert found.path_params == {"badgeId": BADGE}


def test_literal_segments_win_over_placeholders():
    assert match_endpoint("GET", f"{B}/badgeMeta/getFixedWindowDetails").path_params == {}
    assert match_endpoint("GET", f"{B}/badgeMeta/getFixedWindowDetail").endpoint.name == "get_badge"


def test_path_parameters_are_decoded():
    found = match_endpoint("GET", f"{B}/management/tom.sawyer%40capillarytech.com/badge/{BADGE}")
    assert found.path_params == {"customerId": "tom.sawyer@capillarytech.com", "badgeId": BADGE}
    assert found.query == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"{B}/badgeMeta/{BADGE}"),
        ("GET", f"{B}/badgeMeta/{BADGE}/activate"),
        ("POST", f"{B}/badgeMeta/{BADGE}/Activate"),
        ("GET", "/api_gateway/v2/request-workflow/ISSUE-BADGE"),
        ("GET", "/"),
    ],
)
def test_unknown_calls_are_refused_before_sending(method, path):
    with pytest.raises(UnknownEndpointError, match="no Badges API endpoint"):
        match_endpoint(method, path)
    assert issubclass(UnknownEndpointError, RequestValidationError)


def test_endpoint_paths_are_built_and_quoted_from_parameters():
    endpoint = ENDPOINTS_BY_NAME["get_customer_badge"]
    path = endpoint.path(customerId="tom.sawyer@capillarytech.com", badgeId=BADGE)
    assert path == f"{B}/management/tom.sawyer%40capillarytech.com/badge/{BADGE}"
    assert match_endpoint("GET", path).endpoint is endpoint
    with pytest.raises(RequestValidationError, match="badgeId"):
        endpoint.path(customerId="1")


def test_table_facts_the_client_relies_on():
    writes = {e.name for e in ENDPOINTS if e.is_write}
    assert all(ENDPOINTS_BY_NAME[name].method != "GET" for name in writes)
    assert {e.name for e in ENDPOINTS if e.takes_request_id} == {"issue_bulk", "earn", "earn_bulk"}
    assert {e.name for e in ENDPOINTS if e.success_status == 201} == {"create_badge", "create_custom_field"}
    assert "generate_oauth_token" not in writes
    assert ENDPOINTS_BY_NAME["import_customer_badges"].methods == ("PUT", "POST")


# ---- parse_request ------------------------------------------------------------------------------

CREATE = {
    "name": "Weekly",
    "startOn": 1716803487,
    "expiresOn": 1726804000,
    "earnType": "EARN",
    "earnedBadgeExpiry": {"expiryType": "NEVER"},
    "ownership": {"restrictedToOwners": ["Loyalty"]},
    "customerConstraints": [
        {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "FORTNIGHTLY", "maxEarnLimit": 1}
    ],
}


@pytest.mark.parametrize("encode", [lambda b: b, json.dumps, lambda b: json.dumps(b).encode()])
def test_request_errors_name_the_field_the_wire_way(encode):
    with pytest.raises(RequestValidationError) as info:
        parse_request("POST", f"{B}/badgeMeta", encode(CREATE))
    (problem,) = info.value.problems
    assert problem.field == "customerConstraints[0].durationType"
    assert "'DAYS', 'WEEKS' or 'MONTHS'" in problem.message
    assert "customerConstraints[0].durationType" in str(info.value)


def test_every_problem_is_reported_at_once():
    body = {**CREATE, "earnType": "SOMETIMES", "ownership": {"restrictedToOwners": ["LOYALTY"]}}
    del body["name"]
    with pytest.raises(RequestValidationError) as info:
        parse_request("POST", f"{B}/badgeMeta", body)
    fields = {p.field for p in info.value.problems}
    assert {
        "name",
        "earnType",
        "ownership.restrictedToOwners[0]",
        "customerConstraints[0].durationType",
    } <= fields
    assert "(+" in str(info.value)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"name": "x",, }', "line 1 column 14 (char 13)"),
        (
            '{\n  "badgeMetaId": "b",\n  "issueEventDateISO" : 2024-04-23T13:44:15+05:30\n}',
            "line 3 column 29",
        ),
        ("[1, 2", "line 1 column 6"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_invalid_json_is_reported_with_its_position(body, where):
    with pytest.raises(RequestValidationError) as info:
        parse_request("POST", f"{B}/badgeMeta/customer/issueBulk", body)
    assert where in str(info.value)


@pytest.mark.parametrize("body", [None, "", "   ", b""])
def test_a_missing_body_is_refused_for_calls_that_need_one(body):
    with pytest.raises(RequestValidationError, match="request body required"):
        parse_request("POST", f"{B}/customer/earn", body)


def test_calls_without_a_body_ignore_what_examples_send_anyway():
    assert parse_request("PUT", f"{B}/badgeMeta/{BADGE}/deactivate", '{"active": true}') is None
    assert parse_request("GET", f"{B}/badgeMeta/{BADGE}", None) is None


def test_request_models_come_back_typed():
    assert isinstance(
        parse_request("POST", f"{B}/badgeMeta", {**CREATE, "customerConstraints": []}), BadgeCreate
    )
    items = parse_request(
        "PUT",
        f"{B}/import/customerBadges",
        [
            {"badgeMetaId": "b", "customerId": 1, "earnExpiresOn": 1705828011},
            {
                "badgeMetaId": "b",
                "customerId": "2",
                "earnEventDate": "2024-10-07T15:51:00.192Z",
                "earnExpiresOn": 1705828011,
            },
        ],
    )
    assert [type(i) for i in items] == [ImportEarnedBadge, ImportEarnedBadge]
    with pytest.raises(RequestValidationError) as info:
        parse_request(
            "PUT", f"{B}/import/customerBadges", [{"badgeMetaId": "b", "customerId": "x", "earnExpiresOn": 1}]
        )
    assert info.value.problems[0].field == "[0].customerId"


# ---- parse_query --------------------------------------------------------------------------------


def test_query_parameters_are_typed():
    query = parse_query(
        "GET", f"{B}/badgeMeta?status=LIVE,UPCOMING&unclaimed=true&limit=5&startOn=2023-02-16T00:00:00Z"
    )
    assert isinstance(query, BadgeListQuery)
    assert query.status == [BadgeStatus.LIVE, BadgeStatus.UPCOMING]
    assert query.unclaimed is True and query.limit == 5
    assert query.to_query() == {
        "status": "LIVE,UPCOMING",
        "unclaimed": "true",
        "limit": "5",
        "startOn": "2023-02-16T00:00:00Z",
    }
    fixed = parse_query(
        "GET", f"{B}/badgeMeta/getFixedWindowDetails?badgeMetaId={BADGE}&includeEarnCount=false"
    )
    assert isinstance(fixed, FixedWindowQuery) and fixed.include_earn_count is False
    assert parse_query("GET", f"{B}/orgMeta") is None
    repeated = parse_query("GET", f"{B}/badgeMeta?status=LIVE&status=EXPIRED")
    assert repeated.status == [BadgeStatus.LIVE, BadgeStatus.EXPIRED]


def test_bad_query_values_name_the_parameter():
    with pytest.raises(RequestValidationError) as info:
        parse_query("GET", f"{B}/badgeMeta?status=SOON")
    assert info.value.problems[0].field == "status[0]"
    with pytest.raises(RequestValidationError, match="badgeMetaId"):
        parse_query("GET", f"{B}/badgeMeta/getFixedWindowDetails")


# ---- parse_response -----------------------------------------------------------------------------


def test_import_answers_are_a_list_of_envelopes():
    body = [
        {
            "data": {
                "badgeMetaId": "b",
                "customerId": 1,
                "earnedBadgeId": "e1",
                "expiresOn": 1705828011.0,
                "requestId": "f93f710f169c8390c41ae095986c5a50_1",
            },
            "errors": None,
            "warnings": None,
        },
        {
            "data": None,
            "errors": [{"code": 1054, "message": "GLOBAL.BADGE_NOT_FOUND", "reference": None}],
            "warnings": None,
        },
    ]
    answers = parse_response("PUT", f"{B}/import/customerBadges", body)
    assert [type(a) for a in answers] == [Envelope[ImportResult]] * 2
    assert answers[0].data.request_id.endswith("_1")
    assert answers[1].error_items[0].code == 1054


def test_response_errors_keep_the_raw_body_and_the_field():
    raw = json.dumps({"data": {"id": BADGE, "isActive": "maybe"}, "errors": [], "warnings": []})
    with pytest.raises(ResponseValidationError) as info:
        parse_response("PUT", f"{B}/badgeMeta/{BADGE}/activate", raw)
    assert info.value.body == raw
    assert info.value.problems[0].field == "data.isActive"
    assert info.value.method == "PUT"


@pytest.mark.parametrize("body", [None, "", b"  "])
def test_empty_answers_say_so(body):
    with pytest.raises(ResponseValidationError, match="response body is empty"):
        parse_response("POST", f"{B}/import/customerBadges", body)


def test_invalid_json_answers_say_so():
    with pytest.raises(ResponseValidationError, match="response body is not valid JSON") as info:
        parse_response("GET", f"{B}/orgMeta", "<html>502 Bad Gateway</html>")
    assert info.value.body == "<html>502 Bad Gateway</html>"


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        (
            ("customerConstraints", 0, "CUSTOMER_BADGE_FIXED_WINDOW", "durationType"),
            "customerConstraints[0].durationType",
        ),
        (("data", "benefits", 2, "COUPON", "seriesId"), "data.benefits[2].seriesId"),
        ((0, "data", "customerId", "function-before[parse_customer_id()]"), "[0].data.customerId"),
        (("customerId", "int"), "customerId"),
        ((), None),
    ],
)
def test_error_locations_are_written_as_wire_paths(loc, text):
    assert format_loc(loc) == text

"""The read endpoints read their query once, through the endpoint's query model (`lib.api.models.queries`):
the same model the client builds its URLs from, handed validated to the sandbox's backends."""

from __future__ import annotations

import httpx
import pytest

from lib.api.models.queries import CustomerBadgePageQuery
from tests.sandbox.conftest import basic_header

B = "/api_gateway/v1/badges"


@pytest.fixture
def raw(sandbox):
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": basic_header()}) as http:
        yield http


def _refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 400, answer.text[:300]
    errors = answer.json()["errors"]
    assert any(e["reference"] == field or f"'{field}'" in e["message"] for e in errors), errors


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        (f"{B}/badgeMeta", "sortOn", "name"),
        (f"{B}/badgeMeta", "order", "UP"),
        (f"{B}/customer/5", "sortOn", "EXPIRES_ON"),
        (f"{B}/management/5", "sortOn", "RANK"),
        (f"{B}/management/5", "startOnOperator", "EQUALS"),
        (f"{B}/management/5", "endOnOperator", "EQUALS"),
        (f"{B}/group", "order", "up"),
        (f"{B}/customField", "isActive", "maybe"),
        (f"{B}/badgeMeta/{'0' * 24}", "includeStatistics", "sometimes"),
    ],
)
def test_a_value_outside_a_parameters_reading_is_a_400_naming_it(raw, path, param, value):
    _refused(raw.get(path, params={param: value}), param)


def test_the_sort_enum_message_lists_the_documented_values(raw):
    answer = raw.get(f"{B}/badgeMeta", params={"sortOn": "name"})
    assert answer.json()["errors"][0]["message"] == (
        "Invalid enum value: 'name' for the field: 'sortOn'. The value must be one of: [ID, NAME, START_DATE]."
    )


def test_list_badges_reads_order(client, make_badge):
    first, second = make_badge(), make_badge()

    def ids(**params: str) -> list[str]:
        data = client.send_raw("GET", f"{B}/badgeMeta", params={"limit": "50", **params}).json()["data"]
        return [b["id"] for b in data["metaBasicDetails"] if b["id"] in (first.id, second.id)]

    assert ids() == [second.id, first.id]  # sortOn ID: newest first
    assert ids(order="ASC") == [first.id, second.id]


@pytest.mark.parametrize(("value", "counted"), [("true", True), ("1", True), ("yes", True), ("on", True),
                                                ("false", False), ("0", False), ("off", False)])  # fmt: skip
def test_boolean_parameters_read_as_spring_reads_them(client, make_badge, value, counted):
    badge = make_badge()
    data = client.send_raw("GET", f"{B}/badgeMeta/{badge.id}", params={"includeStatistics": value}).json()[
        "data"
    ]
    assert ("issuedCount" in data) is counted


def test_management_reads_the_openapi_spellings_of_its_filters():
    query = CustomerBadgePageQuery.model_validate({"badgeStatu": "ended", "endOnOperator": "GREATER_THAN"})
    assert query.badge_status == "EXPIRED" and query.expires_on_operator == "GREATER_THAN"
    assert query.to_query() == {"badgeStatus": "EXPIRED", "expiresOnOperator": "GREATER_THAN"}


def test_management_status_filter_reads_the_product_word_ended(client, make_badge):
    make_badge()
    for spelling in ("EXPIRED", "ended", "Expired"):
        for key in ("badgeStatus", "badgeStatu"):
            answer = client.send_raw(
                "GET", f"{B}/management/5", params={key: spelling, "badgeType": "AVAILABLE"}
            )
            assert answer.status_code == 200, answer.text[:300]
            assert answer.json()["data"]["customerBadges"] == []  # the live badge is not EXPIRED
    live = client.send_raw(
        "GET", f"{B}/management/5", params={"badgeStatus": "live", "badgeType": "AVAILABLE"}
    )
    assert live.json()["data"]["customerBadges"]


def test_fixed_window_customer_identifier_keeps_its_leading_zeros(sandbox, client, make_badge):
    sandbox.add_customers([{"customerId": 7002, "cardNumber": "0042"}])
    badge = make_badge(
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "MONTHS",
                              "maxEarnLimit": 3}]
    )  # fmt: skip
    answer = client.send_raw(
        "GET",
        f"{B}/badgeMeta/getFixedWindowDetails",
        params={"badgeMetaId": badge.id, "customerId": "0042", "includeEarnCount": "true"},
        headers={"X-CAP-CUSTOMER-IDENTIFIER": "cardNumber"},
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["data"]["customerId"] == 7002

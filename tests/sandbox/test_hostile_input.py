"""Hostile input never takes the sandbox down: every case below is a 400 with the API's envelope that
names the field (or says why the document could not be read), never a 5xx. Sandbox only.

Categories: numbers beyond int64, customer ids that are not 1..2**63-1 in ASCII digits (path, query,
body), huge paging parameters, bad Unicode (escaped lone surrogates, bytes that are not UTF-8, NUL),
deep nesting, and JSON of the wrong type. The last test checks the last-resort answer of a bug.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from lib.sandbox import routes
from tests.sandbox.conftest import basic_header

B = "/api_gateway/v1/badges"
BADGE = "6b1480e91fce744123456789"  # well formed, unknown: the body is read before any look-up
OWNER = {"ownerType": "Loyalty", "referenceId": "program-1"}
BIG = str(10**30)
HUGE = "9" * 4400  # past Python's 4,300-digit int conversion limit


@pytest.fixture
def raw(sandbox):
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": basic_header()}) as http:
        yield http


def send(raw: httpx.Client, method: str, path: str, body: bytes | str | None = None) -> httpx.Response:
    content = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    headers = {"Content-Type": "application/json"} if content is not None else None
    return raw.request(method, path, content=content, headers=headers)


def short(value: object) -> str:
    """A readable test id for a parameter that may be kilobytes long."""
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.removeprefix(B)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)})"


def assert_refused(answer: httpx.Response, field: str | None) -> None:
    """A 400 envelope; `field` appears as an error's reference or in its message (None: a parse error)."""
    assert answer.status_code == 400, answer.text[:300]
    body = answer.json()
    assert body["data"] is None and body["errors"], body
    if field is None:
        assert body["errors"][0]["message"].startswith("JSON parse error"), body
        return
    named = [e for e in body["errors"] if e["reference"] == field or f"'{field}'" in e["message"]]
    assert named, body


def issue(customers: str) -> str:
    return f'{{"badgeMetaId": "{BADGE}", "requestId": "r-1", "customers": {customers}}}'


def earn(customer: str) -> str:
    return f'{{"badgeMetaId": "{BADGE}", "requestId": "r-1", "customerId": {customer}, "triggeredBy": {json.dumps(OWNER)}}}'


def group(**fields: Any) -> str:
    return json.dumps({"name": "g", "rank": 1, **fields})


# ---- numbers beyond int64 -----------------------------------------------------------------------
NUMBERS = [
    ("POST", f"{B}/badgeMeta/customer/issueBulk", issue(f"[{BIG}]"), "customers[0]"),
    ("POST", f"{B}/badgeMeta/customer/issueBulk", issue(f"[{2**63}]"), "customers[0]"),
    ("POST", f"{B}/badgeMeta/customer/issueBulk", issue(f"[-{BIG}]"), "customers[0]"),
    ("POST", f"{B}/badgeMeta/customer/issueBulk", issue(f"[{HUGE}]"), "customers[0]"),
    ("POST", f"{B}/badgeMeta/customer/issueBulk", issue("[1e999]"), "customers[0]"),
    ("POST", f"{B}/customer/earn", earn(BIG), "customerId"),
    (
        "POST",
        f"{B}/customer/earnBulk",
        earn(f"[{BIG}]").replace('"customerId"', '"customerIds"'),
        "customerIds[0]",
    ),  # fmt: skip
    (
        "POST",
        f"{B}/customer/revokeEarn",
        f'{{"badgeMetaId": "{BADGE}", "customerId": {BIG}, "earnedBadgeId": "e"}}',
        "customerId",
    ),  # fmt: skip
    (
        "POST",
        f"{B}/badgeMeta/customer/revokeIssue",
        f'{{"badgeMetaId": "{BADGE}", "customers": [{HUGE}]}}',
        "customers[0]",
    ),  # fmt: skip
    (
        "PUT",
        f"{B}/import/customerBadges",
        f'[{{"badgeMetaId": "{BADGE}", "customerId": {BIG}, "earnExpiresOn": 1}}]',
        "[0].customerId",
    ),  # fmt: skip
    ("POST", f"{B}/group", group(rank=10**30), "rank"),
    ("POST", f"{B}/group", group(rank=f"{10**30}"), "rank"),  # a number in a string, read by the model
    ("POST", f"{B}/badgeMeta", json.dumps({"name": "n", "startOn": 10**30}), "startOn"),
    ("POST", f"{B}/badgeMeta", json.dumps({"name": "n", "startOn": 1e300}), "startOn"),
    (
        "POST",
        f"{B}/badgeMeta",
        json.dumps(
            {
                "name": "n",
                "customerConstraints": [
                    {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": str(2**64)}
                ],
            }
        ),
        "customerConstraints[0].maxEarnLimit",
    ),  # fmt: skip
    ("POST", f"{B}/badgeMeta", json.dumps({"name": "n", "customFields": {"c": 10**40}}), "customFields.c"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), NUMBERS, ids=short)
def test_numbers_beyond_int64_are_a_400_naming_the_field(raw, method, path, body, field):
    assert_refused(send(raw, method, path, body), field)


# ---- customer ids -------------------------------------------------------------------------------
BAD_IDS = [BIG, "1" * 40, HUGE, "0", "-5", "１２３", "²", str(2**63), "12abc", "0x10"]


@pytest.mark.parametrize("customer", BAD_IDS, ids=short)
@pytest.mark.parametrize(
    "template",
    [
        f"{B}/customer/{{}}",
        f"{B}/management/{{}}",
        f"{B}/management/{{}}/badge/{BADGE}",
        f"{B}/badgeMeta/getFixedWindowDetails?badgeMetaId={BADGE}&customerId={{}}",
    ],
    ids=["customer", "management", "management-badge", "fixed-window-query"],
)
def test_customer_ids_in_the_url_are_positive_64_bit_ascii_numbers(raw, template, customer):
    assert_refused(raw.get(template.format(customer)), "customerId")


@pytest.mark.parametrize(
    "customer",
    [
        BIG,
        HUGE,
        "0",
        "-5",
        '"１２３"',
        '"1111111111111111111111111111111111111111"',
        '"-5"',
        f'"{HUGE}"',
        "12.5",
        "true",
    ],
    ids=short,
)
def test_customer_ids_in_bodies_are_positive_64_bit_whole_numbers(raw, customer):
    assert_refused(
        send(raw, "POST", f"{B}/badgeMeta/customer/issueBulk", issue(f"[{customer}]")), "customers[0]"
    )
    assert_refused(send(raw, "POST", f"{B}/customer/earn", earn(customer)), "customerId")


def test_the_largest_customer_id_is_still_a_customer(raw):
    assert raw.get(f"{B}/customer/{2**63 - 1}").status_code == 200
    assert raw.get(f"{B}/customer/0000123").status_code == 200


# ---- paging -------------------------------------------------------------------------------------
LISTS = [f"{B}/badgeMeta", f"{B}/group", f"{B}/customField", f"{B}/customer/5", f"{B}/management/5"]


PAGING = [(path, param) for path in LISTS for param in ("page", "size")] + [
    (f"{B}/badgeMeta", "limit"),
    (f"{B}/customer/5", "limit"),
]


@pytest.mark.parametrize("value", [str(10**20), HUGE, str(2**63), "１", "-1"], ids=short)
@pytest.mark.parametrize(("path", "param"), PAGING, ids=short)
def test_huge_or_malformed_paging_parameters_are_a_400(raw, path, param, value):
    assert_refused(raw.get(path, params={param: value}), param)


@pytest.mark.parametrize("path", LISTS)
def test_a_page_far_beyond_the_end_is_empty(raw, path):
    answer = raw.get(path, params={"page": str(2**63 - 1), "size": "1000"})
    assert answer.status_code == 200, answer.text[:300]
    lists = [v for v in answer.json()["data"].values() if isinstance(v, list)]
    assert lists and all(items == [] for items in lists)


# ---- bad Unicode --------------------------------------------------------------------------------
UNICODE_BODIES = [
    (f"{B}/badgeMeta", '{"name": "\\ud800"}', "name"),
    (f"{B}/badgeMeta", '{"name": "x\\udfffy"}', "name"),
    (f"{B}/badgeMeta", '{"description": "a\\u0000b"}', "description"),
    (f"{B}/group", '{"name": "\\ud83d", "rank": 1}', "name"),
    (f"{B}/group", '{"name": "g", "rank": 1, "\\ud800": 1}', "body"),
    (f"{B}/badgeMeta/customer/issueBulk", issue('["\\u0000"]'), "customers[0]"),
    (f"{B}/badgeMeta", b'{"name": "\xff\xfe"}', None),
    (f"{B}/badgeMeta", b'{"name": "\xed\xa0\x80"}', None),  # a surrogate encoded as UTF-8
    (f"{B}/group", b"\xc3\x28", None),
    (f"{B}/group", b'{"name": "a\x00b", "rank": 1}', None),  # a raw NUL is a control character
]


@pytest.mark.parametrize(("path", "body", "field"), UNICODE_BODIES, ids=short)
def test_bad_unicode_in_bodies_is_a_400(raw, path, body, field):
    assert_refused(send(raw, "POST", path, body), field)


@pytest.mark.parametrize("text", ["%FF", "%ED%A0%80", "%00", "ab%00cd", "%C3%28"])
@pytest.mark.parametrize(
    ("template", "field"),
    [
        (f"{B}/badgeMeta/{{}}", "badgeId"),
        (f"{B}/group/{{}}", "groupId"),
        (f"{B}/customer/{{}}", "customerId"),
        (f"{B}/badgeMeta?name={{}}", "name"),
        (f"{B}/badgeMeta/getFixedWindowDetails?badgeMetaId={{}}", "badgeMetaId"),
    ],
)
def test_bad_unicode_in_the_url_is_a_400_naming_the_parameter(raw, template, field, text):
    assert_refused(raw.get(template.format(text)), field)


def test_ids_of_any_length_are_not_found_rather_than_a_failure(raw):
    for path in (f"{B}/badgeMeta/{'a' * 20_000}", f"{B}/group/{'7' * 5000}", f"{B}/customField/{'é' * 3000}"):
        answer = raw.get(path)
        assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == 404


# ---- deep nesting -------------------------------------------------------------------------------
DEEP = [
    (f"{B}/badgeMeta", "[" * 100_000 + "]" * 100_000, None),
    (f"{B}/badgeMeta", '{"a":' * 5000 + "1" + "}" * 5000, None),
    (f"{B}/badgeMeta", '{"customFields": {"c": ' + "[" * 40 + "]" * 40 + "}}", "customFields.c" + "[0]" * 30),
    (f"{B}/import/customerBadges", "[" * 50 + "]" * 50, "[0]" * 32),
]


@pytest.mark.parametrize(("path", "body", "field"), DEEP, ids=short)
def test_deeply_nested_json_is_a_400(raw, path, body, field):
    method = "PUT" if "import" in path else "POST"
    assert_refused(send(raw, method, path, body), field)


# ---- wrong JSON types ---------------------------------------------------------------------------
WRONG_TYPES = [
    (f"{B}/badgeMeta", "5", "body"),
    (f"{B}/badgeMeta", '"text"', "body"),
    (f"{B}/badgeMeta", "[1]", "body"),
    (f"{B}/customer/earn", "true", "body"),
    (f"{B}/badgeMeta", '{"name": ["list"]}', "name"),
    (f"{B}/badgeMeta", '{"name": "n", "ownership": "Loyalty"}', "ownership"),
    (f"{B}/badgeMeta", '{"name": "n", "customerConstraints": {"a": 1}}', "customerConstraints"),
    (f"{B}/badgeMeta/customer/issueBulk", issue('"1,2"'), "customers"),
    (f"{B}/badgeMeta/customer/issueBulk", issue('{"1": 2}'), "customers"),
    (f"{B}/badgeMeta/customer/issueBulk", issue("[[1]]"), "customers[0]"),
    (f"{B}/customer/earn", earn("1").replace(json.dumps(OWNER), "5"), "triggeredBy"),
    (f"{B}/group", '{"name": "g", "rank": "first"}', "rank"),
    (f"{B}/group", '{"name": {"n": 1}, "rank": 1}', "name"),
    (f"{B}/badgeMeta", '{"name": NaN}', None),
    (f"{B}/badgeMeta", '{"name": Infinity}', None),
]


@pytest.mark.parametrize(("path", "body", "field"), WRONG_TYPES, ids=short)
def test_json_of_the_wrong_type_is_a_400_naming_the_field(raw, path, body, field):
    assert_refused(send(raw, "POST", path, body), field)


def test_the_import_refuses_a_body_that_is_not_an_array(raw):
    for body in ("5", '{"badgeMetaId": "b"}', '"x"'):
        assert send(raw, "PUT", f"{B}/import/customerBadges", body).status_code == 400


def test_made_up_paths_do_not_grow_the_request_counts_without_bound(raw, sandbox, monkeypatch):
    monkeypatch.setattr(sandbox.service.stats, "MAX_KEYS", 20)
    for n in range(50):
        raw.get(f"{B}/badgeMeta/made-up-{n}")
    counts = sandbox.stats()
    assert len(counts["by_path"]) <= 21 and counts["by_path"]["(other paths)"] >= 29


# ---- the last resort ----------------------------------------------------------------------------
def test_a_bug_answers_the_generic_500_envelope_without_a_traceback(raw, sandbox, monkeypatch):
    def broken(*_: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setitem(routes.HANDLERS, "get_org_meta", broken)
    monkeypatch.setattr(sandbox.service.stats, "snapshot", broken)
    for path, headers in ((f"{B}/orgMeta", {}), ("/_sandbox/stats", {"X-Sandbox-Control": "1"})):
        answer = raw.get(path, headers=headers)
        assert answer.status_code == 500
        assert answer.json() == {
            "data": None,
            "errors": [{"code": 999999, "message": "Internal server error", "reference": None}],
            "warnings": None,
        }
        assert "secret" not in answer.text and "Traceback" not in answer.text
    monkeypatch.undo()
    assert raw.get(f"{B}/group").status_code == 200  # and the sandbox goes on serving
